"""``ddr-sim analyze``: every analysis of a finished sweep, written to one folder.

Reads the sweep folder's tables (:mod:`ddr_sim.analysis.results`), never the model, and
writes tables (CSV), figures (PNG) and ``report.txt`` (what is printed):

* indices: Sobol or Morris (sampled designs of that kind), with their warnings and their
  convergence against the sample size;
* importance, for any design: extra-trees feature scores and a small CART tree per
  outcome and per class;
* scenario discovery per class: sequential PRIM boxes with their peeling trajectories,
  the region made of the boxes and of the CART leaves where the class is frequent,
  parallel coordinates, a scatter matrix of the most important parameters, and (grids)
  dimensional stacking;
* heatmaps (or, for sampled designs, a scatter) with the PRIM boxes drawn on them;
* trajectories: envelopes of the kept monthly series by class, and when stalls begin.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.analysis import trees
from ddr_sim.analysis.results import (
    AnalysisError,
    SweepResults,
    check_outcome,
    load_results,
    write_csv,
)
from ddr_sim.studies import sweep_analysis_steps as parts
from ddr_sim.sweeps.store import SUCCEEDED

__all__ = ["AnalysisError", "Settings", "analyze"]


@dataclass
class Settings:
    """What ``ddr-sim analyze`` can be told.

    Attributes
    ----------
    outcomes : list of str or None
        Outcomes for indices, scores and trees (default: all the sweep kept).
    plots : bool
        Draw the figures.
    prim_threshold : float
        Density a PRIM box should reach to be a finding (also the class share of the CART
        leaves that make a region).
    max_boxes : int
        PRIM boxes per class at most.
    num_resamples : int
        Bootstrap resamples of the SALib confidence intervals.
    tree_depth : int
        Levels of the CART trees.
    top : int
        Parameters in the scatter matrix (the highest feature scores).
    """

    outcomes: list[str] | None = None
    plots: bool = True
    prim_threshold: float = 0.8
    max_boxes: int = 2
    num_resamples: int = 100
    tree_depth: int = trees.MAX_DEPTH
    top: int = 4


@dataclass
class Job:
    """One analysis under way: the tables, where to write, what was written and said."""

    results: SweepResults
    out: Path
    settings: Settings
    echo: Callable[[str], Any]
    written: dict[str, Path] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.results.manifest["experiment_name"])

    def say(self, text: str = "") -> None:
        self.lines.append(text)
        self.echo(text)

    def table(self, name: str, frame: pd.DataFrame, index: bool = False) -> None:
        self.written[name] = write_csv(frame, self.out / f"{name}.csv", index=index)

    def figure(self, name: str, draw: Callable[[], Any]) -> None:
        """Draw and save a figure (when plots are on); a failure is reported, not fatal."""
        if not self.settings.plots:
            return
        from ddr_sim.analysis.sweep_plots import save

        try:
            fig = draw()
        except (ValueError, TypeError, KeyError, IndexError) as err:
            self.say(f"  (figure {name} not drawn: {type(err).__name__}: {err})")
            return
        self.written[f"{name}_plot"] = save(fig, self.out / f"{name}.png")


def analyze(
    sweep_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
    echo: Callable[[str], Any] = print,
) -> dict[str, Path]:
    """Analyse a sweep folder and write tables, figures and ``report.txt`` to ``out``.

    Parameters
    ----------
    sweep_dir : str or path-like
        A folder written by ``ddr-sim sweep``.
    out : str or path-like, optional
        Output folder (default ``SWEEP_DIR/analysis``).
    settings : Settings, optional
        What to compute and draw (defaults: see :class:`Settings`).
    echo : callable
        Receives the report's lines as they are produced.

    Returns
    -------
    dict of str to pathlib.Path
        What was written, by name.

    Raises
    ------
    AnalysisError
        Not a sweep folder, no succeeded run, or an unknown outcome.
    """
    results = load_results(sweep_dir)
    out_dir = Path(out) if out is not None else results.root / "analysis"
    out_dir.mkdir(parents=True, exist_ok=True)
    job = Job(results, out_dir, settings or Settings(), echo)
    _header(job)
    chosen = job.settings.outcomes or results.outcome_names
    for name in chosen:
        check_outcome(results, name)
    parts.indices(job, chosen)
    scores, class_trees = parts.scores_and_trees(job, chosen)
    boxes = {name: parts.discover(job, name, scores, class_trees) for name in results.classes}
    parts.heatmaps(job, boxes, scores)
    parts.trajectories(job)
    path = out_dir / "report.txt"
    path.write_text("\n".join(job.lines) + "\n", encoding="utf-8")
    job.written["report"] = path
    return job.written


def _header(job: Job) -> None:
    results, m = job.results, job.results.manifest
    n_ok = int((results.index["status"] == SUCCEEDED).sum()) if len(results.index) else 0
    job.say(
        f"sweep {m['experiment_name']} ({results.method} design, {m['points']:,} points x "
        f"{m['replications']} replication(s) = {m['runs']:,} runs of {m['scenario_name']})"
    )
    job.say(
        f"runs recorded: {len(results.index):,} ({n_ok:,} succeeded, "
        f"{len(results.index) - n_ok:,} failed)"
    )
    if n_ok == 0:
        raise AnalysisError("no run succeeded; nothing to analyse")
    if len(results.index) < m["runs"]:
        job.say(f"note: the sweep is not finished ({m['runs'] - len(results.index):,} runs to go)")
