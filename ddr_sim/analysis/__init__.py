"""Tables in, statistics and figures out: sensitivity indices, scenario discovery and
plots; never imports the model.
"""
