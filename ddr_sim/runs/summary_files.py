"""The summary files of a run folder, the indicator table, and a summary recomputed from
the saved tables.

Files (:func:`write_summary_files`)
-----------------------------------
``summary.csv``
    The headline summary: one row per seed, the headline columns of
    :mod:`ddr_sim.runs.registry` (at most 30; dates as ``YYYY-MM``).
``summary_breakdowns.csv``
    Every other column as a long table (``seed, column, indicator, by, key, value,
    unit``): per group, region, coalition, year and checkpoint date.
``summary.parquet``
    Every column, one row per seed (what ``summarize`` returns; read by programs).
``indicators.csv``, ``indicators.md``
    The table the ``run`` command prints: median and 5-95 % range over seeds of each
    headline indicator, with its meaning and unit.
``summary.xlsx``
    Only when asked (needs openpyxl, the ``xlsx`` extra): the headline summary, the
    breakdowns, the indicator table and the codebook as sheets.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ddr_sim.config.calendar import month_label
from ddr_sim.config.files import atomic_write
from ddr_sim.runs.registry import (
    HEADLINE,
    INDICATORS,
    RUN_KEYS,
    breakdown_table,
    describe,
    headline_table,
)
from ddr_sim.runs.summary import summary_frame, summary_of_tables

INDICATOR_COLUMNS = ("indicator", "label", "median", "p05", "p95", "never", "unit")
WORKBOOK = "summary.xlsx"


def _date_quantiles(summary: pd.DataFrame, column: str) -> dict[str, object]:
    months = pd.to_numeric(summary[column.removesuffix("_date") + "_month"], errors="coerce")
    start = str(summary["start"].iloc[0])

    def label(q: float) -> str | None:
        value = months.quantile(q)
        return None if pd.isna(value) else month_label(int(round(value)), start)

    return {"median": label(0.5), "p05": label(0.05), "p95": label(0.95)}


def indicator_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95 % range over seeds of the headline indicators, with their texts.

    Dates (``*_date`` columns) are given as ``YYYY-MM`` (the quantiles of the month
    index); ``never`` counts the seeds where the indicator is empty (e.g. no integration).
    """
    rows = []
    for name in HEADLINE:
        if name in RUN_KEYS or name not in summary.columns:
            continue
        entry = describe(name)
        values = summary[name]
        row = {"indicator": name, "label": entry.label, "unit": entry.unit}
        if name.endswith("_date") and name.removesuffix("_date") + "_month" in summary:
            row.update(_date_quantiles(summary, name))
        else:
            numbers = pd.to_numeric(values, errors="coerce")
            row.update(
                median=numbers.median(), p05=numbers.quantile(0.05), p95=numbers.quantile(0.95)
            )
        row["never"] = int(values.isna().sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(float(value)) < 1 else f"{value:,.1f}"


def _span(low: object, high: object) -> str:
    low, high = _number(low), _number(high)
    return "-" if low == high == "-" else low if low == high else f"{low} - {high}"


def _cells(table: pd.DataFrame) -> list[list[str]]:
    return [
        [
            row["label"],
            _number(row["median"]),
            _span(row["p05"], row["p95"]),
            str(row["never"]) if row["never"] else "",
            row["unit"],
        ]
        for _, row in table.iterrows()
    ]


_HEAD = ["indicator", "median", "5%-95%", "never", "unit"]


def console_text(table: pd.DataFrame) -> str:
    """The indicator table as aligned text (what ``ddr-sim run`` prints)."""
    if table.empty:
        return "(no seed finished)"
    cells = _cells(table)
    widths = [max(len(r[i]) for r in [_HEAD, *cells]) for i in range(len(_HEAD))]

    def line(r: list[str]) -> str:
        return "  ".join(
            r[i].ljust(widths[i]) if i in (0, 4) else r[i].rjust(widths[i]) for i in range(5)
        ).rstrip()

    return "\n".join([line(_HEAD), *(line(r) for r in cells)])


def markdown_text(table: pd.DataFrame, title: str = "") -> str:
    """The indicator table as Markdown (``indicators.md``)."""
    lines = [f"# {title}", ""] if title else []
    lines += [
        "Median and 5-95 % range over seeds; *never*: seeds where it did not happen.",
        "",
        "| " + " | ".join([_HEAD[0], "column", *_HEAD[1:]]) + " |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, r in zip(table["indicator"], _cells(table), strict=True):
        lines.append("| " + " | ".join([r[0], f"`{name}`", *r[1:]]) + " |")
    return "\n".join(lines) + "\n"


def workbook_unavailable() -> str | None:
    """Why ``summary.xlsx`` cannot be written here (openpyxl missing), or None."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return "--xlsx needs openpyxl: pip install 'ddr-sim[xlsx]' (or pip install openpyxl)"
    return None


def write_workbook(path: str | os.PathLike[str], summary: pd.DataFrame) -> Path:
    """The summary tables as an Excel workbook (sheets headline, breakdowns, indicators,
    codebook); needs openpyxl (``pip install 'ddr-sim[xlsx]'``)."""
    missing = workbook_unavailable()
    if missing:
        raise RuntimeError(missing)
    codebook = pd.DataFrame(
        [(i.pattern, i.label, i.meaning, i.unit, i.headline) for i in INDICATORS],
        columns=["column", "label", "meaning", "unit", "headline"],
    )
    sheets = {
        "headline": headline_table(summary),
        "breakdowns": breakdown_table(summary),
        "indicators": indicator_table(summary),
        "codebook": codebook,
    }

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name, table in sheets.items():
                table.to_excel(book, sheet_name=name, index=False)

    return atomic_write(Path(path), write)


def write_summary_files(
    out: str | os.PathLike[str], summary: pd.DataFrame, title: str = "", xlsx: bool = False
) -> list[str]:
    """Write the summary files of the module docstring into ``out``; return their names."""
    out = Path(out)
    table = indicator_table(summary) if not summary.empty else pd.DataFrame()
    writers: dict[str, Callable[[Path], object]] = {
        "summary.csv": lambda tmp: headline_table(summary).to_csv(tmp, index=False),
        "summary_breakdowns.csv": lambda tmp: breakdown_table(summary).to_csv(tmp, index=False),
        "summary.parquet": lambda tmp: summary.to_parquet(tmp, engine="pyarrow", index=False),
        "indicators.csv": lambda tmp: table.to_csv(tmp, index=False),
        "indicators.md": lambda tmp: tmp.write_text(
            markdown_text(table, title) if not table.empty else "(no seed finished)\n",
            encoding="utf-8",
        ),
    }
    if summary.empty:  # keep the files a reader expects, with nothing in them
        writers["summary.csv"] = lambda tmp: summary.to_csv(tmp, index=False)
        writers["summary_breakdowns.csv"] = lambda tmp: summary.to_csv(tmp, index=False)
    for name, writer in writers.items():
        atomic_write(out / name, writer)
    names = list(writers)
    if xlsx:
        names.append(write_workbook(out / WORKBOOK, summary).name)
    return names


def summary_from_folder(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Recompute the full summary of a saved run from its tables alone.

    Reads ``counts, series, group_series, flows`` (Parquet), ``groups.csv`` and, from
    ``manifest.json``, the checkpoints, scenario name and hash. Equal to the saved
    ``summary.parquet`` of the same folder.
    """
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = {
        name: pd.read_parquet(folder / f"{name}.parquet")
        for name in ("counts", "series", "group_series", "flows")
    }
    tables["groups"] = pd.read_csv(folder / "groups.csv")
    rows = []
    for seed in manifest["seeds_completed"]:
        one = {name: table[table["seed"] == seed] for name, table in tables.items()}
        rows.append(summary_of_tables(one, manifest.get("checkpoints")))
    return summary_frame(rows, manifest["scenario_name"], manifest["scenario_hash"])
