"""An experiment file resolved against its base scenario: the varied parameters with their
concrete scenario paths, the kept months, and the fingerprint of what the results depend on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ddr_sim.config.experiment_schema import ANALYSIS_ONLY_FIELDS, Experiment
from ddr_sim.config.problems import Problem, display_path, position

__all__ = ["ResolvedExperiment", "SweepParameter"]


@dataclass(frozen=True)
class SweepParameter:
    """A parameter resolved against the base scenario.

    Attributes
    ----------
    name : str
        Column name in the result tables.
    pattern : str
        The path as written (may contain ``*``).
    paths : tuple of str
        The concrete scenario paths it sets (``*`` expanded).
    low, high : float or None
        The range, for range parameters.
    values : tuple or None
        The values, for value-list parameters.
    levels : int or None
        Grid levels over the range.
    scale : str
        ``"linear"`` or ``"log"``.
    integer : bool
        Whole numbers.
    """

    name: str
    pattern: str
    paths: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None
    levels: int | None = None
    scale: str = "linear"
    integer: bool = False

    @property
    def is_range(self) -> bool:
        """A numeric range (else a list of values)."""
        return self.values is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (stored in the sweep's ``sweep.json``)."""
        return {
            "name": self.name,
            "pattern": self.pattern,
            "paths": list(self.paths),
            "low": self.low,
            "high": self.high,
            "values": None if self.values is None else list(self.values),
            "levels": self.levels,
            "scale": self.scale,
            "integer": self.integer,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepParameter:
        """Inverse of :meth:`to_dict`."""
        values = data.get("values")
        return cls(
            name=data["name"],
            pattern=data["pattern"],
            paths=tuple(data["paths"]),
            low=data.get("low"),
            high=data.get("high"),
            values=None if values is None else tuple(values),
            levels=data.get("levels"),
            scale=data.get("scale", "linear"),
            integer=bool(data.get("integer", False)),
        )


@dataclass
class ResolvedExperiment:
    """A validated experiment with its base scenario resolved.

    Attributes
    ----------
    source : str
        The experiment file as given.
    text : str
        Its text (copied into the sweep folder).
    spec : Experiment
        The validated file.
    scenario_source : str
        The base scenario file (as resolved from the experiment's folder).
    scenario : dict
        The base scenario with ``set:`` applied, every default filled in (JSON-ready).
    scenario_hash : str
        Its hash (:func:`ddr_sim.config.loading.scenario_hash`).
    parameters : tuple of SweepParameter
        The varied parameters, in file order.
    series_months : tuple of int
        Months whose series values are kept (empty without ``series:``).
    """

    source: str
    text: str
    spec: Experiment
    scenario_source: str
    scenario: dict[str, Any]
    scenario_hash: str
    parameters: tuple[SweepParameter, ...]
    series_months: tuple[int, ...]
    _doc: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.name

    @property
    def calendar(self) -> tuple[str, int]:
        """``(start, months)`` of the base scenario."""
        cal = self.scenario["calendar"]
        return cal["start"], int(cal["months"])

    def result_spec(self) -> dict[str, Any]:
        """Everything that determines the result tables, as JSON-ready data."""
        spec = self.spec.model_dump(mode="json", by_alias=True, exclude=set(ANALYSIS_ONLY_FIELDS))
        spec.pop("scenario", None)  # the path may differ; the resolved scenario's hash counts
        return {
            "experiment": spec,
            "scenario_hash": self.scenario_hash,
            "parameters": [p.to_dict() for p in self.parameters],
            "series_months": list(self.series_months),
        }

    def fingerprint(self) -> str:
        """SHA-256 of :meth:`result_spec`: equal fingerprints give equal result tables."""
        text = json.dumps(self.result_spec(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def problem(self, loc: tuple[Any, ...], message: str) -> Problem:
        """A problem located at field ``loc`` of the experiment file."""
        (file, line), _ = position(self._doc, loc, self.source)
        return Problem(file, line, display_path(self._doc, loc), message)
