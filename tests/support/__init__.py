"""Helpers shared by the test folders: scenarios built in code, scenario mutants for the
fuzzer, and a command-line run killed on a timer."""
