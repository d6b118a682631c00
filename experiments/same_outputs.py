"""Do two versions of the code give the same outputs? Fingerprints of every shipped output.

Runs every shipped scenario, policy file and experiment through the ``ddr-sim`` command
line into a folder (small numbers of seeds, so the whole set takes a few minutes), then
writes ``fingerprints.json``: one hash per output file, of its *content*:

* Parquet and CSV tables by their columns, types and values (rows sorted by ``run_id``
  where there is one, and the chunks of a sweep table read as one table);
* JSON files with their provenance keys left out (timestamps, durations, versions, the
  command line, paths, code hashes);
* figures and text byte for byte (text with lines of timings left out).

Columns that record when or how long (``duration_s``, ``finished``, ``worker``,
``datetime_*``) are left out of the hashes: they differ between two runs of the same code.

Usage::

    .venv/bin/python experiments/same_outputs.py output/same/before
    # ... change the code ...
    .venv/bin/python experiments/same_outputs.py output/same/after --against output/same/before

With ``--against`` it prints every file whose fingerprint differs (or exists on one side
only) and exits with status 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"

#: Table columns that say when, where or how long, not what.
VOLATILE_COLUMNS = frozenset(
    {
        "duration_s",
        "finished",
        "worker",
        "started",
        "datetime_start",
        "datetime_complete",
        "duration",
        "traceback",
        "seconds",
    }
)
#: JSON keys that say when, where or with which versions, not what.
VOLATILE_KEYS = frozenset(
    {
        "started",
        "finished",
        "saved",
        "created",
        "updated",
        "command_line",
        "python",
        "python_version",
        "platform",
        "dependencies",
        "versions",
        "package_version",
        "model_code_hash",
        "code_hash",
        "files",
        "scenario_source",
        "source",
        "path",
        "experiment_path",
        "root",
        "elapsed_s",
        "duration_s",
        "pilot",
        "estimate",
    }
)
#: Lines of text reports that carry timings.
VOLATILE_LINE = re.compile(
    r"(\d+(\.\d+)? ?(s|min|seconds|minutes)\b|elapsed|took|UTC|\d{4}-\d\d-\d\dT"
    r"|Produced by|Command:)"
)


def commands(out: Path) -> list[list[str]]:
    """Every ``ddr-sim`` invocation, with its output folder under ``out``."""
    scenarios = [SCENARIOS / "mali_2013_2023.yaml", SCENARIOS / "teaching.yaml"]
    scenarios += sorted((SCENARIOS / "counterfactuals").glob("*.yaml"))
    mali = str(SCENARIOS / "mali_2013_2023.yaml")
    targets = str(SCENARIOS / "mali_2013_2023.targets.yaml")
    cmds = [["validate", str(s)] for s in scenarios]
    cmds.append(["schema", "--out", str(out / "schema" / "scenario.schema.json")])
    cmds += [["run", str(s), "--seeds", "3", "--out", str(out / "run" / s.stem)] for s in scenarios]
    cmds.append(
        ["report", mali, "--targets", targets, "--seeds", "4", "--out", str(out / "report")]
    )
    cmds.append(
        [
            "compare",
            str(EXPERIMENTS / "recommendations.yaml"),
            "--seeds",
            "2",
            "--out",
            str(out / "compare"),
        ]
    )
    cmds.append(
        ["calibrate", mali, "--targets", targets, "--budget", "3", "--out", str(out / "calibrate")]
    )
    for name in ("trust_vs_progress", "sensitivity"):
        sweep = out / "sweeps" / name
        cmds.append(["sweep", str(EXPERIMENTS / f"{name}.yaml"), "--out", str(sweep), "--quiet"])
        cmds.append(["analyze", str(sweep)])
    return cmds


def produce(out: Path) -> None:
    """Run every command into ``out`` (emptied first); keep what each printed."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exe = Path(sys.executable).parent / "ddr-sim"
    console = []
    for cmd in commands(out):
        print("ddr-sim", " ".join(cmd), flush=True)
        done = subprocess.run([str(exe), *cmd], capture_output=True, text=True)
        console.append({"command": cmd[0], "status": done.returncode})
        if done.returncode not in (0,):
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
    (out / "statuses.json").write_text(json.dumps(console, indent=1))


def _table_hash(table: pd.DataFrame) -> str:
    table = table.drop(columns=[c for c in table.columns if c in VOLATILE_COLUMNS])
    table = table.drop(columns=[c for c in table.columns if str(c).startswith("datetime")])
    if "run_id" in table.columns:
        keys = ["run_id"] + (["month"] if "month" in table.columns else [])
        table = table.sort_values(keys, kind="stable")
    table = table.reset_index(drop=True)
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in table.columns]).encode())
    h.update(json.dumps([str(t) for t in table.dtypes]).encode())
    h.update(
        pd.util.hash_pandas_object(table.astype(object).where(table.notna(), None), index=False)
        .to_numpy()
        .tobytes()
    )
    return h.hexdigest()


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items()) if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _text_hash(text: str) -> str:
    kept = [line for line in text.splitlines() if not VOLATILE_LINE.search(line)]
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def fingerprints(out: Path) -> dict[str, str]:
    """One content hash per output file (sweep chunks: one per table)."""
    prints: dict[str, str] = {}
    chunked: dict[str, list[Path]] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name == "fingerprints.json":
            continue
        rel = path.relative_to(out).as_posix()
        if re.search(r"/chunk-\d+\.parquet$", rel):
            chunked.setdefault(rel.rsplit("/", 1)[0], []).append(path)
            continue
        suffix = path.suffix
        if suffix == ".parquet":
            prints[rel] = _table_hash(pd.read_parquet(path))
        elif suffix == ".csv":
            prints[rel] = _table_hash(pd.read_csv(path))
        elif suffix == ".json":
            prints[rel] = hashlib.sha256(
                json.dumps(_plain(json.loads(path.read_text()))).encode()
            ).hexdigest()
        elif suffix in (".md", ".txt", ".yaml"):
            prints[rel] = _text_hash(path.read_text(encoding="utf-8", errors="replace"))
        elif suffix in (".journal", ".jsonl", ".log"):
            continue  # study journals carry timestamps; trials.csv holds their content
        else:
            prints[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    for folder, paths in chunked.items():
        table = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        prints[folder + "/*"] = _table_hash(table)
    return prints


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the outputs (emptied first)")
    parser.add_argument("--against", type=Path, help="an earlier folder to compare with")
    parser.add_argument(
        "--only-fingerprint", action="store_true", help="fingerprint an existing folder"
    )
    args = parser.parse_args(argv)
    if not args.only_fingerprint:
        produce(args.out)
    prints = fingerprints(args.out)
    (args.out / "fingerprints.json").write_text(json.dumps(prints, indent=1, sort_keys=True))
    print(f"{len(prints)} output files fingerprinted in {args.out}")
    if args.against is None:
        return 0
    old = json.loads((args.against / "fingerprints.json").read_text())
    differ = sorted(k for k in set(old) | set(prints) if old.get(k) != prints.get(k))
    for key in differ:
        side = "only before" if key not in prints else "only after" if key not in old else "differs"
        print(f"  {side}: {key}")
    print(f"{len(prints) - len(differ)} identical, {len(differ)} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
