"""Workflows with reports: policy comparison, calibration and the validation report."""
