"""The ddr-sim command line (argparse only)."""
