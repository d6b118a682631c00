"""Writing a comparison: report, tables, figures and the resolved variants."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ddr_sim.config.files import atomic_write as _atomic
from ddr_sim.config.loading import scenario_hash
from ddr_sim.studies.compare_plots import plot_differences, plot_over_time
from ddr_sim.studies.compare_report import (
    DIFFERENCES_FILE,
    ERRORS_FILE,
    HEADLINE_FILE,
    OVER_TIME,
    POLICIES_FILE,
    REPORT_FILE,
    SUMMARIES_FILE,
    report,
)

if TYPE_CHECKING:
    from ddr_sim.studies.compare import Comparison


def _text(path: Path, text: str) -> Path:
    return _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save(comparison: Comparison, out_dir: str | os.PathLike[str], plots: bool = True) -> list[Path]:
    """Write the report, tables and figures into ``out_dir``; return the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    (out / ERRORS_FILE).unlink(missing_ok=True)
    summaries = comparison.summaries
    written.append(
        _atomic(out / SUMMARIES_FILE, lambda tmp: summaries.to_parquet(tmp, index=False))
    )
    written.append(
        _atomic(out / DIFFERENCES_FILE, lambda tmp: comparison.differences.to_csv(tmp, index=False))
    )
    written.append(_text(out / POLICIES_FILE, _policies_yaml(comparison)))
    if comparison.errors:
        text = "\n".join(
            f"--- {policy}, seed {seed} ---\n{tb}"
            for (policy, seed), tb in sorted(comparison.errors.items())
        )
        written.append(_text(out / ERRORS_FILE, text))
    headline = comparison.headline
    if not headline.empty:
        written.append(
            _atomic(out / HEADLINE_FILE, lambda tmp: headline.to_parquet(tmp, index=False))
        )
    figures: list[Path] = []
    for old in [*out.glob("differences_*.png"), *out.glob(f"{OVER_TIME}*.png")]:
        old.unlink()
    if plots and not comparison.stats.empty:
        figures = plot_differences(comparison, out) + plot_over_time(comparison, headline, out)
        written.extend(figures)
    written.append(_text(out / REPORT_FILE, report(comparison, figures)))
    return written


def _policies_yaml(comparison: Comparison) -> str:
    prepared = comparison.prepared
    doc: dict[str, Any] = {
        "baseline": prepared.baseline_source,
        "baseline_hash": scenario_hash(prepared.baseline),
        "shared_overrides": prepared.shared_overrides,
        "policies": [],
    }
    for policy in prepared.policies.spec.policies:
        entry: dict[str, Any] = {"name": policy.name, "stands_for": policy.stands_for.strip()}
        if policy.name in prepared.sources:
            entry["file"] = prepared.sources[policy.name]
        if policy.combine_best is not None:
            info = comparison.combined.get(policy.name, {})
            entry["combine_best"] = policy.combine_best
            entry["combines"] = info.get("policies", [])
            if info.get("note"):
                entry["note"] = info["note"]
            entry["set"] = info.get("set", {})
        else:
            entry["set"] = dict(policy.set)
        if policy.name in prepared.scenarios:
            entry["scenario_hash"] = scenario_hash(prepared.scenarios[policy.name])
        doc["policies"].append(entry)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
