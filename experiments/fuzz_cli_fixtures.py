"""Files, folders and mounts the bad invocations of ``fuzz_cli.py`` point at.

Full and read-only disks are small tmpfs mounts (needs root; without it the cases that
need them are skipped). A finished two-run sweep and damaged copies of it (garbage,
empty or missing ``sweep.json``, truncated or empty Parquet chunks) serve ``analyze`` and
``sweep`` resumes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "scenarios" / "teaching.yaml"


#: Commands whose output disk fills up while they work (one 8 MiB tmpfs each).
FILLS = ("run", "sweep", "compare", "report")


def fill_when_created(folder: Path, stop: threading.Event, delay: float = 1.0) -> None:
    """Once ``folder`` exists (the command checked it), wait ``delay`` s, then fill its disk."""
    while not folder.exists():
        if stop.wait(0.05):
            return
    if stop.wait(delay):
        return
    with contextlib.suppress(OSError), open(folder.parent / "filler", "wb") as filler:
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()


@dataclass
class Fixtures:
    """Files and folders the cases point at, made in a temporary folder."""

    root: Path
    available: set[str] = field(default_factory=set)
    busy_port: int = 0

    def path(self, name: str) -> str:
        return str(self.root / name)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _mount_tmpfs(path: Path, size: str, options: str = "") -> bool:
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (f",{options}" if options else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True
    )
    return done.returncode == 0


def _experiment(tmp: Path, name: str, body: str) -> Path:
    text = f"name: {name}\nscenario: {TEACHING}\n{body}"
    return _write(tmp / f"{name}.yaml", text)


GRID = """parameters:
  - {path: politics.progress_rate, name: progress_rate, range: [0.0, 0.04], levels: 2}
design: {method: grid}
replications: 1
outcomes: [integrated_total]
"""


def _small_sweep(fx: Fixtures) -> None:
    """A finished two-run sweep and damaged copies of it."""
    exp = _experiment(fx.root, "tiny", GRID.replace("replications: 1", "replications: 1"))
    out = fx.root / "sweep_ok"
    cmd = [sys.executable, "-m", "ddr_sim.cli.main", "sweep", str(exp), "--out", str(out)]
    done = subprocess.run([*cmd, "--quiet", "--jobs", "1"], capture_output=True, timeout=300)
    if done.returncode != 0 or not (out / "sweep.json").is_file():
        return
    fx.available.add("sweep")
    damage = {
        "sweep_json_garbage": lambda d: _write(d / "sweep.json", "{not json"),
        "sweep_json_empty": lambda d: _write(d / "sweep.json", ""),
        "sweep_json_list": lambda d: _write(d / "sweep.json", "[1, 2]"),
        "sweep_json_binary": lambda d: _write(d / "sweep.json", b"\xff\xfe\x00garbage"),
        "sweep_json_missing": lambda d: (d / "sweep.json").unlink(),
        "design_truncated": lambda d: _truncate(d / "design.parquet"),
        "index_truncated": lambda d: _truncate_first(d / "index"),
        "outcomes_truncated": lambda d: _truncate_first(d / "outcomes"),
        "outcomes_empty": lambda d: _empty_first(d / "outcomes"),
        "index_removed": lambda d: shutil.rmtree(d / "index"),
    }
    for name, spoil in damage.items():
        copy = fx.root / name
        shutil.copytree(out, copy)
        spoil(copy)


def _chunks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncate_first(folder: Path) -> None:
    if _chunks(folder):
        _truncate(_chunks(folder)[0])


def _empty_first(folder: Path) -> None:
    if _chunks(folder):
        _chunks(folder)[0].write_bytes(b"")


def make_fixtures(root: Path, mounts: bool = True, sweep: bool = True) -> Fixtures:
    """Build the files the cases use under ``root``."""
    fx = Fixtures(root)
    _write(root / "empty.yaml", "")
    _write(root / "garbage.yaml", bytes(range(256)) * 4)
    _write(root / "list.yaml", "- 1\n- 2\n")
    _write(root / "tabs.yaml", "name: x\n\tcalendar: 3\n")
    _write(root / "a_file", "not a folder\n")
    (root / "a_dir").mkdir()
    (root / "empty_dir").mkdir()
    os.mkfifo(root / "fifo")
    _experiment(root, "grid_huge_levels", GRID.replace("levels: 2", "levels: 1000000000"))
    _experiment(root, "grid_huge_reps", GRID.replace("replications: 1", "replications: 10**12"))
    _experiment(root, "grid_big_reps", GRID.replace("replications: 1", "replications: 99999999"))
    _experiment(
        root,
        "lhs_huge",
        GRID.replace("design: {method: grid}", "design: {method: lhs, samples: 2000000000}")
        .replace("levels: 2", "")
        .replace(", }", "}"),
    )
    _experiment(root, "bad_outcome", GRID.replace("integrated_total", "no_such_outcome"))
    _write(root / "policies_bad.yaml", f"baseline: {TEACHING}\npolicies: [{{name: 1}}]\n")
    _write(root / "policies_dup.yaml", f"baseline: {TEACHING}\npolicies:\n" + "  - name: a\n" * 2)
    _write(root / "targets_bad.yaml", "targets: 3\n")
    _write(
        root / "policies_small.yaml",
        f"baseline: {TEACHING}\npolicies:\n  - name: faster\n    stands_for: faster progress\n"
        "    set: {politics.progress_rate: 0.03}\n",
    )
    if mounts and os.geteuid() == 0:
        ok = _mount_tmpfs(root / "full", "64k")
        ok = ok and _mount_tmpfs(root / "readonly", "64k", "ro")
        ok = ok and _mount_tmpfs(root / "nearly_full", "1200k")
        for command in FILLS:
            ok = ok and _mount_tmpfs(root / f"fills_{command}", "8m")
        if ok:
            filler = root / "nearly_full" / "filler"
            filler.write_bytes(b"\0" * (1200 * 1024 - 1024 * 1024 - 40 * 1024))
            (root / "full" / "filler").write_bytes(b"\0" * 60 * 1024)
            fx.available.add("tmpfs")
    if sweep:
        _small_sweep(fx)
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    fx.busy_port = holder.getsockname()[1]
    fx._holder = holder  # type: ignore[attr-defined]  # keep the port busy
    return fx


def release_fixtures(fx: Fixtures) -> None:
    """Unmount the tmpfs mounts and close the busy port."""
    with contextlib.suppress(Exception):
        fx._holder.close()  # type: ignore[attr-defined]
    for name in ("full", "readonly", "nearly_full", *(f"fills_{c}" for c in FILLS)):
        if os.path.ismount(fx.root / name):
            subprocess.run(["umount", str(fx.root / name)], capture_output=True)
