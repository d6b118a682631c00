"""The Markdown report of a comparison (``report.md``)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddr_sim.config.calendar import month_label
from ddr_sim.config.loading import scenario_hash
from ddr_sim.config.policies import BASELINE
from ddr_sim.studies.compare_stats import (
    END,
    MEASURES,
    RANKING,
    RANKING_TEXT,
    _baseline_stat,
    _cost_per_exit,
    _stat,
    interval,
    net_exits,
)
from ddr_sim.studies.compare_why import why_section

if TYPE_CHECKING:
    from ddr_sim.studies.compare import Comparison

REPORT_FILE = "report.md"
DIFFERENCES_FILE = "differences.csv"
SUMMARIES_FILE = "summaries.parquet"
POLICIES_FILE = "policies.resolved.yaml"
ERRORS_FILE = "errors.txt"
HEADLINE_FILE = "headline.parquet"
#: Name prefix of the figures of each variant against the baseline over time.
OVER_TIME = "over_time_"


def report(comparison: Comparison, figures: Sequence[Path] = ()) -> str:
    """The Markdown report of a comparison."""
    c = comparison
    order = [n for n in c.stats["policy"].unique()] if not c.stats.empty else []
    lines: list[str] = []
    add = lines.append
    _header(c, add)
    _guide(c, add)
    _horizon_tables(c, add, order, figures)
    _per_dollar(c, add, order)
    _ranking_section(c, add)
    why_section(c, add, _label)
    _over_time_section(c, add, figures)
    _policies_section(c, add, order)
    _files_section(c, add, figures)
    return "\n".join(lines)


def _header(c: Comparison, add: Callable[[str], None]) -> None:
    p = c.prepared
    add(f"# Policy comparison: {p.baseline.name}")
    add("")
    if c.command_line:
        add(f"Command: `{c.command_line}`")
        add("")
    n_runs = len(c.summaries)
    add("| | |")
    add("|---|---|")
    if p.sources:
        files = ", ".join(f"`{path}`" for path in p.sources.values())
        add(f"| variants | scenario files {files} |")
    else:
        add(f"| policy file | `{os.fspath(p.policies.path)}` |")
    add(f"| baseline | `{p.baseline_source}` (scenario hash `{scenario_hash(p.baseline)[:16]}`) |")
    if p.shared_overrides:
        add(f"| overrides on every scenario | `{' '.join(p.shared_overrides)}` |")
    add(f"| seeds | {len(c.seeds)} ({_seed_text(c.seeds)}), the same for every policy |")
    add(
        f"| runs | {n_runs} finished, {len(c.errors)} failed; {c.ran} computed by this call, "
        f"{c.reused} found in `{c.store}` |"
    )
    add(
        f"| time | {c.seconds:,.0f} s wall ({c.jobs} worker{'s' if c.jobs != 1 else ''}; "
        f"{c.run_seconds / max(n_runs + len(c.errors), 1):.1f} s per run) |"
    )
    add(f"| started | {c.started} |")
    add("")
    if c.interrupted:
        add(
            "**Interrupted:** the comparison was stopped before every run finished; the "
            "tables use the seeds that finished for both the baseline and the policy."
        )
        add("")
    if c.errors:
        failed = ", ".join(f"{pol} seed {seed}" for pol, seed in sorted(c.errors))
        add(
            f"**Failed runs** (tracebacks in `{ERRORS_FILE}`; those seeds are left out of "
            f"the policy's comparison, all policies' when the baseline failed): {failed}."
        )
        add("")
    for note in p.notes:
        add(f"*Note:* {note}")
        add("")


def _over_time_section(c: Comparison, add: Callable[[str], None], figures: Sequence[Path]) -> None:
    drawn = [f for f in figures if f.name.startswith(OVER_TIME)]
    if not drawn:
        return
    add("## Over time")
    add("")
    add(
        "Each variant (colour) against the baseline (grey) month by month: median over "
        "seeds and 90 % band (5th to 95th percentile) of people integrated so far, serving "
        "in MOC patrols, defections so far, and the mean trust between the government and "
        f"the groups (`{HEADLINE_FILE}` holds the values of every run). Where the two "
        "coincide, only the variant's line shows: the lever has not acted yet."
    )
    add("")
    for figure in drawn:
        add(f"![{figure.stem}]({figure.name})")
        add("")


def _guide(c: Comparison, add: Callable[[str], None]) -> None:
    p = c.prepared
    year = p.final_year
    add("## How to read this")
    add("")
    add(
        "Every policy runs with the same seeds as the baseline (common random numbers): a run "
        "is a pure function of scenario and seed, so each policy is compared with the "
        "baseline seed by seed, and a policy identical to the baseline differs by exactly 0. "
        "A cell gives the **median paired difference** (policy - baseline) and, in brackets, "
        "its **90 % interval over seeds** (5th to 95th percentile of the per-seed "
        "differences): the spread of the effect across the simulated worlds, not a "
        "confidence interval of the median. '(interval contains 0)' marks a change that goes "
        "either way (or is nil) across seeds."
    )
    add("")
    add("Indicators:")
    add("")
    add(
        "- *integrated*, *reinserted*: people who entered integration / civilian "
        "reinsertion, cumulative;"
    )
    add(
        "- *stall months*: months with a programme open and no net exit of signatory-group "
        "members into integration or reinsertion;"
    )
    add(
        f"- *defections*: integrated people who went back to their group; by the interim "
        f"horizon all of them so far, at the end those of the final calendar year ({year}: "
        f"for Mali, the collapse after the mission's exit);"
    )
    add("- *clashes*: army-group clashes;")
    add(
        "- *cost*: programme cost in USD millions (`cost_total_usd`: CVR, sites, support in "
        "assembly areas, MOC salaries and support, registration, trainees' pay, "
        "integration and reinsertion unit costs, committee allowances; unit costs from the "
        "scenario, see docs/ODD.md section 8);"
    )
    add(
        "- *net exits* (ranking, effect per dollar): integrated + reinserted - all "
        "defections, by the end of the run."
    )
    add("")


def _horizon_tables(
    c: Comparison, add: Callable[[str], None], order: list[str], figures: Sequence[Path]
) -> None:
    p = c.prepared
    year = p.final_year
    for horizon in p.horizons:
        add(f"## Changes against the baseline {_horizon_label(horizon, c)}")
        add("")
        header = ["policy", *[m.title(horizon, year) for m in MEASURES]]
        add("| " + " | ".join(header) + " |")
        add("|" + "---|" * len(header))
        base_cells = ["**baseline (level)**"]
        for m in MEASURES:
            b = _baseline_stat(c, m.column(horizon, year))
            base_cells.append(
                "-"
                if b is None
                else f"{_fmt(b['median'], m.scale, False)} "
                f"[{_fmt(b['p05'], m.scale, False)}, {_fmt(b['p95'], m.scale, False)}]"
            )
        add("| " + " | ".join(base_cells) + " |")
        for name in order:
            cells = [_label(c, name)]
            for m in MEASURES:
                cells.append(_cell(_stat(c, name, horizon, m.key), m.scale))
            add("| " + " | ".join(cells) + " |")
        add("")
        figure = _figure_name(horizon)
        if any(f.name == figure for f in figures):
            add(f"![differences {_horizon_label(horizon, c)}]({figure})")
            add("")


def _per_dollar(c: Comparison, add: Callable[[str], None], order: list[str]) -> None:
    add("## Effect per dollar (by the end of the run)")
    add("")
    add(
        "Net exits per USD million: for each policy the median over seeds of its programme "
        "cost per net exit, and the incremental effect, mean change in net exits / mean "
        "change in cost, when the cost change is clear of zero (its 90 % interval excludes "
        "0). When a policy saves money the table says so instead."
    )
    add("")
    add(
        "| policy | change in net exits | change in cost (USD M) | cost per net exit (USD) "
        "| incremental effect |"
    )
    add("|---|---|---|---|---|")
    base_cost = _baseline_stat(c, "cost_total_usd")
    base_cpe = _baseline_stat(c, _cost_per_exit)
    base_exits = _baseline_stat(c, net_exits)
    if base_cost is not None and base_exits is not None:
        add(
            f"| **baseline (level)** | {_fmt(base_exits['median'], signed=False)} | "
            f"{_fmt(base_cost['median'], 1e-6, False)} | "
            f"{_fmt(base_cpe['median'], signed=False)} | |"
        )
    for name in order:
        exits = _stat(c, name, END, RANKING)
        cost = _stat(c, name, END, "cost_usd_m")
        cpe = interval(_cost_per_exit(c.summaries[c.summaries["policy"] == name]))
        add(
            f"| {_label(c, name)} | {_cell(exits)} | {_cell(cost, 1e-6)} | "
            f"{_fmt(cpe['median'], signed=False)} | {_incremental(exits, cost)} |"
        )
    add("")


def _ranking_section(c: Comparison, add: Callable[[str], None]) -> None:
    add("## Ranking")
    add("")
    add(
        f"Criterion: {RANKING_TEXT}. *Seeds better*: share of seeds in which the policy "
        "gives more net exits than the baseline."
    )
    add("")
    add(
        "| rank | policy | change in net exits | effect | seeds better | clashes (end) "
        "| cost (USD M, end) |"
    )
    add("|---|---|---|---|---|---|---|")
    for _, row in c.ranking.iterrows():
        name = row["policy"]
        clashes = _stat(c, name, END, "clashes")
        cost = _stat(c, name, END, "cost_usd_m")
        add(
            f"| {row['rank']} | {_label(c, name)} | {_cell(row)} | {row['effect']} | "
            f"{row['share_positive']:.0%} | {_cell(clashes)} | {_cell(cost, 1e-6)} |"
        )
    add("")
    for name, info in c.combined.items():
        chosen = ", ".join(_label(c, n) for n in info["policies"]) or "none"
        add(f"*{_label(c, name)}* combines: {chosen}.")
        if info["skipped"]:
            add(f" Skipped for conflicting overrides: {', '.join(info['skipped'])}.")
        if info["note"]:
            add(f" ({info['note']})")
        add("")


def _policies_section(c: Comparison, add: Callable[[str], None], order: list[str]) -> None:
    p = c.prepared
    year = p.final_year
    add("## Policies")
    add("")
    for policy in p.policies.spec.policies:
        add(f"### {policy.label} (`{policy.name}`)")
        add("")
        add(policy.stands_for.strip())
        add("")
        overrides = p.overrides.get(policy.name)
        if policy.combine_best is not None:
            info = c.combined.get(policy.name, {})
            chosen = ", ".join(info.get("policies", [])) or "none"
            add(f"Combines the {policy.combine_best} best policies: {chosen}.")
            if info.get("note"):
                add(f"*{info['note']}*")
            add("")
        if overrides:
            add("Overrides: " + ", ".join(f"`{o}`" for o in overrides))
            add("")
        if policy.name not in order:
            add("*No result* (no paired seed finished).")
            add("")
            continue
        horizons = p.horizons
        add("| indicator | " + " | ".join(_horizon_label(h, c) for h in horizons) + " |")
        add("|---|" + "---|" * len(horizons))
        for m in MEASURES:
            cells = [_cell(_stat(c, policy.name, h, m.key), m.scale) for h in horizons]
            label = (
                m.label if m.end_label is None else f"{m.label}; at the end: {m.title(END, year)}"
            )
            add(f"| {label} | " + " | ".join(cells) + " |")
        exits = _stat(c, policy.name, END, RANKING)
        add(
            "| net exits | " + " | ".join(_cell(exits) if h == END else "" for h in horizons) + " |"
        )
        add("")
        d = c.differences
        for h in horizons:
            mine = d[(d["policy"] == policy.name) & (d["horizon"] == h)]
            if len(mine) and (mine["difference"] == 0).all():
                add(
                    f"*No difference in any seed {_horizon_label(h, c)}: every indicator "
                    "equals the baseline's, seed by seed; up to then the lever has not acted "
                    "on anything these indicators record. The section Where the effect "
                    "stopped says why.*"
                )
                add("")


def _files_section(c: Comparison, add: Callable[[str], None], figures: Sequence[Path]) -> None:
    add("## Files")
    add("")
    add(
        f"`{DIFFERENCES_FILE}` (one row per policy, seed, horizon and indicator: baseline, "
        f"policy value, difference), `{SUMMARIES_FILE}` (every run's summary row, column "
        f"`policy`; indicators documented in `ddr_sim/runs/indicators.py`), `{POLICIES_FILE}` "
        "(the overrides of every policy, the combination included, and scenario hashes)"
        + (", " + ", ".join(f"`{f.name}`" for f in figures) if figures else "")
        + (f", `{ERRORS_FILE}`" if c.errors else "")
        + "."
    )
    add("")


def _fmt(value: float, scale: float = 1.0, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = value * scale
    if scale != 1.0:
        text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
    elif float(v).is_integer() or abs(v) >= 10:
        text = f"{v:+,.0f}" if signed else f"{v:,.0f}"
    else:
        text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
    if signed and text.lstrip("+-").replace("0", "").strip(".,") == "":
        return "0"
    return text


def _cell(stat: Any, scale: float = 1.0) -> str:
    if stat is None:
        return "-"
    text = f"{_fmt(stat['median'], scale)} [{_fmt(stat['p05'], scale)}, {_fmt(stat['p95'], scale)}]"
    if stat["contains_zero"]:
        text += " (interval contains 0)"
    return text


def _horizon_label(horizon: str, comparison: Comparison) -> str:
    if horizon == END:
        cal = comparison.prepared.baseline.calendar
        return f"by the end of the run ({month_label(cal.months - 1, cal.start)})"
    return f"by {horizon}"


def _label(comparison: Comparison, name: str) -> str:
    if name == BASELINE:
        return "baseline"
    for p in comparison.prepared.policies.spec.policies:
        if p.name == name:
            return p.label
    return name


def _incremental(exits, cost) -> str:
    if exits is None or cost is None:
        return "-"
    d_exits, d_cost = exits["mean"], cost["mean"] * 1e-6
    if cost["contains_zero"]:
        return "cost unchanged (interval contains 0)"
    if d_cost > 0:
        return f"{d_exits / d_cost:+,.1f} net exits per extra USD M"
    if d_exits >= 0:
        return f"saves USD {-d_cost:,.1f} M with {d_exits:+,.0f} net exits"
    return f"saves USD {-d_cost:,.1f} M, {d_exits / d_cost:,.1f} net exits lost per USD M saved"


def _seed_text(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def _figure_name(horizon: str) -> str:
    return f"differences_{horizon.replace('-', '_')}.png"
