"""Speed and memory of a full-scale historical run, against an empty Mesa loop.

Prints, in one run, measured on this machine:

* the median wall time of a full-scale run of ``scenarios/mali_2013_2023.yaml`` (one
  seed, all 126 months, agent creation included) over ``--repeats`` seeds;
* the wall time of an *empty* per-agent Mesa loop at 74,000 agents and the same number
  of months: agents whose ``step()`` does nothing, driven by
  ``model.agents.shuffle_do("step")`` (agent creation included);
* their ratio (targets: full run <= 1 s, ratio <= 0.2);
* the peak resident memory of each (target for the model: <= 400 MB).

Each measurement runs in a fresh subprocess so that one does not inflate the other's
peak memory. Usage::

    .venv/bin/python experiments/benchmark.py [--repeats 5] [--scenario PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODEL_RUN = """
import json, resource, time
from ddr_sim.config.loading import load_scenario
from ddr_sim.core.model import DDRModel
scenario = load_scenario({path!r})
t0 = time.perf_counter()
model = DDRModel(scenario, seed={seed}).run()
wall = time.perf_counter() - t0
print(json.dumps({{"wall": wall, "people": int(model.population.size),
    "months": model.months, "agents": len(model.agents),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

EMPTY_LOOP = """
import json, resource, time
import mesa

class Idle(mesa.Agent):
    def step(self):
        pass

t0 = time.perf_counter()
model = mesa.Model(rng=0)
for _ in range({n}):
    Idle(model)
for _ in range({months}):
    model.agents.shuffle_do("step")
wall = time.perf_counter() - t0
print(json.dumps({{"wall": wall,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _measure(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="seeds timed (default 5)")
    parser.add_argument(
        "--scenario", default=str(ROOT / "scenarios" / "mali_2013_2023.yaml"), help="scenario"
    )
    parser.add_argument("--agents", type=int, default=74_000, help="empty-loop agents")
    args = parser.parse_args(argv)

    runs = []
    for seed in range(args.repeats):
        result = _measure(MODEL_RUN.format(path=args.scenario, seed=seed))
        runs.append(result)
        print(
            f"  model run seed {seed}: {result['wall']:.3f} s, {result['people']:,} people, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    months = runs[0]["months"]
    empty = _measure(EMPTY_LOOP.format(n=args.agents, months=months))
    print(f"  empty Mesa loop: {empty['wall']:.3f} s, peak RSS {empty['peak_rss_mb']:.0f} MB")

    median = statistics.median(r["wall"] for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    people = max(r["people"] for r in runs)
    print()
    print(f"full-scale historical run ({people:,} people at the end, {months} months, 1 seed)")
    print(f"  median wall time       {median:.3f} s over {len(runs)} seeds   (target <= 1 s)")
    print(f"  peak RSS               {peak:.0f} MB                 (target <= 400 MB)")
    print(f"empty per-agent Mesa loop ({args.agents:,} agents, {months} months)")
    print(f"  wall time              {empty['wall']:.3f} s")
    print(f"ratio model / empty loop {median / empty['wall']:.3f}             (target <= 0.2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
