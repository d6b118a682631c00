"""ddr-sim: an agent-based simulator of DDR process dynamics, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ddr-sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
