"""The package's layers import only downwards (import-linter contracts in pyproject.toml).

Layers, highest first: cli > dashboard > studies > analysis > sweeps > runs > core > config;
and analysis never imports the model or the machinery that runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (it comes with the 'dev' extra)")
    return exe


def _check(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_import_contracts_hold() -> None:
    result = _check(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("runs/runner.py", "import ddr_sim.analysis.run_plots", "Layers"),
        ("studies/compare.py", "from ddr_sim.cli.errors import say", "Layers"),
        ("config/calendar.py", "import ddr_sim.runs.tables", "Layers"),
        ("analysis/sweep_plots.py", "import ddr_sim.sweeps.coordinator", "Analysis reads"),
    ],
)
def test_an_import_against_the_layers_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    """A copy of the package with one backward import added fails the same contracts."""
    shutil.copytree(ROOT / "ddr_sim", tmp_path / "ddr_sim", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "ddr_sim" / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = _check(tmp_path, tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout


def test_the_package_below_the_command_line_has_no_argparse() -> None:
    """argparse belongs to the cli layer: no other module of the package uses it."""
    users = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "ddr_sim").rglob("*.py")
        if "cli" not in path.relative_to(ROOT / "ddr_sim").parts
        and "argparse" in path.read_text(encoding="utf-8")
    ]
    assert users == []
