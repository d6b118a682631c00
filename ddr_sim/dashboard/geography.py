"""Shapes of Mali's regions shipped with the dashboard (``data/mali_regions.geojson``).

Natural Earth admin-1 boundaries (public domain), simplified; see ``data/README.md``.
A scenario gets a map when every one of its regions has a shape here (names compared
without accents or case, with the usual French/English variants); otherwise the
dashboard draws a schematic.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np

SHAPES_FILE = Path(__file__).resolve().parent / "data" / "mali_regions.geojson"

#: Other spellings of the shipped region names.
ALIASES = {"tombouctou": "timbuktu"}


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("-", " ").strip()
    return ALIASES.get(plain, plain)


@cache
def mali_regions() -> dict[str, tuple[np.ndarray, bool]]:
    """Every shipped region: name -> (outline ``[point, (lon, lat)]``, approximate?)."""
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    shapes = {}
    for feature in data["features"]:
        props = feature["properties"]
        outline = np.asarray(feature["geometry"]["coordinates"][0], float)
        shapes[props["name"]] = (outline, bool(props.get("approximate", False)))
    return shapes


def match_regions(names: tuple[str, ...] | list[str]) -> dict[str, str] | None:
    """Scenario region name -> shipped region name, or None unless every region matches."""
    shipped = {_key(name): name for name in mali_regions()}
    found = {name: shipped.get(_key(name)) for name in names}
    if not names or any(v is None for v in found.values()):
        return None
    return found  # type: ignore[return-value]


def label_point(outline: np.ndarray) -> np.ndarray:
    """A point well inside a region for its label: the area centroid of its outline."""
    x, y = outline[:, 0], outline[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return outline.mean(axis=0)
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return np.array([cx, cy])
