"""Reading a config file safely: regular files only, bounded size, every OS error a problem.

A scenario (or one of the files it ``extends``), an experiment or a targets file is read
only when it is a regular file of at most :data:`MAX_FILE_BYTES`: a directory, a fifo,
``/dev/zero`` or ``/dev/urandom`` is refused before a byte is read, so that no path can
make a load hang. A path with a NUL byte, too long for the system, unreadable or not
UTF-8 is a :class:`Problem` naming the file, never an exception.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ddr_sim.config.documents import DocMap, parse_yaml
from ddr_sim.config.problems import Problem, ScenarioError, kind

__all__ = ["MAX_FILE_BYTES", "read_mapping", "read_text"]

#: Largest config file read: 40 times the Mali scenario (about 10 kB).
MAX_FILE_BYTES = 512 * 1024


def _refusal(path: Path, what: str) -> str | None:
    """Why ``path`` cannot be read as a ``what`` (None when it can be tried)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "file not found"
    except NotADirectoryError:
        return "file not found (a part of the path is a file, not a folder)"
    except ValueError:
        return "the path contains a NUL character"
    except OSError as err:
        return f"cannot read file: {err.strerror or err}"
    if stat.S_ISDIR(info.st_mode):
        return f"is a directory, not a {what}"
    if not stat.S_ISREG(info.st_mode):
        return f"is not a regular file (a device, fifo or socket), not a {what}"
    if info.st_size > MAX_FILE_BYTES:
        return (
            f"the file is {info.st_size:,} bytes; a {what} may have at most "
            f"{MAX_FILE_BYTES:,} bytes"
        )
    return None


def read_text(path: Path, source: str, what: str = "scenario file") -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_FILE_BYTES` bytes.

    Raises
    ------
    ScenarioError
        With one problem naming ``source``.
    """

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(source, None, "", message)])

    why = _refusal(path, what)
    if why is not None:
        raise fail(why)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since stat()
                raise fail(f"is not a regular file, not a {what}")
            data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as err:
        raise fail(f"cannot read file: {getattr(err, 'strerror', None) or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"the file grew beyond {MAX_FILE_BYTES:,} bytes while being read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise ScenarioError(
            [Problem(source, line, "", f"cannot read file: not UTF-8 text ({err.reason})")]
        ) from None
    return text.removeprefix("\ufeff")


def read_mapping(
    path: Path,
    source: str,
    what: str = "scenario file",
    fields: str = "scenario sections",
    error: type[ScenarioError] | None = None,
) -> tuple[str, DocMap]:
    """Read and parse one YAML file whose top level must be a mapping.

    Returns its text and the line-tracking document; raises ``error`` (default
    :class:`ScenarioError`) naming the file, and the line where known, otherwise.
    ``what`` and ``fields`` name the kind of file and what its top level holds.
    """
    error = error or ScenarioError
    try:
        text = read_text(Path(path), source, what)
        data, line = parse_yaml(text, source)
    except ScenarioError as err:
        raise error(err.problems) from None
    if data is None:
        raise error(
            [Problem(source, None, "", f"the file is empty; expected a mapping of {fields}")]
        )
    if not isinstance(data, DocMap):
        message = f"the top level must be a mapping of {fields}, not a {kind(data)}"
        raise error([Problem(source, line, "", message)])
    return text, data
