"""The tests mirror the package: a folder per layer of ``ddr_sim`` for its tests,
``tests/project`` for checks of the whole repository, ``tests/support`` for the helpers
they share (imported as ``support.*``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
LAYERS = {p.parent.name for p in (ROOT / "ddr_sim").glob("*/__init__.py")}


def test_every_test_file_is_in_the_folder_of_a_layer_or_of_the_project():
    allowed = {TESTS / name for name in (*LAYERS, "project")}
    stray = sorted(str(p.relative_to(ROOT)) for p in TESTS.rglob("test_*.py"))
    stray = [p for p in stray if (ROOT / p).parent not in allowed]
    assert stray == [], f"move these into tests/<layer>/ or tests/project/: {stray}"


def test_every_layer_has_a_test_folder_and_helpers_live_in_support():
    assert {"config", "core", "runs", "sweeps", "analysis", "studies", "dashboard", "cli"} <= LAYERS
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert LAYERS | {"project", "support"} <= folders
    loose = sorted(p.name for p in TESTS.glob("*.py") if p.name != "conftest.py")
    assert loose == [], f"shared helpers belong in tests/support/: {loose}"
