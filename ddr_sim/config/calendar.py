"""Month arithmetic: scenario dates are ``YYYY-MM`` strings, the model counts months."""

from __future__ import annotations

import functools
import re

#: The one pattern of a month in every config file (scenario, experiment, targets).
MONTH_PATTERN = r"^(\d{4})-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)


def is_month(text: object) -> bool:
    """Whether ``text`` is a ``YYYY-MM`` month string."""
    return isinstance(text, str) and _MONTH.match(text) is not None


def parse_month(text: str) -> tuple[int, int]:
    """Return ``(year, month)`` for a ``YYYY-MM`` string, or raise ``ValueError``."""
    return _parse_month(str(text))


@functools.lru_cache(maxsize=1024)  # the model asks for the same few dates every month
def _parse_month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if not match:
        raise ValueError(f"expected a month as YYYY-MM with MM in 01..12, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def month_index(date: str, start: str) -> int:
    """Months from ``start`` to ``date`` (0 when they are equal; negative before start)."""
    y, m = parse_month(date)
    y0, m0 = parse_month(start)
    return (y - y0) * 12 + (m - m0)


def month_label(index: int, start: str) -> str:
    """The ``YYYY-MM`` label of month ``index`` counted from ``start``."""
    y0, m0 = parse_month(start)
    total = y0 * 12 + (m0 - 1) + index
    return f"{total // 12:04d}-{total % 12 + 1:02d}"
