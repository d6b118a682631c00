"""How long the dashboard takes to show a month: the model step plus the redraw.

For each scenario, steps a dashboard model month by month and after each month draws
what the Run tab shows (the frame with its indicators, and the four pictures as images),
as the page does after a Step. Prints the median, 90th percentile and slowest month, and
the share of that time spent stepping the model versus drawing. Targets: a month of the
Mali scenario in at most 0.3 s at the 90th percentile, of the teaching scenario in at
most 0.1 s. Then the same run on the Follow tab (a person followed from the start, their
picture drawn each month), and the time a pick takes at the end of the run (the months
so far replayed).

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

from ddr_sim.dashboard.life_picture import Life, LifePicture
from ddr_sim.dashboard.model import DashboardModel
from ddr_sim.dashboard.pictures import StatusPicture, TrustPicture, decimal_year
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


def time_follow(path: Path, months: int | None) -> tuple[np.ndarray, float]:
    """Seconds per month on the Follow tab (step, the person's month and their picture),
    and the seconds a new pick takes after the last month (the replay)."""
    model = DashboardModel(path)
    model.follow(0)
    picture = LifePicture()
    start = float(decimal_year(model.frame, 0))
    month_s = []
    while model.running and (months is None or len(month_s) < months):
        t0 = time.perf_counter()
        model.step()
        picture.image(Life(model.life, start, model.months))
        month_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    model.follow(1)
    return np.array(month_s), time.perf_counter() - t0


def report(name: str, target: float, months: int | None) -> bool:
    """Print the figures of one scenario; True when its target is met."""
    step_s, draw_s, cpu_s = time_months(SCENARIOS[name][0], months)
    total = step_s + draw_s
    median, p90, worst = np.median(total), np.quantile(total, 0.9), total.max()
    ok = p90 <= target
    print(
        f"{name}: {len(total)} months; a month takes median {1000 * median:.0f} ms "
        f"(step {1000 * np.median(step_s):.0f} ms + draw {1000 * np.median(draw_s):.0f} ms), "
        f"90th percentile {1000 * p90:.0f} ms, slowest {1000 * worst:.0f} ms "
        f"(a frame redrawn); target {1000 * target:.0f} ms at the 90th percentile: "
        f"{'met' if ok else 'MISSED'}; CPU time median {1000 * np.median(cpu_s):.0f} ms"
    )
    follow_s, pick_s = time_follow(SCENARIOS[name][0], months)
    print(
        f"{name}, Follow tab: a month takes median {1000 * np.median(follow_s):.0f} ms, "
        f"90th percentile {1000 * np.quantile(follow_s, 0.9):.0f} ms; a pick after "
        f"{len(follow_s)} months takes {1000 * pick_s:.0f} ms"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=None, help="months (default: all)")
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    failed = False
    for name, (_, target) in SCENARIOS.items():
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        failed |= not report(name, target, args.months)
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(15)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
