"""How the command line reports a failure: one line (or one problem a line), an exit status.

Exit statuses: 1 a failure while working (a run, a write, the machine); 2 bad input (the
command line, a file); 130 interrupted. Nothing here prints a traceback: an error nobody
foresaw is saved to a file and named in one line.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback

from ddr_sim.config.loading import ScenarioError

USAGE = 2
FAILURE = 1

#: Marks the one line printed for an error nobody foresaw (a bug), so it can be counted.
UNEXPECTED = "unexpected error"


class CommandError(Exception):
    """A command cannot go on; ``str(err)`` is the one-line reason.

    Parameters
    ----------
    message : str
        What is wrong and, when useful, what to do.
    status : int
        Exit status: 2 for bad input, 1 for a failure.
    """

    def __init__(self, message: str, status: int = USAGE):
        super().__init__(message)
        self.status = status


def say(message: str) -> None:
    """Print ``error: message`` on stderr."""
    print(f"error: {message}", file=sys.stderr, flush=True)


def print_problems(err: ScenarioError) -> None:
    """Print a load error: what failed to load, then each problem on its own line."""
    n = len(err.problems)
    print(f"invalid {err.what}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
    for problem in err.problems:
        print(f"  {problem}", file=sys.stderr)


def os_error_text(err: OSError) -> str:
    """``OSError`` in words: the file and what went wrong, with a hint for a full disk."""
    where = f"{err.filename}: " if err.filename else ""
    what = err.strerror or str(err) or type(err).__name__
    hint = ""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = " (free some space or choose another --out)"
    elif err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        hint = " (choose another --out)"
    return f"{where}{what}{hint}"


def save_traceback(path: os.PathLike[str] | str | None = None) -> str | None:
    """Write the traceback being handled to ``path`` (default: a new file in the temporary
    directory); the path written, or None when nothing could be written."""
    text = traceback.format_exc()
    try:
        if path is None:
            handle, path = tempfile.mkstemp(prefix="ddr-sim-traceback-", suffix=".txt")
            os.close(handle)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
    except (OSError, ValueError):
        return None
    return os.fspath(path)


def failed(err: BaseException, traceback_path: os.PathLike[str] | str) -> int:
    """Report a failure of the work in one line, its traceback saved to
    ``traceback_path`` when it can be written; exit 1."""
    saved = save_traceback(traceback_path)
    where = f"traceback: {saved}" if saved else "the traceback could not be saved"
    say(f"{type(err).__name__}: {err} ({where})")
    return FAILURE


def unexpected(err: BaseException) -> int:
    """Report an error nobody foresaw in one line, its traceback saved to a file; exit 1."""
    saved = save_traceback()
    where = f"traceback in {saved}" if saved else "the traceback could not be saved"
    first = str(err).splitlines()[0][:200] if str(err) else ""
    say(f"{UNEXPECTED}: {type(err).__name__}: {first} ({where}; please report it)")
    return FAILURE
