"""Speed and memory of ``ddr-sim sweep`` on this machine.

Prints, measured in one go:

* **throughput**: full-scale historical runs (``scenarios/mali_2013_2023.yaml``, 126
  months, ~74,000 people) per minute with 1 local worker process and with 2, and the
  speed-up of 2 workers over 1 (target >= 1.7x on a 2-core machine). "Steady" counts the
  runs after the pilot over the time from the first batch to the last result; "end to
  end" is every run over the whole sweep's wall time (pool start and pilot included);
* **memory**: the peak resident memory (``ru_maxrss``) of the *coordinating* process of a
  100-run and of a 2,000-run sweep of ``scenarios/teaching.yaml`` with 2 workers, and their
  difference (target: within 50 MB). The workers are separate processes; the coordinator
  never runs the model.

Each sweep runs in a fresh subprocess (its own ``ru_maxrss``) into a temporary folder.
Run it when the machine is otherwise idle: it prints the load average before and after.
Usage::

    .venv/bin/python experiments/sweep_benchmark.py [--mali-runs 40] [--small 100] \\
        [--large 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

THROUGHPUT = """\
name: bench_mali
scenario: {scenario}
parameters:
  - {{path: politics.progress_rate, values: [0.01, 0.02]}}
design: {{method: grid}}
replications: {replications}
outcomes: [integrated_total, stall_months, longest_stall_months, rejoined_total]
series: {{variables: [political_progress, mean_trust, stock_integrated], every: 12}}
"""

MEMORY = """\
name: bench_teaching_{runs}
scenario: {scenario}
parameters:
  - {{path: groups.*.initial_trust, name: initial_trust, range: [0.1, 0.9]}}
  - {{path: politics.progress_rate, range: [0.0, 0.04]}}
design: {{method: lhs, samples: {points}, seed: 1}}
replications: 2
outcomes: [integrated_total, stall_months, longest_stall_months, rejoined_total, quota_end]
series: {{variables: [political_progress, mean_trust, stock_integrated, stall], every: 6}}
"""

SWEEP = """
import json, resource, sys, time
t0 = time.perf_counter()
from ddr_sim.config.experiment import load_experiment
from ddr_sim.sweeps.coordinator import local_executor, run_sweep
experiment = load_experiment({path!r})
with local_executor({workers}) as executor:
    report = run_sweep(experiment, {out!r}, executor, {workers}, progress=False,
                       echo=lambda line: None)
wall = time.perf_counter() - t0
print(json.dumps({{"ran": report.ran, "pilot": report.pilot_runs, "failed": report.failed,
    "run_seconds": report.run_seconds, "wall": wall,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _sweep(path: Path, out: Path, workers: int) -> dict:
    code = SWEEP.format(path=str(path), out=str(out), workers=workers)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["failed"]:
        raise RuntimeError(f"{result['failed']} runs failed in {out}")
    return result


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mali-runs", type=int, default=40, help="runs per throughput sweep")
    parser.add_argument("--small", type=int, default=100, help="runs of the small sweep")
    parser.add_argument("--large", type=int, default=2000, help="runs of the large sweep")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores; load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="sweep_bench_") as tmp:
        folder = Path(tmp)
        if not args.skip_throughput:
            mali = ROOT / "scenarios" / "mali_2013_2023.yaml"
            path = _write(
                folder,
                "mali",
                THROUGHPUT.format(scenario=mali, replications=max(1, args.mali_runs // 2)),
            )
            rates = {}
            for workers in (1, 2):
                r = _sweep(path, folder / f"mali_{workers}", workers)
                steady = (r["ran"] - r["pilot"]) / r["run_seconds"] * 60
                end_to_end = r["ran"] / r["wall"] * 60
                rates[workers] = (steady, end_to_end)
                print(
                    f"throughput, {workers} worker(s): {r['ran']} full-scale Mali runs; steady "
                    f"{steady:.1f} runs/min, end to end {end_to_end:.1f} runs/min "
                    f"(wall {r['wall']:.1f} s)"
                )
            print(
                f"speed-up 2 vs 1 workers: steady {rates[2][0] / rates[1][0]:.2f}x, "
                f"end to end {rates[2][1] / rates[1][1]:.2f}x (target >= 1.7x)"
            )
        if not args.skip_memory:
            teaching = ROOT / "scenarios" / "teaching.yaml"
            peaks = {}
            for runs in (args.small, args.large):
                path = _write(
                    folder,
                    f"teaching_{runs}",
                    MEMORY.format(scenario=teaching, runs=runs, points=max(1, runs // 2)),
                )
                r = _sweep(path, folder / f"teaching_{runs}", 2)
                peaks[runs] = r["peak_rss_mb"]
                print(
                    f"memory, {r['ran']}-run teaching sweep, 2 workers: coordinator peak RSS "
                    f"{r['peak_rss_mb']:.1f} MB (wall {r['wall']:.1f} s)"
                )
            diff = peaks[args.large] - peaks[args.small]
            print(
                f"coordinator peak RSS difference {args.large} vs {args.small} runs: "
                f"{diff:+.1f} MB (target: within 50 MB)"
            )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
