"""The Mesa model: agents, per-person population arrays, the monthly choice, programmes,
records and the twelve mechanisms.
"""
