"""Fuzz the scenario loader: N structure-aware mutants of the shipped scenarios.

Each mutant (``tests/support/scenario_fuzzing.py``: wrong types, extreme numbers, deleted and
renamed keys, aliases, deep nesting, control bytes, bad indentation, oversized files,
``extends`` to devices, fifos, directories and missing files...) is loaded with
``load_scenario`` in a worker process with a time limit; one in ``--run-every`` accepted
mutants is also run for a few months and checked for non-finite values. A sample goes
through ``ddr-sim validate``. Prints the counts clean / accepted / uncaught / hung and
lists every uncaught exception and hang (the loader's promise is 0 of both). Usage::

    .venv/bin/python experiments/fuzz_scenarios.py [-n 10000] [--seed 0] [--timeout 10]
        [--validate 300] [--run-every 10]
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.scenario_fuzzing import OUTCOMES, Harness, mutant, validate_command  # noqa: E402


def _loader_pass(n: int, seed: int, timeout: float, run_every: int) -> tuple[dict, list, list]:
    """Load ``n`` mutants; return the counts, what went wrong, and the kinds seen."""
    rng = random.Random(seed)
    harness = Harness(timeout)
    counts: collections.Counter[str] = collections.Counter()
    bad: list[tuple[int, str, str, str]] = []
    kinds: collections.Counter[str] = collections.Counter()
    accepted = 0
    start = time.perf_counter()
    try:
        for i in range(n):
            with tempfile.TemporaryDirectory() as work:
                path, kind = mutant(rng, Path(work))
                kinds[
                    kind.split(":")[0] + ":" + kind.split(":")[1][:12] if ":" in kind else kind
                ] += 1
                months = 3 if run_every and accepted % run_every == 0 else 0
                outcome, detail = harness.load(path, months)
            if outcome == "accepted":
                accepted += 1
            counts[outcome] += 1
            if outcome in ("uncaught", "hung"):
                bad.append((i, kind, outcome, detail))
            if (i + 1) % 500 == 0 or i + 1 == n:
                rate = (i + 1) / (time.perf_counter() - start)
                shown = ", ".join(f"{k} {counts[k]}" for k in OUTCOMES)
                print(f"  {i + 1}/{n} ({rate:.1f}/s): {shown}", file=sys.stderr, flush=True)
    finally:
        harness.close()
    return counts, bad, sorted(kinds.items())


def _validate_pass(n: int, seed: int, timeout: float) -> tuple[dict, list]:
    rng = random.Random(seed + 1)
    counts: collections.Counter[str] = collections.Counter()
    bad = []
    for i in range(n):
        with tempfile.TemporaryDirectory() as work:
            path, kind = mutant(rng, Path(work))
            outcome, detail = validate_command(path, timeout)
        counts[outcome] += 1
        if outcome in ("uncaught", "hung"):
            bad.append((i, kind, outcome, detail))
    return counts, bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="mutants to load (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutant generator")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per load")
    parser.add_argument("--validate", type=int, default=300, help="mutants through validate")
    parser.add_argument(
        "--run-every", type=int, default=10, help="run 3 months of one accepted mutant in N"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    counts, bad, kinds = _loader_pass(args.n, args.seed, args.timeout, args.run_every)
    print(f"load_scenario on {args.n} mutants (seed {args.seed}, {args.timeout:g} s limit):")
    print("  " + "  ".join(f"{k}: {counts[k]}" for k in OUTCOMES))
    print("  mutation kinds: " + ", ".join(f"{k} {v}" for k, v in kinds))
    for i, kind, outcome, detail in bad:
        print(f"  case {i} ({kind}): {outcome}: {detail}")
    if args.validate:
        vcounts, vbad = _validate_pass(args.validate, args.seed, 3 * args.timeout)
        print(f"ddr-sim validate on {args.validate} mutants:")
        print("  " + "  ".join(f"{k}: {vcounts[k]}" for k in OUTCOMES))
        for i, kind, outcome, detail in vbad:
            print(f"  case {i} ({kind}): {outcome}: {detail}")
        bad += vbad
    print(f"total time {time.perf_counter() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
