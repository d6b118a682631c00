"""The result of a run over seeds (:class:`RunResult`) and how it is saved.

See :mod:`ddr_sim.runs.runner` for the files of an output directory.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ddr_sim.config.files import atomic_write as _atomic_write
from ddr_sim.config.loading import resolved_yaml
from ddr_sim.config.scenario import Scenario
from ddr_sim.runs.provenance import (
    DISTRIBUTION,
    dependency_versions,
    package_version,
    utc_now,
)
from ddr_sim.runs.summary_files import write_summary_files

ERRORS_FILE = "errors.txt"
TRACEBACK_FILE = "traceback.txt"
#: Folder of finished runs inside an output directory (resumed by the same command).
RUNS_FOLDER = "runs"


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file."""
    return _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


@dataclass
class RunResult:
    """The tables of a run over seeds, with its scenario and provenance.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario that ran.
    scenario_hash : str
        Its SHA-256 (``ddr_sim.config.loading.scenario_hash``).
    seeds : list of int
        The seeds asked for.
    counts, series, group_series, flows, groups, events, summary : pandas.DataFrame
        The tables of :mod:`ddr_sim.runs.tables` over the seeds that finished, and the
        summary (one row per finished seed, see :mod:`ddr_sim.runs.indicators`).
    errors : dict of int to str
        Traceback of each seed that raised.
    interrupted : bool
        The run was stopped (Ctrl-C) before every seed ran.
    started, finished : str
        UTC timestamps (ISO 8601).
    source : str or None
        The scenario file, when run from one.
    overrides : list of str
        The ``--set`` overrides applied to it.
    checkpoints : list of str
        The checkpoint dates of the summary that lie in the calendar.
    """

    scenario: Scenario
    scenario_hash: str
    seeds: list[int]
    counts: pd.DataFrame
    series: pd.DataFrame
    group_series: pd.DataFrame
    flows: pd.DataFrame
    groups: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    errors: dict[int, str] = field(default_factory=dict)
    interrupted: bool = False
    started: str = ""
    finished: str = ""
    source: str | None = None
    overrides: list[str] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)

    @property
    def completed_seeds(self) -> list[int]:
        """Seeds that finished, in run order."""
        return [] if self.summary.empty else [int(s) for s in self.summary["seed"]]

    @property
    def ok(self) -> bool:
        """Every requested seed finished."""
        return (
            not self.errors
            and not self.interrupted
            and len(self.completed_seeds) == len(self.seeds)
        )

    def manifest(self, command_line: str | None = None) -> dict:
        """Provenance of the run as a JSON-ready dict (what ``manifest.json`` holds)."""
        return {
            "package": DISTRIBUTION,
            "package_version": package_version(),
            "python_version": platform.python_version(),
            "python": sys.version,
            "platform": platform.platform(),
            "dependencies": dependency_versions(),
            "scenario_name": self.scenario.name,
            "scenario_source": self.source,
            "overrides": list(self.overrides),
            "scenario_hash": self.scenario_hash,
            "scenario": self.scenario.model_dump(mode="json"),
            "seeds": list(self.seeds),
            "seeds_completed": self.completed_seeds,
            "seeds_failed": sorted(self.errors),
            "interrupted": self.interrupted,
            "status": "complete" if self.ok else "partial",
            "checkpoints": list(self.checkpoints),
            "started": self.started,
            "finished": self.finished,
            "command_line": command_line,
            "notes": {
                "counts": "rows with count 0 are left out: an absent row means 0",
                "flows": "rows with count 0 are left out: an absent row means 0",
                "month": "month index from calendar.start (month 0); date is YYYY-MM",
            },
        }

    def save(
        self,
        out_dir: str | os.PathLike[str],
        command_line: str | None = None,
        figures: Callable[[RunResult, Path], list[Path]] | None = None,
        xlsx: bool = False,
    ) -> Path:
        """Write every output file into ``out_dir`` (created if needed).

        Data files are written first, then the figures, then ``manifest.json`` (which
        records the files written). Stale ``errors.txt``/``traceback.txt`` from an earlier
        run in the same directory are removed.

        Parameters
        ----------
        out_dir : str or path-like
            Output directory.
        command_line : str, optional
            The command that produced the run, recorded in the manifest.
        figures : callable, optional
            ``figures(result, out)`` draws the figures into ``out`` and returns the files
            written (e.g. :func:`ddr_sim.studies.run_figures.draw_run_figures`); none are
            drawn without it.
        xlsx : bool
            Also write ``summary.xlsx`` (needs openpyxl).

        Returns
        -------
        pathlib.Path
            The output directory.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for stale in (ERRORS_FILE, TRACEBACK_FILE):
            (out / stale).unlink(missing_ok=True)
        written: list[str] = []

        def parquet(name: str, table: pd.DataFrame) -> None:
            _atomic_write(
                out / name, lambda tmp: table.to_parquet(tmp, engine="pyarrow", index=False)
            )
            written.append(name)

        def csv(name: str, table: pd.DataFrame) -> None:
            _atomic_write(out / name, lambda tmp: table.to_csv(tmp, index=False))
            written.append(name)

        def text(name: str, content: str) -> None:
            write_text(out / name, content)
            written.append(name)

        if self.errors or self.interrupted:
            text(ERRORS_FILE, self.error_report())
        for name in ("counts", "series", "group_series", "flows"):
            parquet(f"{name}.parquet", getattr(self, name))
        csv("groups.csv", self.groups)
        csv("events.csv", self.events)
        written += write_summary_files(out, self.summary, self.scenario.name, xlsx)
        text("scenario.resolved.yaml", resolved_yaml(self.scenario))
        try:
            if figures is not None:
                written.extend(path.name for path in figures(self, out))
        finally:
            manifest = self.manifest(command_line) | {"saved": utc_now("seconds"), "files": written}
            text("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        return out

    def error_report(self) -> str:
        """Text of ``errors.txt``: each failed seed's traceback, and any interruption."""
        parts = [f"--- seed {seed} ---\n{tb}" for seed, tb in sorted(self.errors.items())]
        if self.interrupted:
            parts.append(
                f"--- interrupted ---\nstopped after seeds {self.completed_seeds} of {self.seeds}\n"
            )
        return "\n".join(parts)
