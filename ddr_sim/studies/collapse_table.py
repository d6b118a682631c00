"""The report's table of the final collapse: who rejoined their group in the run's last
year, by where they served and coalition, over seeds, beside the record's patterns.

Rows come from the columns of :mod:`ddr_sim.runs.collapse`: each region with each
coalition that served there, each region over all coalitions, each coalition over all
regions, and everyone. A row's record is the pattern of every target whose column is one
of the row's columns (its observed value and band).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ddr_sim.config.targets import Target
from ddr_sim.runs.naming import slug


def _last_year(summary: pd.DataFrame) -> str | None:
    years = [
        m.group(1) for c in summary.columns if (m := re.fullmatch(r"rejoined_share_(\d{4})", c))
    ]
    return years[0] if years else None


def _spread(values: pd.Series, share: bool) -> str:
    v = values.dropna().to_numpy(float)
    if not len(v):
        return "none"
    lo, mid, hi = np.percentile(v, [5, 50, 95])
    f = "{:.2f}" if share else "{:,.0f}"
    return f"{f.format(mid)} [{f.format(lo)}–{f.format(hi)}]"


def _value(x: float | str) -> str:
    return f"{x:g}" if isinstance(x, int | float) else str(x)


def _record(columns: Sequence[str], targets: Sequence[Target]) -> str:
    found = [t for t in targets if t.column in columns]
    parts = []
    for t in found:
        observed = "" if t.observed is None else f"observed {_value(t.observed)}; "
        parts.append(f"{t.pattern} ({observed}band {_value(t.band[0])}–{_value(t.band[1])})")
    return "; ".join(parts)


def collapse_rows(
    summary: pd.DataFrame,
    regions: Sequence[str],
    coalitions: Sequence[str],
    targets: Sequence[Target] = (),
) -> pd.DataFrame:
    """One row per place and coalition: served, rejoined and share (median [90 % interval])."""
    year = _last_year(summary)
    if year is None:
        return pd.DataFrame()
    regional = [slug(r) for r in regions if f"serving_{year}_in_{slug(r)}" in summary]
    summary = summary.assign(
        **{
            f"{kind}_{year}_everyone": sum(summary[f"{kind}_{year}_in_{r}"] for r in regional)
            for kind in ("serving", "rejoined")
        }
    )
    places = []  # (where, coalition, column key, share column if not rejoined_share_<key>)
    for region in regions:
        r = slug(region)
        places += [(region, c, f"{year}_in_{r}_{slug(c)}", None) for c in coalitions]
        places.append((region, "all", f"{year}_in_{r}", None))
    places += [("all", c, f"{year}_{slug(c)}", None) for c in coalitions]
    places.append(("all", "all", f"{year}_everyone", f"rejoined_share_{year}"))
    rows = []
    for where, coalition, key, share_column in places:
        serving, left = f"serving_{key}", f"rejoined_{key}"
        if serving not in summary or summary[serving].fillna(0).max() <= 0:
            continue
        share_column = share_column or f"rejoined_share_{key}"
        share = (
            summary[share_column]
            if share_column in summary
            else summary[left] / summary[serving].where(summary[serving] > 0)
        )
        rows.append(
            {
                "where served": where,
                "coalition": coalition,
                "serving": _spread(summary[serving], False),
                "rejoined": _spread(summary[left], False),
                "share rejoined": _spread(share, True),
                "record": _record([serving, left, share_column], targets),
            }
        )
    return pd.DataFrame(rows)
