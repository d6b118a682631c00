"""The steps of ``ddr-sim analyze`` (:mod:`ddr_sim.studies.sweep_analysis`), one per part
of the report: indices, importance, scenario discovery, heatmaps, trajectories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ddr_sim.analysis import discovery, importance, trees
from ddr_sim.analysis import heatmaps as hm
from ddr_sim.analysis import trajectories as tj
from ddr_sim.analysis.convergence import morris_convergence, sobol_convergence
from ddr_sim.analysis.results import (
    AnalysisError,
    class_label,
    class_membership,
    fmt,
    noise_share,
    parameter_frame,
    slug,
)
from ddr_sim.analysis.sensitivity import (
    index_text,
    index_warnings,
    morris_indices,
    reliability_notes,
    sobol_indices,
)

if TYPE_CHECKING:
    from ddr_sim.studies.sweep_analysis import Job

__all__ = ["box_label", "discover", "heatmaps", "indices", "scores_and_trees", "trajectories"]


def _plots() -> Any:
    from ddr_sim.analysis import (
        convergence_plots,
        discovery_plots,
        sweep_plots,
        trajectory_plots,
    )

    return convergence_plots, discovery_plots, sweep_plots, trajectory_plots


def indices(job: Job, chosen: list[str]) -> None:
    """Sobol or Morris indices per outcome, their warnings and their convergence."""
    results, method = job.results, job.results.method
    if method not in ("sobol", "morris"):
        job.say()
        job.say(f"(no Sobol/Morris indices: the design is {method}; see the feature scores)")
        return
    job.say()
    job.say(
        "Sobol indices (first order S1, total ST; ± half-width of the 95% interval)"
        if method == "sobol"
        else "Morris screening (mu* = mean |elementary effect|, ± half-width of the 95% "
        "interval; sigma = spread)"
    )
    tables, seconds, steps = [], [], []
    resamples = job.settings.num_resamples
    for name in chosen:
        try:
            if method == "sobol":
                table, second = sobol_indices(results, name, num_resamples=resamples)
                seconds += [second] if second is not None else []
                steps.append(sobol_convergence(results, name, num_resamples=resamples))
            else:
                table = morris_indices(results, name, num_resamples=resamples)
                steps.append(morris_convergence(results, name, num_resamples=resamples))
        except AnalysisError as err:
            job.say(f"  {err}")
            continue
        table["noise_share"] = noise_share(results, name)
        notes = reliability_notes(results, name)
        warned = index_warnings(table) if method == "sobol" else []
        table["reliable"] = not notes
        table["warnings"] = "; ".join(warned)
        tables.append(table)
        job.say(index_text(table, method, [*notes, *warned]))
    if not tables:
        return
    every = pd.concat(tables, ignore_index=True)
    job.table(method, every)
    if seconds:
        job.table("sobol_second_order", pd.concat(seconds, ignore_index=True))
    steps_table = pd.concat(steps, ignore_index=True)
    job.table(f"{method}_convergence", steps_table)
    _convergence_text(job, steps_table, method)
    conv, _, sweep_plots, _ = _plots()
    job.figure(method, lambda: sweep_plots.tornado(every, method, job.title))
    job.figure(
        f"{method}_convergence", lambda: conv.convergence_plot(steps_table, method, job.title)
    )


def _convergence_text(job: Job, table: pd.DataFrame, method: str) -> None:
    size, main, conf = (
        ("N", "ST", "ST_conf") if method == "sobol" else ("trajectories", "mu_star", "mu_star_conf")
    )
    job.say()
    job.say(f"convergence ({main} of the top parameter and the widest interval, by {size})")
    for outcome, part in table.groupby("outcome", sort=False):
        last = part[part[size] == part[size].max()]
        top = last.sort_values(main, ascending=False)["parameter"].iloc[0]
        line = part[part["parameter"] == top].sort_values(size)
        widths = part.groupby(size)[conf].max() * 2
        steps = ", ".join(
            f"{int(n)}: {v:.3g} (±{c:.2g})"
            for n, v, c in zip(line[size], line[main], line[conf], strict=True)
        )
        job.say(f"  {outcome}: {top} {steps}; widest interval at full size {widths.iloc[-1]:.2g}")


def scores_and_trees(job: Job, chosen: list[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Feature scores of every parameter, and a CART tree per outcome and class."""
    results = job.results
    scores = importance.feature_scores(results, chosen)
    job.table("feature_scores", scores, index=True)
    job.say()
    job.say("feature scores (extra trees; each column sums to 1; higher = more important)")
    for column in scores.columns:
        ranked = scores[column].dropna().sort_values(ascending=False)
        text = ", ".join(f"{p} {v:.2f}" for p, v in ranked.head(5).items())
        job.say(f"  {column}: {text or '(constant)'}")
    _, dplots, _, _ = _plots()
    job.figure("feature_scores", lambda: dplots.feature_score_plot(scores, job.title))
    job.say()
    job.say(f"CART trees (depth {job.settings.tree_depth}; leaves with the largest values)")
    class_trees, leaves = {}, []
    for target in [*chosen, *(f"class:{c}" for c in results.classes)]:
        if not np.nanstd(_target_values(job, target)):
            job.say(f"  CART {target}: constant; no tree")
            continue
        tree = trees.cart_tree(results, target, max_depth=job.settings.tree_depth)
        job.say(tree.text())
        leaves.append(tree.leaves.assign(target=target))
        if tree.classify:
            class_trees[target.removeprefix("class:")] = tree
        job.figure(
            f"cart_{slug(target)}", lambda t=tree: dplots.cart_plot(t, f"{job.title}: {t.target}")
        )
    if leaves:
        frame = pd.concat(leaves, ignore_index=True)
        job.table("cart_leaves", frame[["target", "leaf", "n", "value", "rule"]])
    return scores, class_trees


def _target_values(job: Job, target: str) -> np.ndarray:
    if target.startswith("class:"):
        return class_membership(job.results, target.removeprefix("class:")).to_numpy(float)
    return job.results.outcomes[target].to_numpy(float)


def box_label(box: discovery.PrimBoxSummary) -> str:
    """How a box is named on figures: later boxes say they were fitted on the rest."""
    name = "PRIM box 1"
    if box.number > 1:
        earlier = "box 1" if box.number == 2 else f"boxes 1-{box.number - 1}"
        name = f"PRIM box {box.number} (fitted on the runs outside {earlier})"
    return name if box.finding else f"{name}, below the density threshold"


def drawn_boxes(boxes: list[discovery.PrimBoxSummary]) -> list[tuple[str, pd.DataFrame, bool]]:
    """The boxes to draw on figures: those with a restriction, findings solid."""
    return [(box_label(b), b.limits, b.finding) for b in boxes if b.res_dim > 0]


def discover(
    job: Job, name: str, scores: pd.DataFrame, class_trees: dict[str, Any]
) -> list[discovery.PrimBoxSummary]:
    """PRIM boxes and regions of a class, with their figures; returns the boxes."""
    results, settings = job.results, job.settings
    label = class_label(results, name)
    member = class_membership(results, name)
    conditions = " and ".join(f"{k} {v}" for k, v in results.classes[name]["when"].items())
    job.say()
    job.say(
        f"class {name!r} ({label}: {conditions}): {int(member.sum()):,} of {len(member):,} "
        f"succeeded runs ({member.mean():.0%})"
    )
    if member.all() or not member.any():
        job.say("  PRIM needs runs both in and out of the class; skipped")
        return []
    boxes = discovery.prim_boxes(
        results, name, threshold=settings.prim_threshold, max_boxes=settings.max_boxes
    )
    rows = []
    _, dplots, sweep_plots, _ = _plots()
    for box in boxes:
        job.say(box.text())
        if box.res_dim == 0:
            continue
        for limit in box.limits.to_dict("records"):
            rows.append(
                {
                    "class": name,
                    "box": box.number,
                    "fitted_on": box.fitted_on,
                    "finding": box.finding,
                    "coverage": box.coverage,
                    "density": box.density,
                    "mass": box.mass,
                    **{
                        k: fmt(v) if isinstance(v, set | frozenset) else v for k, v in limit.items()
                    },
                }
            )
        job.figure(
            f"prim_{slug(name)}_box{box.number}_trajectory",
            lambda b=box: sweep_plots.prim_tradeoff(b, f"{label}: {box_label(b)}"),
        )
    columns = ["class", "box", "fitted_on", "finding", "coverage", "density", "mass"]
    job.table(f"prim_{slug(name)}", pd.DataFrame(rows, columns=columns + discovery.LIMIT_COLUMNS))
    regions = [discovery.boxes_region(results, name, boxes)]
    if name in class_trees:
        regions.append(
            discovery.leaves_region(results, name, class_trees[name], settings.prim_threshold)
        )
    for region in filter(None, regions):
        job.say(region.text())
        for part in region.parts if region.kind == "CART leaves" else []:
            job.say(f"    {part}")
    _class_figures(job, name, label, member.to_numpy(bool), scores, boxes)
    return boxes


def _class_figures(
    job: Job,
    name: str,
    label: str,
    member: np.ndarray,
    scores: pd.DataFrame,
    found: list[discovery.PrimBoxSummary],
) -> None:
    """Parallel coordinates, scatter matrix, scatter with boxes, dimensional stacking."""
    results = job.results
    _, dplots, _, _ = _plots()
    x = parameter_frame(results)
    order = importance.top_parameters(scores[[f"class:{name}"]], len(results.parameter_names))
    numeric = [p for p in order if x[p].dtype != "category"]
    key = slug(name)
    job.figure(f"parallel_{key}", lambda: dplots.parallel_plot(x[order], member, label))
    top = numeric[: job.settings.top]
    log = frozenset(p for p in top if results.parameter(p).get("scale") == "log")
    if len(top) >= 2:
        job.figure(
            f"scatter_matrix_{key}", lambda: dplots.scatter_matrix(x, member, top, label, log)
        )
    boxes = drawn_boxes(found)
    if results.method != "grid" and len(top) >= 2:
        axes = (top[0] in log, top[1] in log)
        job.figure(
            f"scatter_{key}",
            lambda: dplots.class_scatter(x, member, top[0], top[1], label, boxes, axes),
        )
    if results.method == "grid" and len(order) >= 2:
        table = hm.stacked_table(results, name, order)
        job.table(f"stacking_{key}", table, index=True)
        job.figure(
            f"stacking_{key}",
            lambda: dplots.stacking_plot(table, f"{job.title}: share of runs: {label}"),
        )


def _heatmap_specs(job: Job, scores: pd.DataFrame) -> list[dict[str, Any]]:
    results = job.results
    given = results.manifest.get("experiment", {}).get("heatmaps") or []
    if given:
        return [dict(h) for h in given]
    names = results.parameter_names
    if len(names) < 2:
        return []
    x, y = names[:2] if results.method == "grid" else importance.top_parameters(scores, 2)
    specs: list[dict[str, Any]] = [{"x": x, "y": y, "class": c} for c in results.classes]
    if results.method == "grid":
        specs += [{"x": x, "y": y, "outcome": o} for o in results.outcome_names]
    return specs


def heatmaps(
    job: Job, boxes: dict[str, list[discovery.PrimBoxSummary]], scores: pd.DataFrame
) -> None:
    """Heatmaps of the experiment (or defaults), with the class's PRIM boxes drawn."""
    results = job.results
    specs = _heatmap_specs(job, scores)
    if specs:
        job.say()
        job.say("heatmaps")
    if specs and results.method != "grid":
        job.say(
            f"  ({hm.bins_for(int(results.manifest['points']))} bins per axis, about "
            f"{hm.POINTS_PER_CELL} design points per cell)"
        )
    _, _, sweep_plots, _ = _plots()
    for spec in specs:
        class_name = spec.get("class") or spec.get("class_")
        outcome, statistic = spec.get("outcome"), spec.get("statistic") or "median"
        try:
            values, counts = hm.heatmap_table(
                results,
                spec["x"],
                spec["y"],
                outcome=outcome,
                class_name=class_name,
                statistic=statistic,
            )
        except AnalysisError as err:
            job.say(f"  {err}")
            continue
        if class_name is not None:
            what = f"share of runs: {class_label(results, class_name)}"
            key = f"share_{slug(class_name)}"
            drawn = drawn_boxes(boxes.get(class_name, []))
        else:
            what, key, drawn = f"{statistic} {outcome}", f"{statistic}_{slug(outcome)}", []
        stem = f"heatmap_{slug(spec['x'])}_{slug(spec['y'])}_{key}"
        job.table(stem, values, index=True)
        job.say(f"  {what} over {spec['x']} x {spec['y']} -> {stem}.csv")
        bins = hm.bins_for(int(results.manifest["points"]))
        edges = tuple(
            hm.axis_edges(results, p, bins) if hm.is_binned(results.outcomes[p]) else None
            for p in (spec["x"], spec["y"])
        )
        job.figure(
            stem,
            lambda v=values, c=counts, s=spec, w=what, d=drawn, b=edges: sweep_plots.heatmap(
                v,
                c,
                x=s["x"],
                y=s["y"],
                title=f"{job.title}: {w}",
                share=s.get("class") is not None,
                boxes=d,
                edges=b,
            ),
        )


def trajectories(job: Job) -> None:
    """Envelopes of the kept series by class, and the months stalls begin."""
    results = job.results
    job.say()
    if not results.series_variables:
        job.say("(no trajectories: the experiment keeps no monthly series; add 'series:')")
        return
    series = results.series()
    envelopes = tj.envelopes(results, series)
    job.table("trajectories", envelopes)
    spacing = tj.kept_spacing(series)
    job.say(
        f"trajectories of {', '.join(results.series_variables)} by class "
        f"(kept every {spacing} months) -> trajectories.csv"
    )
    _, _, _, tplots = _plots()
    job.figure("trajectories", lambda: tplots.envelope_plot(envelopes, job.title))
    onsets = tj.stall_onsets(results, series)
    if onsets.empty:
        return
    job.table("stall_onsets", onsets)
    groups = tj.run_groups(results)
    job.say("  month the longest stall begins (median and 10-90 % of runs ever in stall):")
    for label, ids in groups.items():
        months = onsets[onsets["run_id"].isin(ids)]["onset_month"].dropna()
        if len(months):
            q = months.quantile([0.1, 0.5, 0.9]).to_numpy()
            job.say(f"    {label}: month {q[1]:.0f} ({q[0]:.0f}-{q[2]:.0f}), {len(months):,} runs")
    job.figure("stall_onsets", lambda: tplots.onset_plot(onsets, groups, spacing, job.title))
