"""The figures of a run over seeds, drawn beside its tables.

``RunResult.save(out, figures=draw_run_figures)`` writes the tables, then the figures of
:mod:`ddr_sim.analysis.run_plots` (with the observed points of the scenario's targets
file, when there is one), then the manifest listing them. The runner itself never draws:
it sits below the analysis layer.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ddr_sim.runs.runner import RunResult


def draw_run_figures(result: RunResult, out: Path) -> list[Path]:
    """Draw the run's figures into ``out``; the files written.

    When no seed finished nothing is drawn and figures of an earlier run in ``out`` are
    removed (they would no longer match the tables).
    """
    from ddr_sim.analysis.run_plots import save_plots  # matplotlib only when drawing
    from ddr_sim.config.targets import TargetsError, load_targets, targets_file_for

    if not result.completed_seeds:
        return remove_run_figures(result, out)
    targets = []
    found = targets_file_for(result.source) if result.source else None
    if found is not None:
        try:
            targets = load_targets(found).targets
        except TargetsError as err:
            warnings.warn(f"targets not drawn: {err}", stacklevel=2)
    return save_plots(
        out,
        counts=result.counts,
        series=result.series,
        group_series=result.group_series,
        flows=result.flows,
        events=result.events,
        groups=result.groups,
        title=result.scenario.name,
        targets=targets,
    )


def remove_run_figures(result: RunResult, out: Path) -> list[Path]:
    """Remove figures of an earlier run from ``out`` (none drawn: they would not match)."""
    from ddr_sim.analysis.run_plots import FIGURES

    for name in FIGURES:
        (out / name).unlink(missing_ok=True)
    return []
