"""Bad invocations of every ``ddr-sim`` command: does each end in a clean error?

Runs a fixed set of hostile or careless command lines (wrong types, missing files, folders
for files, devices, unwritable and full output folders, huge and negative numbers, bad
URLs, damaged stored results...) over the nine commands, each in its own process with a
time limit, and prints the counts:

    clean       exit status 1 or 2 with a message, no traceback
    handled     exit status 0 where going on is the right answer (a sweep folder that
                lost its run index runs every run again)
    unexpected  exit status 1 with the one-line "unexpected error" of the safety net (a bug
                caught: its traceback went to a file)
    traceback   a Python traceback on the terminal, or death by a signal
    hang        still running at the time limit (killed)
    success     exit status 0 (the bad input was accepted)

and lists every case that is not clean. Full and read-only disks are small tmpfs mounts
(needs root; without it those cases are skipped and counted as such).

    python experiments/fuzz_cli.py               # every case
    python experiments/fuzz_cli.py --only sweep  # the cases whose name contains 'sweep'
    python experiments/fuzz_cli.py --quick       # only the cases that run no model
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the two modules beside this one

from fuzz_cli_cases import COMMANDS, Case, cases  # noqa: E402
from fuzz_cli_fixtures import Fixtures, fill_when_created, make_fixtures, release_fixtures  # noqa: E402

__all__ = ["COMMANDS", "Case", "Fixtures", "cases", "classify", "make_fixtures", "release_fixtures"]

OUTCOMES = ("clean", "handled", "unexpected", "traceback", "hang", "success", "skipped")


@dataclass
class Result:
    case: Case
    outcome: str
    status: int | None
    seconds: float
    tail: str = ""


def classify(status: int | None, output: str) -> str:
    """The outcome of a finished (or killed: ``status`` None) invocation."""
    if status is None:
        return "hang"
    if "Traceback (most recent call last)" in output or status < 0:
        return "traceback"
    if "unexpected error" in output:
        return "unexpected"
    if status == 0:
        return "success"
    if status in (1, 2) and output.strip():
        return "clean"
    return "traceback"


# --------------------------------------------------------------------------------------------
# Running


def run_case(case: Case, fx: Fixtures, cwd: Path) -> Result:
    """Run one case in its own process group with its time limit."""
    missing = [n for n in case.needs if n not in fx.available]
    if missing:
        return Result(case, "skipped", None, 0.0, f"needs {', '.join(missing)}")
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ddr_sim.cli.main", *case.argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore", TQDM_DISABLE="1"),
    )
    stop = threading.Event()
    if case.fill:
        threading.Thread(target=fill_when_created, args=(Path(case.fill), stop)).start()
    try:
        output, _ = process.communicate(timeout=case.limit)
        status: int | None = process.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        status = None
    stop.set()
    text = output.decode("utf-8", "replace")
    seconds = time.perf_counter() - start
    tail = "\n".join(text.strip().splitlines()[-3:])
    outcome = classify(status, text)
    if outcome == "success" and case.success_ok:
        outcome = "handled"
    return Result(case, outcome, status, seconds, tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--quick", action="store_true", help="only the cases that run no model")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    parser.add_argument("--verbose", action="store_true", help="show the end of every output")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # unmount on kill
    root = Path(tempfile.mkdtemp(prefix="ddr-sim-fuzz-cli-"))
    fx = make_fixtures(root, sweep=not options.list)
    try:
        chosen = [c for c in cases(fx) if options.only in c.name and (c.quick or not options.quick)]
        if options.list:
            for case in chosen:
                print(case.name)
            print(f"{len(chosen)} cases")
            return 0
        results = []
        t0 = time.perf_counter()
        for i, case in enumerate(chosen, 1):
            result = run_case(case, fx, root)
            results.append(result)
            print(
                f"[{i}/{len(chosen)}] {result.outcome:<10} {result.seconds:5.1f}s  {case.name}",
                file=sys.stderr,
                flush=True,
            )
            if options.verbose:
                print("\n".join(f"    | {line[:160]}" for line in result.tail.splitlines()))
        return report(results, time.perf_counter() - t0)
    finally:
        release_fixtures(fx)
        shutil.rmtree(root, ignore_errors=True)


def report(results: list[Result], seconds: float) -> int:
    """Print the counts per outcome and command, and every case that is not clean."""
    counts = Counter(r.outcome for r in results)
    commands = Counter(r.case.argv[0] if r.case.argv else "-" for r in results)
    print(f"\n{len(results)} bad invocations over {len(commands)} commands in {seconds:,.0f} s")
    for outcome in OUTCOMES:
        print(f"  {outcome:<11} {counts.get(outcome, 0):>4}")
    print("per command: " + ", ".join(f"{c} {n}" for c, n in sorted(commands.items())))
    bad = [r for r in results if r.outcome not in ("clean", "handled", "skipped")]
    for r in bad:
        print(f"\n{r.outcome.upper()}: {r.case.name} (exit {r.status}, {r.seconds:.1f} s)")
        print(f"  ddr-sim {' '.join(a[:60] for a in r.case.argv)}")
        for line in r.tail.splitlines():
            print(f"  | {line[:200]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
