"""Registry entries of the final year's defections by where people served
(:mod:`ddr_sim.runs.collapse`)."""

from __future__ import annotations

from ddr_sim.runs.indicator import Indicator
from ddr_sim.runs.indicator_families import DEFECTION, _b


def collapse() -> list[Indicator]:
    """The final year's defections by where people served (``ddr_sim.runs.collapse``)."""
    served = "people who served in the region during the final year of the run"
    return [
        _b(
            "serving_<year>_in_<region_coalition>",
            "served during the final year, by region and coalition",
            f"Integrated {served} (serving there at its start, or integrated there during it), "
            "by region and coalition of their group.",
            "people",
        ),
        _b(
            "rejoined_share_<year>_in_<region_coalition>",
            "share who rejoined their group in the final year, by region and coalition",
            "rejoined_<year>_in_<region>_<coalition> / serving_<year>_in_<region>_<coalition>; "
            "empty where nobody served.",
            "share (0-1)",
        ),
        _b(
            "rejoined_<year>_in_<region_coalition>",
            f"{DEFECTION} in the final year, by region and coalition",
            f"Of the {served}, those who {DEFECTION} during it, counted where they served, by "
            "region and coalition (or by region over all coalitions).",
            "people",
        ),
        _b(
            "rejoined_<year>_<coalition>",
            f"{DEFECTION} in the final year, by coalition",
            f"Of the {served}, those who {DEFECTION} during it, all regions, by coalition.",
            "people",
        ),
        _b(
            "serving_<year>_<coalition>",
            "served during the final year, by coalition",
            f"Integrated {served}, all regions, by coalition.",
            "people",
        ),
        _b(
            "rejoined_share_<year>_<coalition>",
            "share who rejoined their group in the final year, by coalition",
            "rejoined_<year>_<coalition> / serving_<year>_<coalition>.",
            "share (0-1)",
        ),
        _b(
            "rejoined_share_<year>",
            "share who rejoined their group in the final year",
            f"Of all {served}, the share who {DEFECTION} during it.",
            "share (0-1)",
        ),
        _b(
            "integrated_share_<coalition>",
            "share of the integrated, by coalition",
            "The coalition's share of everyone integrated over the run.",
            "share (0-1)",
        ),
    ]
