"""``ddr-sim report``: how close a scenario lands on its targets, over many seeds.

Runs the scenario for seeds ``0..N-1`` and writes, in ``--out``:

``report.md``
    The validation report: one row per target with the observed value, the band, the
    simulated median and 90 % interval, whether the median is in the band and the share
    of seeds in the band; the share of seeds meeting every band at once; the figures.
``patterns.csv``
    The same table as data.
``seeds.csv``
    Per seed: each target's simulated value and whether it is met.
``summary.csv``
    The full summary table of the seeds (:mod:`ddr_sim.runs.indicators`).
``cumulative_vs_targets.png``
    Simulated cumulative flows (median, 50 % and 90 % bands) against the observed points.
``trust_progress.png``
    Trust per group, political progress, pressure and presence, with the timeline events.
``patterns.png``
    Each target's distribution over seeds with its band and observed value.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ddr_sim.config.calendar import month_label
from ddr_sim.config.files import atomic_write
from ddr_sim.config.loading import load_scenario
from ddr_sim.config.targets import Evaluation, LoadedTargets, evaluate, load_targets
from ddr_sim.studies.calibration import checkpoints_for
from ddr_sim.studies.collapse_table import collapse_rows

FIGURES = ("cumulative_vs_targets.png", "trust_progress.png", "patterns.png")


@dataclass
class Report:
    """A finished report: the evaluation, the run and the files written."""

    evaluation: Evaluation
    targets: LoadedTargets
    summary: pd.DataFrame
    files: list[Path]
    seeds: int
    failed: dict[int, str]
    collapse: pd.DataFrame | None = None


def _number(value: float, month: bool, start: str, share: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if month:
        return month_label(int(round(value)), start)
    return f"{value:.2f}" if share else f"{value:,.0f}"


def pattern_rows(evaluation: Evaluation, targets: LoadedTargets, start: str) -> pd.DataFrame:
    """The report's table: readable values, one row per target."""
    rows = []
    by_name = {t.name: t for t in targets.targets}
    for r in evaluation.table.itertuples(index=False):
        t = by_name[r.name]
        month = t.in_months
        share = "share" in t.column

        def show(value: float, month: bool = month, share: bool = share) -> str:
            return _number(value, month, start, share)

        rows.append(
            {
                "pattern": r.pattern,
                "when": t.when,
                "observed": "see pattern" if t.observed is None else show(r.observed),
                "band": f"{show(r.low)} to {show(r.high)}",
                "simulated median": show(r.median),
                "90 % interval": f"{show(r.p05)} to {show(r.p95)}",
                "median in band": "yes" if r.median_met else "**no**",
                "seeds in band": f"{r.share_met:.0%}",
            }
        )
    return pd.DataFrame(rows)


def _markdown_table(table: pd.DataFrame) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def markdown(
    report: Report, scenario_name: str, start: str, command: str, failed: dict[int, str]
) -> str:
    """The text of ``report.md``."""
    ev = report.evaluation
    table = pattern_rows(ev, report.targets, start)
    missed = ev.table.loc[~ev.table["median_met"], "pattern"].tolist()
    n = len(ev.met)
    verdict = (
        "Every pattern's simulated median lies inside its band."
        if not missed
        else "Medians outside their bands: " + "; ".join(missed) + "."
    )
    lines = [
        f"# Validation report: {scenario_name}",
        "",
        f"Produced by `{command}`." if command else "",
        "",
        f"{n} seeds; targets from `{report.targets.source}`. A seed meets a pattern when its "
        "value lies in the band (bounds included); a missing value (the event never "
        "happens) is a miss.",
        "",
        _markdown_table(table),
        "",
        f"**Seeds meeting every band at once: {ev.joint_share:.0%}** "
        f"({int(ev.met.all(axis=1).sum())} of {n}).",
        "",
        verdict,
        "",
    ]
    if report.collapse is not None and len(report.collapse):
        lines += [
            "## Who rejoined their group in the last year, by where they served",
            "",
            "Integrated people serving in each region during the run's last year (those "
            "there at its start and those posted there during it), by their group's "
            "coalition, and those of them who rejoined their group during the year, counted "
            "where they served; median [90 % interval] over seeds, beside the record's "
            "patterns (`ddr_sim/runs/collapse.py`).",
            "",
            _markdown_table(report.collapse),
            "",
        ]
    lines += ["## Reasons for the bands", ""]
    for t in report.targets.targets:
        lines.append(f"- **{t.pattern}** ({t.source}; column `{t.column}`): {t.reason}")
    lines += ["", "## Figures", ""]
    titles = {
        "cumulative_vs_targets.png": "Simulated cumulative flows against the observed points",
        "trust_progress.png": "Trust, political progress and the timeline events",
        "patterns.png": "Each pattern over seeds, with its band",
    }
    for name in FIGURES:
        lines += [f"### {titles[name]}", "", f"![{titles[name]}]({name})", ""]
    if failed:
        lines += ["## Failed seeds", ""]
        lines += [f"- seed {s}: {text.strip().splitlines()[-1]}" for s, text in failed.items()]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def plot_patterns(
    evaluation: Evaluation, targets: LoadedTargets, start: str, path: Path, title: str
) -> Path:
    """One panel per target: the values over seeds, the band and the observed value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ddr_sim.analysis.run_plots import _save

    items = list(evaluation.table.itertuples(index=False))
    ncols = 4
    nrows = math.ceil(len(items) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(16, 3.2 * nrows))
    by_name = {t.name: t for t in targets.targets}
    for ax, r in zip(axes.flat, items, strict=False):
        values = evaluation.values[r.name].to_numpy(float)
        shown = values[~np.isnan(values)]
        low, high = r.low, r.high
        pad = max(1.0, 0.15 * max(high - low, abs(r.observed) * 0.3, 1.0))
        lo = min([low - pad, *(shown.tolist() or [low])])
        hi = max([high + pad, *(shown.tolist() or [high])])
        ax.axvspan(
            low - 0.5 if low == high else low,
            high + 0.5 if low == high else high,
            color="tab:green",
            alpha=0.2,
            label="band",
        )
        if len(shown):
            ax.hist(shown, bins=np.linspace(lo, hi, 25), color="tab:blue", alpha=0.8)
        ax.axvline(r.observed, color="black", lw=1.5, ls="--", label="observed")
        if not math.isnan(r.median):
            ax.axvline(r.median, color="tab:red", lw=1.5, label="median")
        missing = int(np.isnan(values).sum())
        note = f"; {missing} seeds none" if missing else ""
        ax.set_title(f"{r.name}\n{r.share_met:.0%} of seeds in band{note}", fontsize=9)
        if by_name[r.name].in_months:
            ticks = np.linspace(lo, hi, 4).round()
            ax.set_xticks(ticks, [month_label(int(v), start) for v in ticks], fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(items) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        f"{title}: each pattern over {len(evaluation.met)} seeds "
        f"(all at once: {evaluation.joint_share:.0%})",
        fontsize=12,
    )
    fig.tight_layout()
    return _save(fig, path)


def report(
    scenario_path: str | os.PathLike[str],
    targets_path: str | os.PathLike[str],
    seeds: int = 100,
    out: str | os.PathLike[str] = "output/report",
    jobs: int = 1,
    overrides: list[str] | None = None,
    command: str = "",
    progress: bool = False,
) -> Report:
    """Run the scenario for ``seeds`` seeds and write the validation report into ``out``.

    The runs go through the run engine into ``OUT/runs``: after an interruption the same
    call runs only the seeds missing there.

    Raises
    ------
    ddr_sim.config.loading.ScenarioError
        The scenario, an override or the targets file is invalid.
    """
    from ddr_sim.analysis.run_plots import plot_cumulative_vs_targets, plot_trust_progress
    from ddr_sim.runs.runner import RUNS_FOLDER, run

    scenario = load_scenario(scenario_path, overrides or [])
    targets = load_targets(targets_path, scenario.model_dump(mode="json"))
    out = Path(out)
    result = run(
        scenario,
        seeds=seeds,
        checkpoints=checkpoints_for(targets),
        jobs=jobs,
        progress=progress,
        store=out / RUNS_FOLDER,
    )
    if result.interrupted:
        raise KeyboardInterrupt
    start = scenario.calendar.start
    evaluation = evaluate(targets.targets, result.summary, start)
    out.mkdir(parents=True, exist_ok=True)
    collapse = collapse_rows(
        result.summary,
        [r.name for r in scenario.regions],
        sorted({g.coalition for g in scenario.groups}),
        targets.targets,
    )
    rep = Report(evaluation, targets, result.summary, [], seeds, result.errors, collapse)
    seeds_table = pd.concat(
        [evaluation.values.add_prefix("value_"), evaluation.met.add_prefix("met_")], axis=1
    )
    seeds_table.insert(0, "met_all", evaluation.met.all(axis=1))
    files = [
        atomic_write(out / "patterns.csv", evaluation.table.to_csv(index=False)),
        atomic_write(out / "seeds.csv", seeds_table.rename_axis("seed").to_csv()),
        atomic_write(out / "summary.csv", result.summary.to_csv(index=False)),
        plot_cumulative_vs_targets(
            result.flows, result.series, out / FIGURES[0], scenario.name, targets.targets
        ),
        plot_trust_progress(
            result.series,
            result.group_series,
            result.events,
            out / FIGURES[1],
            scenario.name,
            result.groups,
        ),
        plot_patterns(evaluation, targets, start, out / FIGURES[2], scenario.name),
    ]
    text = markdown(rep, scenario.name, start, command, result.errors)
    files.append(atomic_write(out / "report.md", text))
    rep.files = files
    return rep
