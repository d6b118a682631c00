"""The loader cannot be made to hang or crash: every hostile input is a problem with its
file (and line where there is one), found quickly."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from ddr_sim.config.documents import MAX_DEPTH
from ddr_sim.config.loading import ScenarioError, load_scenario
from ddr_sim.config.reading import MAX_FILE_BYTES

BASE = textwrap.dedent(
    """\
    name: base
    calendar: {start: "2015-06", months: 48}
    regions:
      - {name: Kidal, youth_pool: 8000}
    groups:
      - {name: MNLA, coalition: CMA, armed: 3000, regions: {Kidal: 1.0}}
    """
)


def refused(path: Path, overrides: list[str] | None = None) -> str:
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert time.perf_counter() - start < 60  # a guard against hangs, not a speed target
    assert info.value.problems
    return str(info.value)


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f"])
def test_control_characters_are_a_problem_with_a_line(tmp_path, char):
    text = BASE.replace("name: base", f"name: ba{char}se")
    assert refused(write(tmp_path, text)).startswith(f"{tmp_path / 's.yaml'}:1: YAML error: ")


def test_invalid_utf8_names_its_line(tmp_path):
    raw = BASE.encode().replace(b"name: base", b"name: b\xffase")
    assert "s.yaml:1: cannot read file: not UTF-8 text" in refused(write(tmp_path, raw))


@pytest.mark.parametrize(
    "target, words",
    [
        ("/dev/zero", "not a regular file"),
        ("/dev/urandom", "not a regular file"),
        ("/", "is a directory"),
        ("a\0b.yaml", "null character"),
        ("x/" * 3000 + "y.yaml", "cannot"),
    ],
)
def test_extends_to_odd_targets(tmp_path, target, words):
    path = write(tmp_path, f'extends: "{target.replace(chr(0), chr(92) + "0")}"\nname: c\n')
    assert words in refused(path)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(fifo)
    child = write(tmp_path, "extends: fifo.yaml\nname: c\n", "child.yaml")
    assert "not a regular file" in refused(child)


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, BASE + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert f"at most {MAX_FILE_BYTES:,} bytes" in refused(path)


def test_an_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{d}: &a{d} [" + ", ".join([f"*a{d - 1}"] * 9) + "]" for d in range(1, 10)]
    message = refused(write(tmp_path, "\n".join(lines) + "\n" + BASE))
    assert "aliases (*name) expand this into more than" in message


def test_deep_nesting_is_refused_with_its_line(tmp_path):
    n = 5000
    text = BASE + "deep: " + "[" * n + "]" * n + "\n"
    message = refused(write(tmp_path, text))
    assert f"s.yaml:7: YAML error: nested deeper than {MAX_DEPTH} levels" in message


def test_a_self_referring_alias_is_refused(tmp_path):
    assert "refers to itself" in refused(write(tmp_path, BASE + "x: &r [*r]\n"))


def test_a_self_referring_override_does_not_recurse(tmp_path):
    message = refused(write(tmp_path, BASE), ["calendar.months=&a [*a]"])
    assert message.startswith("--set: calendar.months: override")
    assert "refers to itself" in message


@pytest.mark.parametrize(
    "value, words",
    [("2015-13-45", "cannot read the value"), ("9" * 5000, "cannot read the value")],
)
def test_values_yaml_cannot_build_are_problems(tmp_path, value, words):
    message = refused(write(tmp_path, BASE + f"description: {value}\n"))
    assert words in message and "s.yaml:7:" in message


def test_a_long_extends_chain_is_cut(tmp_path):
    for i in range(30):
        write(tmp_path, f"extends: f{i + 1}.yaml\n", f"f{i}.yaml")
    write(tmp_path, BASE, "f30.yaml")
    assert "a chain of more than" in refused(tmp_path / "f0.yaml")


def test_an_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write(tmp_path, BASE)
    path.chmod(0)
    assert "cannot read file" in refused(path)


def test_finding_a_targets_file_does_not_read_devices(tmp_path):
    from ddr_sim.config.targets import targets_file_for

    path = write(tmp_path, "extends: /dev/zero\nname: c\n")
    assert targets_file_for(path) is None


def test_experiment_and_targets_files_are_bounded_too(tmp_path):
    from ddr_sim.config.experiment import ExperimentError, load_experiment
    from ddr_sim.config.targets import TargetsError, load_targets

    with pytest.raises(ExperimentError, match="not a regular file"):
        load_experiment("/dev/zero")
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{d}: &a{d} [" + ", ".join([f"*a{d - 1}"] * 9) + "]" for d in range(1, 10)]
    with pytest.raises(TargetsError, match="expand this into more than"):
        load_targets(write(tmp_path, "\n".join(bomb) + "\n", "t.yaml"))
    text = (
        "name: x\nscenario: /dev/urandom\ndesign: {method: grid}\noutcomes: [a]\n"
        "parameters: [{path: politics.progress_rate, values: [0.1]}]\n"
    )
    with pytest.raises(ExperimentError, match="urandom: is not a regular file"):
        load_experiment(write(tmp_path, text, "e.yaml"))


def test_policy_and_lever_files_are_bounded_too(tmp_path):
    from ddr_sim.config.levers import LeversError, load_levers
    from ddr_sim.config.policies import file_kind, load_policies

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert file_kind(fifo) is None and file_kind("/dev/zero") is None
    deep = write(tmp_path, "policies: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    assert file_kind(deep) is None
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_policies(fifo)
    with pytest.raises(ScenarioError, match="nested deeper than"):
        load_policies(deep)
    with pytest.raises(LeversError, match="not a regular file"):
        load_levers("/dev/urandom")
