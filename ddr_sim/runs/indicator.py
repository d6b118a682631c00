"""A family of summary columns: name pattern, label, meaning, unit, headline or breakdown.

See :mod:`ddr_sim.runs.registry` for the list and how it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ddr_sim.config.recordables import EXIT_OPTIONS, GATES
from ddr_sim.runs.naming import CUMULATIVE_FLOWS, FIRST_ENTRIES, STOCK_STATUSES

_PARTS: dict[str, str] = {
    "group": r"[0-9a-z_]+",
    "region": r"[0-9a-z_]+",
    "coalition": r"[0-9a-z_]+",
    "region_coalition": r"[0-9a-z_]+",
    "item": r"[0-9a-z_]+",
    "year": r"\d{4}",
    "yyyy_mm": r"\d{4}_\d{2}",
    "flow": "|".join(CUMULATIVE_FLOWS),
    "status": "|".join(s.name.lower() for s in STOCK_STATUSES),
    "step": "|".join(FIRST_ENTRIES),
    "exit": "|".join(EXIT_OPTIONS),
    "gate": "|".join(GATES),
}

#: Label of each statistic in the ``by`` field.
_BY_WORDS = {
    "yyyy_mm": "date",
    "region_coalition": "region and coalition",
    "exit": "exit option",
}


@dataclass(frozen=True)
class Indicator:
    """A family of summary columns.

    Attributes
    ----------
    pattern : str
        Column name, with ``<part>`` for what varies (see the module docstring).
    label : str
        Short text for tables and titles.
    meaning : str
        What the number is, for the codebook.
    unit : str
        ``people``, ``months``, ``YYYY-MM``, ``USD``, ...
    headline : bool
        In the short headline summary and the console table.
    """

    pattern: str
    label: str
    meaning: str
    unit: str
    headline: bool = False

    @cached_property
    def regex(self) -> re.Pattern[str]:
        text = re.escape(self.pattern).replace(r"\<", "<").replace(r"\>", ">")
        for part, expr in _PARTS.items():
            text = text.replace(f"<{part}>", f"(?P<{part}>{expr})")
        return re.compile(f"^{text}$")

    @property
    def parts(self) -> list[str]:
        return re.findall(r"<(\w+)>", self.pattern)

    @property
    def by(self) -> str:
        """What the family is broken down by (empty for a single column)."""
        return ", ".join(_BY_WORDS.get(p, p) for p in self.parts)

    def key(self, column: str) -> str:
        """The varying part of ``column`` (``"kidal_cma"``, ``"2020_06"``), or ``""``."""
        match = self.regex.match(column)
        return " ".join(match.groups()) if match else ""


def headline(pattern: str, label: str, meaning: str, unit: str) -> Indicator:
    """A headline indicator."""
    return Indicator(pattern, label, meaning, unit, headline=True)


def breakdown(pattern: str, label: str, meaning: str, unit: str) -> Indicator:
    """An indicator of the long breakdowns table."""
    return Indicator(pattern, label, meaning, unit)
