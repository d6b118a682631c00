"""Where a run came from: the package version and the versions of its dependencies."""

from __future__ import annotations

import importlib.metadata
import tomllib
from datetime import UTC, datetime
from pathlib import Path

#: Distributions whose versions go into the manifest.
DEPENDENCIES = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "pydantic",
    "pyyaml",
    "pyarrow",
    "tqdm",
)
DISTRIBUTION = "ddr-sim"


def package_version() -> str:
    """The installed ``ddr-sim`` version, else the one in the source tree's pyproject.toml."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        if project.get("name") == DISTRIBUTION:
            return str(project["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    return "unknown"


def dependency_versions() -> dict[str, str | None]:
    """Installed versions of :data:`DEPENDENCIES` (None when not installed)."""
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def utc_now(timespec: str = "milliseconds") -> str:
    """The time now, UTC, ISO 8601 to ``timespec`` (``seconds``, ``milliseconds``...)."""
    return datetime.now(UTC).isoformat(timespec=timespec)
