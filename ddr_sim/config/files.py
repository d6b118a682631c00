"""Writing output files so that an interruption never leaves a half-written one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], object] | str) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``.

    ``write`` may also be the text to write (UTF-8).
    """
    if isinstance(write, str):
        text = write
        write = lambda tmp: tmp.write_text(text, encoding="utf-8")  # noqa: E731
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
