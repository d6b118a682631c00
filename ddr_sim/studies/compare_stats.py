"""The statistics of a comparison: indicators at a horizon, paired differences, ranking.

Every variant runs with the baseline's seeds (common random numbers), so each indicator
is compared seed by seed: the difference variant - baseline per seed, then its median and
90 % interval (5th to 95th percentile) over seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ddr_sim.config.policies import BASELINE

if TYPE_CHECKING:
    import pandas as pd

END = "end"


@dataclass(frozen=True)
class Measure:
    """One indicator of the report, read from the summary at a horizon.

    Attributes
    ----------
    key : str
        Short name (``differences.csv`` column ``measure``).
    label : str
        Label in the report.
    end : str
        Summary column at the end of the run (``{year}``: the final calendar year).
    at : str
        Summary column at the interim horizon (``{date}``: the horizon as ``yyyy_mm``).
    scale : float
        Multiplier for display (cost in USD millions).
    unit : str
        Unit shown in the report.
    better : int
        +1 when more is better, -1 when less is better, 0 when neither.
    end_label : str or None
        Label at the end of the run when it differs (``{year}``: the final calendar year).
    """

    key: str
    label: str
    end: str
    at: str
    scale: float = 1.0
    unit: str = "people"
    better: int = 1
    end_label: str | None = None

    def column(self, horizon: str, year: int) -> str:
        if horizon == END:
            return self.end.format(year=year)
        return self.at.format(date=horizon.replace("-", "_"))

    def title(self, horizon: str, year: int) -> str:
        if horizon == END and self.end_label:
            return self.end_label.format(year=year)
        return self.label


MEASURES: tuple[Measure, ...] = (
    Measure("integrated", "integrated (cumulative)", "integrated_total", "integrated_by_{date}"),
    Measure("reinserted", "reinserted (cumulative)", "reinserted_total", "reinserted_by_{date}"),
    Measure(
        "stall_months",
        "stall months",
        "stall_months",
        "stall_months_by_{date}",
        unit="months",
        better=-1,
    ),
    Measure(
        "defections",
        "defections (cumulative)",
        "rejoined_{year}",
        "rejoined_by_{date}",
        better=-1,
        end_label="defections in {year} (final collapse)",
    ),
    Measure(
        "clashes",
        "army-group clashes",
        "clashes_total",
        "clashes_by_{date}",
        unit="clashes",
        better=-1,
    ),
    Measure(
        "cost_usd_m",
        "programme cost (USD M)",
        "cost_total_usd",
        "cost_total_usd_by_{date}",
        scale=1e-6,
        unit="USD M",
        better=0,
    ),
)

#: The ranking criterion (and the one ``combine_best`` picks by): net exits at the end.
RANKING = "net_exits"
RANKING_TEXT = (
    "the paired change in net exits by the end of the run (integrated + reinserted - all "
    "defections after integration): policies whose change is clear of zero upwards (90 % "
    "interval above 0) first, those clear of zero downwards last, the others in between; "
    "within each, by the median over seeds, then the mean; a policy with no effect in "
    "any seed after those it ties with"
)


def net_exits(summary: pd.DataFrame) -> pd.Series:
    """Integrated + reinserted - defections over the whole run, per summary row."""
    return summary["integrated_total"] + summary["reinserted_total"] - summary["rejoined_total"]


def summaries_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["policy", "seed"])
    table = table.sort_values(["policy", "seed"], kind="stable").reset_index(drop=True)
    for column in table.columns:  # text columns: missing values as None (for Parquet)
        if table[column].dtype == object:
            table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def paired(summaries: pd.DataFrame, policy: str, column: str | Callable) -> pd.DataFrame:
    """Baseline and policy values of one indicator, for the seeds both finished."""
    import pandas as pd

    def values(name: str) -> pd.Series:
        part = summaries[summaries["policy"] == name].set_index("seed")
        if callable(column):
            return column(part).astype(float)
        if column not in part.columns:
            return pd.Series(0.0, index=part.index)  # e.g. no defection column: none
        return pd.to_numeric(part[column], errors="coerce").fillna(0.0).astype(float)

    both = pd.concat({"baseline": values(BASELINE), "policy": values(policy)}, axis=1)
    both = both.dropna()
    both["difference"] = both["policy"] - both["baseline"]
    return both


def differences(
    summaries: pd.DataFrame, horizons: list[str], final_year: int, order: list[str]
) -> pd.DataFrame:
    """Paired differences: one row per policy, seed, horizon and measure."""
    import pandas as pd

    parts = []
    if summaries.empty:
        return pd.DataFrame(
            columns=[
                "policy",
                "seed",
                "horizon",
                "measure",
                "indicator",
                "baseline",
                "policy_value",
                "difference",
            ]
        )
    for policy in order:
        if policy == BASELINE:
            continue
        for horizon in horizons:
            for m in MEASURES:
                column = m.column(horizon, final_year)
                both = paired(summaries, policy, column)
                parts.append(_long(both, policy, horizon, m.key, column))
        parts.append(_long(paired(summaries, policy, net_exits), policy, END, RANKING, RANKING))
    table = pd.concat(parts, ignore_index=True)
    return table


def _long(values: pd.DataFrame, policy: str, horizon: str, measure: str, column: str):
    import pandas as pd

    return pd.DataFrame(
        {
            "policy": policy,
            "seed": values.index.astype(int),
            "horizon": horizon,
            "measure": measure,
            "indicator": column,
            "baseline": values["baseline"].to_numpy(),
            "policy_value": values["policy"].to_numpy(),
            "difference": values["difference"].to_numpy(),
        }
    )


def interval(values: Iterable[float]) -> dict[str, float]:
    """Median, 5th and 95th percentile, mean and count of ``values``."""
    import numpy as np

    v = np.asarray(list(values), float)
    if len(v) == 0:
        nan = float("nan")
        return {"median": nan, "p05": nan, "p95": nan, "mean": nan, "n": 0}
    return {
        "median": float(np.median(v)),
        "p05": float(np.quantile(v, 0.05)),
        "p95": float(np.quantile(v, 0.95)),
        "mean": float(v.mean()),
        "n": len(v),
    }


def contains_zero(p05: float, p95: float) -> bool:
    return p05 <= 0.0 <= p95


def stats(differences: pd.DataFrame) -> pd.DataFrame:
    """Median and 90 % interval of the differences per policy, horizon and measure."""
    import pandas as pd

    rows = []
    keys = ["policy", "horizon", "measure"]
    for (policy, horizon, measure), part in differences.groupby(keys, sort=False):
        d = interval(part["difference"])
        b = interval(part["baseline"])
        p = interval(part["policy_value"])
        rows.append(
            {
                "policy": policy,
                "horizon": horizon,
                "measure": measure,
                **d,
                "contains_zero": contains_zero(d["p05"], d["p95"]),
                "share_positive": float((part["difference"] > 0).mean()),
                "share_negative": float((part["difference"] < 0).mean()),
                "baseline_median": b["median"],
                "policy_median": p["median"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            *keys,
            "median",
            "p05",
            "p95",
            "mean",
            "n",
            "contains_zero",
            "share_positive",
            "share_negative",
            "baseline_median",
            "policy_median",
        ],
    )


#: How the ranking names a policy's effect on net exits, best first (``ranking``).
EFFECTS = ("more net exits", "unclear", "none in any seed", "fewer net exits")


def _effect(differences: pd.Series, stat: dict[str, float]) -> str:
    """The policy's effect on net exits: clear of zero either way, nil in every seed, or
    unclear (its 90 % interval contains zero)."""
    if stat["p05"] > 0:
        return EFFECTS[0]
    if stat["p95"] < 0:
        return EFFECTS[3]
    if (differences == 0).all():
        return EFFECTS[2]
    return EFFECTS[1]


def ranking(summaries: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Policies by the ranking criterion, best first.

    Policies whose net exits rise in 90 % of the seeds or more (interval clear of zero)
    come first, those whose net exits fall as clearly come last, and the others in
    between; within each, by median then mean change. A policy without effect in any
    seed comes after the others it ties with: it is never ranked above a policy that
    helps.
    """
    import pandas as pd

    rows = []
    for name in names:
        if summaries.empty or not (summaries["policy"] == name).any():
            continue
        both = paired(summaries, name, net_exits)
        if both.empty:
            continue
        stat = interval(both["difference"])
        effect = _effect(both["difference"], stat)
        rows.append(
            {
                "policy": name,
                **stat,
                "contains_zero": contains_zero(stat["p05"], stat["p95"]),
                "share_positive": float((both["difference"] > 0).mean()),
                "effect": effect,
                "_tier": {EFFECTS[0]: 0, EFFECTS[3]: 2}.get(effect, 1),
                "_nil": effect == EFFECTS[2],
            }
        )
    columns = ["policy", "median", "p05", "p95", "mean", "n", "contains_zero", "share_positive"]
    table = pd.DataFrame(rows, columns=[*columns, "effect", "_tier", "_nil"])
    table = table.sort_values(
        ["_tier", "median", "mean", "_nil"], ascending=[True, False, False, True], kind="stable"
    ).drop(columns=["_tier", "_nil"])
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index(drop=True)


def _stat(comparison: Any, policy: str, horizon: str, measure: str):
    s = comparison.stats
    hit = s[(s["policy"] == policy) & (s["horizon"] == horizon) & (s["measure"] == measure)]
    return None if hit.empty else hit.iloc[0]


def _baseline_stat(comparison: Any, column: str | Callable) -> dict[str, float] | None:
    import pandas as pd

    part = comparison.summaries[comparison.summaries["policy"] == BASELINE]
    if part.empty:
        return None
    if callable(column):
        values = column(part)
    elif column in part.columns:
        values = pd.to_numeric(part[column], errors="coerce").fillna(0.0)
    else:
        values = pd.Series(0.0, index=part.index)
    return interval(values)


def _cost_per_exit(summary: pd.DataFrame):
    exits = net_exits(summary).astype(float)
    return (summary["cost_total_usd"] / exits.where(exits > 0)).dropna()
