"""Output folders checked before any work: created, written to, with room left.

A command that would only find out at the end, after hours of runs, that it cannot write
its results checks first with :func:`writable_dir` (or :func:`writable_file`), which
raises a :class:`~ddr_sim.cli.errors.CommandError` naming the path and the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text
from ddr_sim.cli.limits import MIB, size_text

#: Bytes written by the probe file (a full disk refuses them).
PROBE_BYTES = 64 * 1024

#: Free space a command needs at least, besides what it says it needs.
MIN_FREE = 1 * MIB


def _nearest_existing(path: Path) -> Path:
    for parent in (path, *path.parents):
        if os.path.lexists(parent):
            return parent
    return Path(".")


def writable_dir(path: Path, need: int = 0, what: str = "output folder") -> Path:
    """Create ``path`` (with its parents) and check a file can be written in it, and that
    its disk has ``need`` bytes (plus :data:`MIN_FREE`) free.

    Raises
    ------
    CommandError
        With the path and the reason (exit status 1).
    """
    path = Path(path)
    existing = _nearest_existing(path)
    if existing.exists() and not existing.is_dir():
        where = "is" if existing == path else f"is under {existing}, which is"
        raise CommandError(f"{what} {path} {where} a file, not a folder", FAILURE)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".ddr-sim-probe-") as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
            os.fsync(probe.fileno())
        free = shutil.disk_usage(path).free
    except OSError as err:
        raise CommandError(f"cannot write the {what}: {os_error_text(err)}", FAILURE) from None
    if free < need + MIN_FREE:
        raise CommandError(
            f"{what} {path}: {size_text(free)} free on its disk, the outputs need about "
            f"{size_text(need + MIN_FREE)} (free some space or choose another --out)",
            FAILURE,
        )
    return path


def writable_file(path: Path, what: str = "output file") -> Path:
    """Check that the file ``path`` can be written (its folder is created and probed)."""
    path = Path(path)
    if path.is_dir():
        raise CommandError(f"{what} {path} is a folder, expected a file name", FAILURE)
    writable_dir(path.parent if str(path.parent) else Path("."), what=f"folder of the {what}")
    return path
