"""Regenerate the figures of the analysis section of docs/SWEEPS.md.

Runs the two shipped experiments (``experiments/trust_vs_progress.yaml``, 810 runs, and
``experiments/sensitivity.yaml``, 3,072 runs) with ``ddr-sim sweep`` when their sweep
folders are missing or unfinished (a finished sweep is not run again), analyses each with
``ddr-sim analyze``, and copies a few of the figures to ``docs/figures/`` (with a 256-colour
palette, to keep the repository small).

Usage::

    .venv/bin/python experiments/analysis_figures.py                 # sweeps in output/sweeps
    .venv/bin/python experiments/analysis_figures.py --sweeps /tmp/s --jobs 2

On 2 cores the sweeps take about 2 and 10-20 minutes, the analyses about a minute each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"

#: Per experiment: the figures of its analysis copied to docs/figures (as <experiment>_<name>).
SHOWN = {
    "trust_vs_progress": [
        "heatmap_initial_trust_progress_rate_share_stall.png",
        "prim_stall_box1_trajectory.png",
        "cart_class_stall.png",
        "trajectories.png",
    ],
    "sensitivity": [
        "feature_scores.png",
        "sobol.png",
        "sobol_convergence.png",
    ],
}


def ddr_sim(*words: str) -> None:
    """Run one ``ddr-sim`` command of this environment; stop the script if it fails."""
    exe = Path(sys.executable).parent / "ddr-sim"
    print("$ ddr-sim", " ".join(words), flush=True)
    done = subprocess.run([str(exe), *words])
    if done.returncode != 0:
        raise SystemExit(f"ddr-sim {words[0]} failed with status {done.returncode}")


def shrink(source: Path, target: Path) -> None:
    """Copy a PNG with a 256-colour palette (a third of the size, same look)."""
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Run the sweeps if needed, analyse them, copy the chosen figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sweeps",
        type=Path,
        default=ROOT / "output" / "sweeps",
        metavar="DIR",
        help="folder of the sweep folders (default output/sweeps)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="worker processes of the sweeps"
    )
    args = parser.parse_args(argv)
    FIGURES.mkdir(parents=True, exist_ok=True)
    for name, figures in SHOWN.items():
        sweep = args.sweeps / name
        # a finished sweep runs nothing; an unfinished one resumes
        ddr_sim(
            "sweep",
            str(ROOT / "experiments" / f"{name}.yaml"),
            "--out",
            str(sweep),
            "--workers",
            str(args.jobs),
            "--quiet",
        )
        ddr_sim("analyze", str(sweep))
        for figure in figures:
            target = FIGURES / f"{name}_{figure}"
            shrink(sweep / "analysis" / figure, target)
            print(f"  -> {target.relative_to(ROOT)} ({target.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
