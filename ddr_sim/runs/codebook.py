"""The codebook of a run's summary, generated from :mod:`ddr_sim.runs.registry`.

Regenerate ``docs/OUTPUTS.md`` after changing the registry::

    .venv/bin/python -m ddr_sim.runs.codebook docs/OUTPUTS.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from ddr_sim.runs.indicator import Indicator
from ddr_sim.runs.registry import INDICATORS

INTRO = """\
# Run outputs: what each summary column means

Generated from `ddr_sim/runs/registry.py` by
`python -m ddr_sim.runs.codebook docs/OUTPUTS.md`; do not edit by hand.

`ddr-sim run` writes, beside the monthly tables (`counts`, `series`, `group_series`,
`flows` as Parquet; `groups.csv`, `events.csv`):

{files}

Conventions: month indices count from the scenario's `calendar.start` (month 0); dates
are `YYYY-MM`. Counts for a month are taken at the end of that month; flows "by" a date
include that month. In a name, `<group>`, `<region>` and `<coalition>` are the names in
lower case with `_` for anything else (`MAA-CMA` -> `maa_cma`), `<region_coalition>` is
`<region>_<coalition>` (a coalition whose name would read as another column, such as
`total`, `by` or a year, gets the prefix `coalition_`), `<yyyy_mm>` a checkpoint or
event date (`2020_06`), `<year>` a calendar year (partial years included). Checkpoint
dates default to 2018-03, 2018-11, 2020-06, 2020-12 and 2023-02 (`--checkpoints`);
columns of dates outside the calendar are left out. The summary is computed from the
saved tables alone (`ddr_sim.runs.summary_files.summary_from_folder` recomputes it from a
run folder).

**Defection.** The model's word is *rejoined*: an integrated person who rejoined their
group (defection). Columns keep the name `rejoined`.
"""


#: The summary files of a run folder and what each holds.
FILES: tuple[tuple[str, str], ...] = (
    ("`summary.csv`", "the **headline** columns below, one row per seed (dates as `YYYY-MM`)"),
    (
        "`summary_breakdowns.csv`",
        "every other column as a long table: `seed, column, indicator, by, key, value, "
        "unit` (`indicator` is the pattern below, `key` the part that varies, e.g. "
        "`kidal_cma` or `2020_06`)",
    ),
    (
        "`summary.parquet`",
        "every column, one row per seed (what `ddr_sim.runs.indicators.summarize` returns)",
    ),
    (
        "`indicators.csv`, `indicators.md`",
        "the table `ddr-sim run` prints: median and 5-95 % range over seeds of each "
        "headline column",
    ),
    (
        "`summary.xlsx`",
        "with `--xlsx`: the headline, breakdowns, indicator table and this codebook as sheets",
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(entries: list[Indicator], with_by: bool) -> list[str]:
    head = "| column | by | meaning | unit |" if with_by else "| column | meaning | unit |"
    lines = [head, "|---|---|---|---|" if with_by else "|---|---|---|"]
    for e in entries:
        cells = [f"`{e.pattern}`"] + ([e.by or "-"] if with_by else []) + [e.meaning, e.unit]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def codebook_markdown() -> str:
    """The text of ``docs/OUTPUTS.md``."""
    headline = [e for e in INDICATORS if e.headline]
    other = [e for e in INDICATORS if not e.headline]
    files = ["| file | content |", "|---|---|", *(f"| {f} | {c} |" for f, c in FILES)]
    lines = [
        INTRO.format(files="\n".join(files)),
        f"## Headline columns (`summary.csv`, {len(headline)} columns)",
        "",
        *_table(headline, with_by=False),
        "",
        "## Breakdowns and other columns (`summary_breakdowns.csv`, `summary.parquet`)",
        "",
        *_table(other, with_by=True),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the codebook to the path given (default: print it)."""
    args = sys.argv[1:] if argv is None else argv
    text = codebook_markdown()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
