"""Files to validated objects: month arithmetic, the scenario, experiment and targets
schemas, YAML documents with line numbers; imports no model code.
"""
