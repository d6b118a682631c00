"""How long the dashboard takes to show a month: the model step plus the redraw.

For each scenario, steps a dashboard model month by month and after each month draws
what the Run tab shows (the frame with its indicators, and the four pictures as images),
as the page does after a Step. Prints the median, 90th percentile and slowest month, and
the share of that time spent stepping the model versus drawing. Targets: a month of the
Mali scenario in at most 0.3 s, of the teaching scenario in at most 0.1 s.

    .venv/bin/python experiments/dashboard_benchmark.py            # both scenarios
    .venv/bin/python experiments/dashboard_benchmark.py --months 40 --profile

The machine is shared: the load average is printed with the figures, whose wall times
are noisy when it is high; the CPU time of a month (this process only) varies less.
The browser adds the transfer of the images and the page update on top
(tests/dashboard/test_dashboard_browser.py records that in test-output/).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

import numpy as np

from ddr_sim.dashboard.model import DashboardModel
from ddr_sim.dashboard.pictures import StatusPicture, TrustPicture
from ddr_sim.dashboard.regions import RegionsPicture, WherePicture

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {
    "mali": (ROOT / "scenarios" / "mali_2013_2023.yaml", 0.3),
    "teaching": (ROOT / "scenarios" / "teaching.yaml", 0.1),
}


def time_months(path: Path, months: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds per month: (model step + frame, drawing the four pictures, CPU time of
    both: what the month costs this process, whatever else the machine is doing)."""
    model = DashboardModel(path)
    pictures = (StatusPicture(), TrustPicture(), RegionsPicture(), WherePicture())
    for picture in pictures:
        picture.image(model.frame)  # the page as first opened
    step_s, draw_s, cpu_s = [], [], []
    while model.running and (months is None or len(step_s) < months):
        c0 = time.process_time()
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        for picture in pictures:
            picture.image(model.frame)
        t2 = time.perf_counter()
        cpu_s.append(time.process_time() - c0)
        step_s.append(t1 - t0)
        draw_s.append(t2 - t1)
    return np.array(step_s), np.array(draw_s), np.array(cpu_s)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=None, help="months (default: all)")
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    failed = False
    for name, (path, target) in SCENARIOS.items():
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        step_s, draw_s, cpu_s = time_months(path, args.months)
        if profile:
            profile.disable()
        total = step_s + draw_s
        median, p90, worst = np.median(total), np.quantile(total, 0.9), total.max()
        ok = median <= target
        failed |= not ok
        print(
            f"{name}: {len(total)} months; a month takes median {1000 * median:.0f} ms "
            f"(step {1000 * np.median(step_s):.0f} ms + draw {1000 * np.median(draw_s):.0f} ms), "
            f"90th percentile {1000 * p90:.0f} ms, slowest {1000 * worst:.0f} ms "
            f"(a frame redrawn); target {1000 * target:.0f} ms: {'met' if ok else 'MISSED'}; "
            f"CPU time median {1000 * np.median(cpu_s):.0f} ms"
        )
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(15)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
