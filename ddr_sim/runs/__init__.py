"""One scenario over seeds to tables: the runner, the per-seed tables and the indicators of
a run.
"""
