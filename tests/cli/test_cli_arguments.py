"""Arguments, machine limits and output folders are checked before any work starts."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ddr_sim.cli import arguments as arg
from ddr_sim.cli import limits
from ddr_sim.cli.errors import CommandError
from ddr_sim.cli.main import build_parser, main
from ddr_sim.cli.outputs import writable_dir, writable_file
from ddr_sim.config.loading import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
TARGETS = ROOT / "scenarios" / "mali_2013_2023.targets.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("localhost:8786", "tcp://localhost:8786"),
        ("tls://scheduler.example.org:8786", "tls://scheduler.example.org:8786"),
    ],
)
def test_a_scheduler_address_is_read(text: str, expected: str) -> None:
    assert arg.scheduler_address(text) == expected


@pytest.mark.parametrize(
    "text", ["not a url", "http://host:8786", "tcp://", "tcp://host", "tcp://host:99999", ""]
)
def test_a_bad_scheduler_address_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="tcp://host:8786"):
        arg.scheduler_address(text)


@pytest.mark.parametrize("text", ["0", "70000", "-1", "abc", "1.5"])
def test_a_port_outside_1_to_65535_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        arg.port(text)


def test_a_bounded_number_says_its_limit_and_why() -> None:
    parse = arg.bounded_int(100, "because")
    assert parse("100") == 100
    with pytest.raises(argparse.ArgumentTypeError, match=r"at most 100 \(because\), got 101"):
        parse("101")
    with pytest.raises(argparse.ArgumentTypeError, match="whole number"):
        parse("9" * 5000)


def test_input_files_refuse_folders_and_devices(tmp_path: Path) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is a directory"):
        arg.input_file(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="not a regular file"):
        arg.input_file("/dev/zero")
    with pytest.raises(argparse.ArgumentTypeError, match="NUL"):
        arg.input_file("a\0b")
    assert arg.input_file(str(tmp_path / "missing.yaml"))  # the loader reports it


# --------------------------------------------------------------------------------------------
# --jobs everywhere


RUNS_THE_MODEL = {
    "run": [str(TEACHING)],
    "compare": ["p.yaml"],
    "calibrate": [str(TEACHING), "--targets", str(TARGETS)],
    "report": [str(TEACHING), "--targets", str(TARGETS)],
    "sweep": ["e.yaml"],
}


@pytest.mark.parametrize("command", sorted(RUNS_THE_MODEL))
def test_every_command_that_runs_the_model_takes_jobs(command: str) -> None:
    args = build_parser().parse_args([command, *RUNS_THE_MODEL[command], "--jobs", "3"])
    assert args.jobs == 3


def test_sweep_still_reads_workers_without_showing_it(capsys: pytest.CaptureFixture) -> None:
    args = build_parser().parse_args(["sweep", "e.yaml", "--workers", "2"])
    assert args.jobs == 2
    assert main(["sweep", "--help"]) == 0
    assert "--workers" not in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Machine limits


@pytest.fixture
def small_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """2 CPUs and 1 GiB of memory available."""
    monkeypatch.setattr(limits, "cpu_count", lambda: 2)
    monkeypatch.setattr(limits, "available_memory", lambda: limits.GIB)


def test_jobs_are_checked_against_cpus_and_memory(small_machine) -> None:
    assert limits.check_jobs(None) == 2
    assert limits.check_jobs(8, tasks=3) == 3
    with pytest.raises(CommandError, match=r"at most 8 on this machine \(2 CPUs"):
        limits.check_jobs(9)
    with pytest.raises(CommandError, match="each worker process needs about 300 MiB") as err:
        limits.check_jobs(4)
    assert err.value.status == 1


def test_seeds_are_checked_against_memory(small_machine) -> None:
    scenario = load_scenario(TEACHING)
    per_seed = limits.seed_bytes(scenario)
    limits.check_seeds(100, per_seed)
    most = int(limits.MEMORY_SHARE * limits.GIB // per_seed)
    with pytest.raises(CommandError, match=f"use --seeds {most:,} or fewer"):
        limits.check_seeds(most + 1, per_seed)


def test_sweep_sizes_are_checked(small_machine) -> None:
    limits.check_runs(1000, "10 points x 100 seeds")
    with pytest.raises(CommandError, match="at most 10,000,000 in one sweep"):
        limits.check_runs(10**12, "1,000 points x 10**9 seeds")
    with pytest.raises(CommandError, match="the design would need"):
        limits.check_runs(5_000_000, "5,000,000 points x 1 seeds")


def test_the_machine_is_measured() -> None:
    assert limits.cpu_count() >= 1
    memory = limits.available_memory()
    assert memory is None or memory > 0


def test_run_refuses_seeds_that_do_not_fit_before_running(small_machine, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(TEACHING), "--seeds", "99999", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --seeds 99,999: the results would need")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# Output folders


def test_an_output_folder_is_created_and_probed(tmp_path: Path) -> None:
    out = writable_dir(tmp_path / "a" / "b")
    assert out.is_dir() and list(out.iterdir()) == []


def test_an_output_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(CommandError, match="is a file, not a folder"):
        writable_dir(tmp_path / "f")
    with pytest.raises(CommandError, match="is under .*f, which is a file"):
        writable_dir(tmp_path / "f" / "sub")
    with pytest.raises(CommandError, match="is a folder, expected a file name"):
        writable_file(tmp_path)


def test_an_output_folder_on_a_read_only_system_is_refused() -> None:
    with pytest.raises(CommandError, match="cannot write the output folder"):
        writable_dir(Path("/proc/ddr-sim-out"))


def test_a_disk_without_room_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(
        "ddr_sim.cli.outputs.shutil.disk_usage",
        lambda path: type("U", (), {"free": 10 * limits.MIB})(),
    )
    with pytest.raises(CommandError, match=r"10 MiB free on its disk, the outputs need about 21"):
        writable_dir(tmp_path / "out", need=20 * limits.MIB)
