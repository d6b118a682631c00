"""Run a scenario over seeds and save the tables, summary, manifest and plots.

>>> from ddr_sim.runs.runner import run
>>> result = run("scenarios/teaching.yaml", seeds=5)          # seeds 0..4
>>> result.summary[["seed", "integrated_total"]]               # doctest: +SKIP
>>> result.save("output/teaching")                             # doctest: +SKIP

The run for seed ``s`` is ``DDRModel(scenario, seed=s).run()``. Seeds run one after the
other (or, with ``jobs``, on worker processes); after each one only its tables are kept
(never per-person data). A seed that
raises does not stop the others: its traceback goes to ``RunResult.errors`` and the
result holds what finished.

Output directory (``RunResult.save``)
-------------------------------------
``counts.parquet``, ``series.parquet``, ``group_series.parquet``, ``flows.parquet``
    The tables of :mod:`ddr_sim.runs.tables`, all seeds (in ``counts`` and ``flows`` an
    absent row means 0).
``groups.csv``, ``events.csv``
    The groups of each seed (splinters included) and the scenario events.
``summary.csv``, ``summary_breakdowns.csv``, ``summary.parquet``, ``indicators.*``
    The headline summary (one row per seed), the breakdowns as a long table, every
    column in Parquet, and the indicator table printed by ``ddr-sim run`` as
    ``indicators.csv`` and ``indicators.md`` (:mod:`ddr_sim.runs.summary_files`;
    columns in ``docs/OUTPUTS.md``).
``scenario.resolved.yaml``
    The scenario with every default filled in (loads back to the same hash).
``manifest.json``
    Versions, the resolved scenario and its SHA-256, seeds, timestamps, command line.
``status_counts.png``, ``trust_progress.png``, ``cumulative_vs_targets.png``
    The figures, when ``save`` is given a function that draws them
    (:func:`ddr_sim.studies.run_figures.draw_run_figures`: the observed points come from
    the scenario's targets file, ``<name>.targets.yaml`` beside it or beside the scenario
    it extends).
``errors.txt``
    Only when a seed failed: each failed seed's traceback.

Each file is written under a temporary name and then renamed, so a file present is
complete.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import tomllib
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ddr_sim.config.files import atomic_write as _atomic_write
from ddr_sim.config.loading import (
    Problem,
    ScenarioError,
    load_scenario,
    resolved_yaml,
    scenario_hash,
)
from ddr_sim.config.scenario import Scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.runs.naming import checkpoints_in_calendar
from ddr_sim.runs.summary import summary_frame, summary_of_tables
from ddr_sim.runs.summary_files import write_summary_files
from ddr_sim.runs.tables import SEED_TABLES, combine, events_table, seed_tables

#: Distributions whose versions go into the manifest.
DEPENDENCIES = (
    "mesa",
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "pydantic",
    "pyyaml",
    "pyarrow",
    "tqdm",
)
DISTRIBUTION = "ddr-sim"
ERRORS_FILE = "errors.txt"
TRACEBACK_FILE = "traceback.txt"


def package_version() -> str:
    """The installed ``ddr-sim`` version, else the one in the source tree's pyproject.toml."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        if project.get("name") == DISTRIBUTION:
            return str(project["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    return "unknown"


def dependency_versions() -> dict[str, str | None]:
    """Installed versions of :data:`DEPENDENCIES` (None when not installed)."""
    versions: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
            manifest = self.manifest(command_line) | {"saved": _now(), "files": written}
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


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, got {seeds}")
        return list(range(seeds))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("no seeds given")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds repeat: {out}")
    return out


def _scenario(
    scenario_or_path: Scenario | str | os.PathLike[str], overrides: list[str]
) -> tuple[Scenario, str | None]:
    """Load a scenario file, or apply overrides to a Scenario through its resolved YAML."""
    if not isinstance(scenario_or_path, Scenario):
        source = os.fspath(scenario_or_path)
        return load_scenario(source, overrides), source
    if not overrides:
        return scenario_or_path, None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{scenario_or_path.name}.resolved.yaml"
        path.write_text(resolved_yaml(scenario_or_path), encoding="utf-8")
        try:
            return load_scenario(path, overrides), None
        except ScenarioError as err:  # name the scenario, not the temporary file
            shown = f"<scenario {scenario_or_path.name}, resolved>"
            raise ScenarioError(
                [
                    Problem(
                        shown if p.file == os.fspath(path) else p.file, p.line, p.path, p.message
                    )
                    for p in err.problems
                ]
            ) from None


def run(
    scenario_or_path: Scenario | str | os.PathLike[str],
    seeds: int | Iterable[int] = 1,
    overrides: list[str] | None = None,
    progress: bool = False,
    checkpoints: Iterable[str] | None = None,
    jobs: int = 1,
) -> RunResult:
    """Run a scenario for each seed and collect the tables.

    Parameters
    ----------
    scenario_or_path : Scenario or str or path-like
        A validated scenario, or a scenario file to load.
    seeds : int or iterable of int
        ``N`` runs seeds ``0..N-1``; a list runs exactly those seeds.
    overrides : list of str, optional
        ``path.to.key=value`` overrides (see ``ddr_sim.config.loading``).
    progress : bool
        Show a progress bar (only when there is more than one seed).
    checkpoints : iterable of str, optional
        ``YYYY-MM`` dates for the summary's checkpoint columns (default
        ``ddr_sim.runs.indicators.DEFAULT_CHECKPOINTS``).
    jobs : int
        Worker processes; 1 runs the seeds in this process. The tables do not depend on it.

    Returns
    -------
    RunResult
        The tables of the seeds that finished; failed seeds are in ``errors``.

    Raises
    ------
    ddr_sim.config.loading.ScenarioError
        The scenario file or an override is invalid.
    ValueError
        ``seeds`` is empty, repeats a seed or is below 1, or a checkpoint is not YYYY-MM.
    """
    started = _now()
    overrides = list(overrides or [])
    scenario, source = _scenario(scenario_or_path, overrides)
    seed_list = _seed_list(seeds)
    checkpoints = list(checkpoints) if checkpoints is not None else None
    kept = checkpoints_in_calendar(checkpoints, scenario.calendar.start, scenario.calendar.months)
    collected: dict[str, list[pd.DataFrame]] = {name: [] for name in SEED_TABLES}
    rows: list[dict] = []
    events = pd.DataFrame(columns=["month", "date", "type", "note"])
    errors: dict[int, str] = {}
    interrupted = False
    bar = tqdm(
        seed_list,
        desc=scenario.name,
        unit="seed",
        disable=not (progress and len(seed_list) > 1),
        file=sys.stderr,
    )
    for seed, outcome in zip(bar, _outcomes(scenario, seed_list, checkpoints, jobs), strict=False):
        if isinstance(outcome, KeyboardInterrupt):
            interrupted = True
            break
        if isinstance(outcome, str):  # one failed seed must not lose the others
            errors[seed] = outcome
            warnings.warn(f"seed {seed} failed: {outcome.strip().splitlines()[-1]}", stacklevel=2)
            continue
        tables, row, seed_events = outcome
        if not rows:
            events = seed_events
        for name, table in tables.items():
            collected[name].append(table)
        rows.append(row)
    bar.close()
    return RunResult(
        scenario=scenario,
        scenario_hash=scenario_hash(scenario),
        seeds=seed_list,
        **{name: combine(tables) for name, tables in collected.items()},
        events=events,
        summary=_summary(rows, scenario),
        errors=errors,
        interrupted=interrupted,
        started=started,
        finished=_now(),
        source=source,
        overrides=overrides,
        checkpoints=kept,
    )


def run_seed(
    scenario: Scenario, seed: int, checkpoints: list[str] | None
) -> tuple[dict[str, pd.DataFrame], dict, pd.DataFrame] | str:
    """One seed's tables, summary row and events; the traceback text if it raised."""
    try:
        model = DDRModel(scenario, seed=seed).run()
        tables = seed_tables(model, seed)
        return tables, summary_of_tables(tables, checkpoints), events_table(model)
    except Exception:
        return traceback.format_exc()


def _outcomes(
    scenario: Scenario, seeds: list[int], checkpoints: list[str] | None, jobs: int
) -> Iterator[Any]:
    """``run_seed`` for each seed in order, here or on ``jobs`` processes; a
    ``KeyboardInterrupt`` instance when interrupted."""
    try:
        if jobs <= 1 or len(seeds) == 1:
            for seed in seeds:
                yield run_seed(scenario, seed, checkpoints)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(min(jobs, len(seeds)), mp_context=context) as pool:
            futures = [pool.submit(run_seed, scenario, s, checkpoints) for s in seeds]
            try:
                for future in futures:
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()
    except KeyboardInterrupt as stop:
        yield stop


def _summary(rows: list[dict], scenario: Scenario) -> pd.DataFrame:
    """One row per seed; group columns missing in a seed (splinters) mean 0."""
    return summary_frame(rows, scenario.name, scenario_hash(scenario))
