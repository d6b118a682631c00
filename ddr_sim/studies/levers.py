"""The lever audit: does every policy lever move the calibrated scenario, the way ODD says?

For each lever of a lever file (:mod:`ddr_sim.config.levers`), the baseline and the
changed scenario run on the same seeds (common random numbers); for each indicator the
paired difference (lever minus baseline) is summarised by its median and 90 % interval over
seeds. A lever is

* ``dead`` when every seed's run is bit-identical to the baseline's (summary and counts);
* ``against`` when, on an indicator with a stated direction, the whole 90 % interval lies on
  the other side of zero;
* ``as stated`` when every stated direction is met by the median (and none is against);
* ``unclear`` otherwise (a median of zero or the other way, with an interval that
  includes zero).

``audit`` returns the table; ``markdown`` writes the page docs/LEVERS.md shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ddr_sim.config.levers import Lever, Levers, load_levers
from ddr_sim.runs.runner import RunResult, run

DEAD, AGAINST, AS_STATED, UNCLEAR = "dead", "against", "as stated", "unclear"
_IGNORED = ("scenario", "scenario_hash")


@dataclass
class LeverOutcome:
    """One lever's paired differences and verdict."""

    lever: Lever
    differences: pd.DataFrame  # one row per seed, one column per indicator
    identical: bool
    verdict: str
    checks: dict[str, str] = field(default_factory=dict)  # indicator -> verdict


def interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Median, 5th and 95th percentile of ``values`` (NaNs left out; NaN if none)."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    return (float(np.median(x)), float(np.quantile(x, 0.05)), float(np.quantile(x, 0.95)))


def direction_verdict(values: Sequence[float], expect: str) -> str:
    """``as stated``, ``against`` or ``unclear`` for paired differences and ``up``/``down``."""
    median, p05, p95 = interval(values)
    sign = 1.0 if expect == "up" else -1.0
    if np.isnan(median):
        return UNCLEAR
    if (sign > 0 and p95 < 0) or (sign < 0 and p05 > 0):
        return AGAINST
    return AS_STATED if median * sign > 0 else UNCLEAR


def same_runs(a: RunResult, b: RunResult) -> bool:
    """Bit-identical summaries and counts (the scenario's name and hash aside)."""
    sa = a.summary.drop(columns=[c for c in _IGNORED if c in a.summary])
    sb = b.summary.drop(columns=[c for c in _IGNORED if c in b.summary])
    if list(sa.columns) != list(sb.columns) or not sa.equals(sb):
        return False
    return a.counts.reset_index(drop=True).equals(b.counts.reset_index(drop=True))


def judge(lever: Lever, differences: pd.DataFrame, identical: bool) -> LeverOutcome:
    """The verdict of one lever from its paired differences."""
    checks = {
        name: direction_verdict(differences[name], expect) if name in differences else UNCLEAR
        for name, expect in lever.expect.items()
    }
    if identical:
        verdict = DEAD
    elif AGAINST in checks.values():
        verdict = AGAINST
    elif all(v == AS_STATED for v in checks.values()):
        verdict = AS_STATED
    else:
        verdict = UNCLEAR
    return LeverOutcome(lever, differences, identical, verdict, checks)


def _differences(base: RunResult, other: RunResult, indicators: Sequence[str]) -> pd.DataFrame:
    b = base.summary.set_index("seed")
    o = other.summary.set_index("seed").reindex(b.index)
    columns = [c for c in indicators if c in b and c in o]
    return pd.DataFrame(
        {
            c: pd.to_numeric(o[c], errors="coerce") - pd.to_numeric(b[c], errors="coerce")
            for c in columns
        },
        index=b.index,
    )


@dataclass
class Audit:
    """The baseline run and each lever's outcome."""

    levers: Levers
    seeds: list[int]
    baseline: RunResult
    outcomes: list[LeverOutcome]

    def table(self) -> pd.DataFrame:
        """Long table: lever, indicator, expected, median, p05, p95, check, verdict."""
        rows = []
        indicators = list(self.levers.spec.indicators)
        for out in self.outcomes:
            for name in dict.fromkeys(indicators + list(out.lever.expect)):
                if name not in out.differences:
                    continue
                median, p05, p95 = interval(out.differences[name])
                rows.append(
                    {
                        "lever": out.lever.name,
                        "indicator": name,
                        "expected": out.lever.expect.get(name, ""),
                        "median": median,
                        "p05": p05,
                        "p95": p95,
                        "check": out.checks.get(name, ""),
                        "verdict": out.verdict,
                    }
                )
        return pd.DataFrame(rows)


def audit(
    path: str | os.PathLike[str],
    seeds: int = 20,
    jobs: int = 1,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Audit:
    """Run the baseline and every lever (or those named in ``only``) on seeds 0..N-1."""
    levers = load_levers(path)
    chosen = [lv for lv in levers.spec.levers if only is None or lv.name in only]
    seed_list = list(range(seeds))
    say = progress or (lambda text: None)
    say(f"baseline: {levers.baseline_path.name}, seeds 0..{seeds - 1}")
    base = run(levers.baseline_path, seeds=seed_list, jobs=jobs)
    outcomes = []
    for k, lever in enumerate(chosen, 1):
        other = run(levers.baseline_path, seeds=seed_list, overrides=lever.overrides(), jobs=jobs)
        diffs = _differences(base, other, list(levers.spec.indicators) + list(lever.expect))
        outcome = judge(lever, diffs, same_runs(base, other))
        outcomes.append(outcome)
        say(f"[{k}/{len(chosen)}] {lever.name}: {outcome.verdict}")
    return Audit(levers, seed_list, base, outcomes)
