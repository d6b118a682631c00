"""Start a ``ddr-sim`` command, kill it with SIGKILL once its store holds some runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ddr_sim.runs.store import RunStore

DDR_SIM = Path(sys.executable).parent / "ddr-sim"


def recorded(folder: Path) -> set[str]:
    """Keys of the runs a store holds (empty before it exists)."""
    return set(RunStore(folder).status()) if folder.exists() else set()


def kill_after(arguments: list[str], store: Path, runs: int, timeout: float = 120) -> set[str]:
    """Run ``ddr-sim ARGUMENTS``; SIGKILL it (and its workers) once ``store`` holds ``runs``
    runs. Returns the keys recorded by then; fails when the command ends first."""
    proc = subprocess.Popen(
        [str(DDR_SIM), *arguments],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    try:
        while len(recorded(store)) < runs:
            if proc.poll() is not None:
                raise AssertionError("ended before the kill:\n" + proc.stdout.read().decode())
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {runs} runs recorded in {timeout} s")
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return recorded(store)
