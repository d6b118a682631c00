"""Every command ends a bad invocation with a one-line error and exit status 1 or 2.

A subset of the bad invocations of ``experiments/fuzz_cli.py`` (those that run no model),
run in this process with a time limit each; then the failures that need a run to finish
first (a full disk at the end of ``run``, ``compare``, ``calibrate``, ``report``,
``sweep``), simulated by making the writes raise ``ENOSPC``.
"""

from __future__ import annotations

import errno
import importlib.util
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ddr_sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
TIME_LIMIT = 30


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("fuzz_cli", ROOT / "experiments" / "fuzz_cli.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_cli"] = module
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz_module()


class TimeLimit(BaseException):
    """Raised by the alarm; a BaseException so no handler of the command swallows it."""


def _alarm(signum, frame):
    raise TimeLimit


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str]:
    """``main(argv)`` with a time limit: (exit status or None on a hang, output)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        status: int | None = main(argv)
    except TimeLimit:
        status = None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    fx = fuzz.make_fixtures(tmp_path_factory.mktemp("fuzz"), mounts=False, sweep=False)
    yield fx
    fuzz.release_fixtures(fx)


def _sample(per_command: int = 5) -> list[str]:
    """Names of a few quick cases of each command, spread over its list (no model runs,
    no server started)."""
    fx = fuzz.Fixtures(Path("/nonexistent"))
    quick = [
        c
        for c in fuzz.cases(fx)
        if c.quick
        and not c.needs
        and not (c.argv[0] == "dashboard" and "--port" not in c.argv)
        and "port in use" not in c.name
    ]
    names = []
    for command in fuzz.COMMANDS:
        mine = [c.name for c in quick if c.argv[0] == command]
        step = max(1, len(mine) // per_command)
        names.extend(mine[::step][:per_command])
    return names


SAMPLE = _sample()


def test_the_sample_covers_every_command() -> None:
    fx = fuzz.Fixtures(Path("/nonexistent"))
    by_name = {c.name: c for c in fuzz.cases(fx)}
    assert len(SAMPLE) >= 30
    assert {by_name[name].argv[0] for name in SAMPLE} == set(fuzz.COMMANDS)


@pytest.mark.parametrize("name", SAMPLE)
def test_a_bad_invocation_is_a_clean_error(
    name: str, fixtures, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fixtures.root)
    case = next(c for c in fuzz.cases(fixtures) if c.name == name)
    status, output = run_main(case.argv, capsys)
    assert fuzz.classify(status, output) == "clean", f"exit {status}: {output[-2000:]}"


@pytest.mark.parametrize(
    ("status", "output", "outcome"),
    [
        (2, "usage: ...\nddr-sim run: error: argument --seeds: must be at least 1", "clean"),
        (1, "error: cannot write the sweep: No space left on device", "clean"),
        (1, "Traceback (most recent call last):\n  File ...\nOSError: x", "traceback"),
        (1, "error: unexpected error: ValueError: x (traceback in /tmp/t.txt)", "unexpected"),
        (None, "", "hang"),
        (0, "OK teaching", "success"),
        (-9, "", "traceback"),
        (1, "", "traceback"),
    ],
)
def test_the_outcomes_are_told_apart(status, output, outcome) -> None:
    assert fuzz.classify(status, output) == outcome


# --------------------------------------------------------------------------------------------
# Full disk after the work is done


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "out/file")


def _one_error_line(output: str) -> str:
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


def test_run_on_a_full_disk_says_so_in_one_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("ddr_sim.runs.runner.RunResult.save", _no_space)
    argv = ["run", str(TEACHING), "--no-plots", "--out", str(tmp_path / "out")]
    status, output = run_main(argv, capsys)
    assert status == 1
    assert "No space left on device" in _one_error_line(output)


def test_compare_on_a_full_disk_after_its_runs_says_so(tmp_path, monkeypatch, capsys) -> None:
    policies = tmp_path / "policies.yaml"
    policies.write_text(
        f"baseline: {TEACHING}\npolicies:\n  - name: faster\n    stands_for: faster progress\n"
        "    set: {politics.progress_rate: 0.03}\n"
    )
    monkeypatch.setattr("ddr_sim.studies.compare.save", _no_space)
    argv = ["compare", str(policies), "--seeds", "1", "--jobs", "1", "--out", str(tmp_path / "o")]
    status, output = run_main(argv, capsys)
    assert status == 1
    assert "cannot save the comparison: out/file: No space left" in _one_error_line(output)


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["calibrate", "S", "--targets", "T", "--budget", "1"], "studies.calibration.calibrate"),
        (["report", "S", "--targets", "T", "--seeds", "1"], "studies.validation_report.report"),
        (["sweep", "E", "--jobs", "1"], "sweeps.coordinator.run_sweep"),
    ],
)
def test_a_study_on_a_full_disk_says_so_in_one_line(
    argv, target, tmp_path, monkeypatch, capsys
) -> None:
    files = {
        "S": str(ROOT / "scenarios" / "mali_2013_2023.yaml"),
        "T": str(ROOT / "scenarios" / "mali_2013_2023.targets.yaml"),
        "E": str(ROOT / "experiments" / "trust_vs_progress.yaml"),
    }
    monkeypatch.setattr(f"ddr_sim.{target}", _no_space)
    argv = [files.get(a, a) for a in argv] + ["--out", str(tmp_path / "out")]
    status, output = run_main(argv, capsys)
    assert status == 1
    assert "No space left on device" in _one_error_line(output)


def test_an_unforeseen_error_is_one_line_with_its_traceback_saved(monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):
        raise ValueError("something nobody foresaw")

    monkeypatch.setattr("ddr_sim.cli.scenario.load_scenario", broken)
    status, output = run_main(["validate", str(TEACHING)], capsys)
    assert status == 1
    line = _one_error_line(output)
    assert "unexpected error: ValueError: something nobody foresaw" in line
    saved = Path(line.split("traceback in ")[1].split(";")[0])
    assert "something nobody foresaw" in saved.read_text()
    saved.unlink()


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b"\xff\xfe\x00", b'"text"'])
@pytest.mark.parametrize("command", ["analyze", "sweep"])
def test_a_damaged_sweep_description_is_a_clean_error(
    content: bytes, command: str, tmp_path, capsys
) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "sweep.json").write_bytes(content)
    experiment = str(ROOT / "experiments" / "trust_vs_progress.yaml")
    argv = ["analyze", str(folder)] if command == "analyze" else ["sweep", experiment]
    if command == "sweep":
        argv += ["--out", str(folder)]
    status, output = run_main(argv, capsys)
    assert status == 1
    assert "sweep.json is damaged" in _one_error_line(output)
