"""Experiment files of small sweeps: the teaching scenario, shortened to 74 months."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"

#: The first lines of every such file.
HEADER = (
    "name: {name}\n"
    "scenario: {scenario}\n"
    "set: [calendar.months=74]   # shorter runs: the last event is in month 72\n"
)


def write_sweep(folder: Path, name: str, body: str) -> Path:
    """Write experiment ``name`` (``folder/name.yaml``): the header, then ``body`` (its
    parameters, design, outcomes...)."""
    path = folder / f"{name}.yaml"
    text = HEADER.format(name=name, scenario=TEACHING) + body
    path.write_text(text, encoding="utf-8")
    return path
