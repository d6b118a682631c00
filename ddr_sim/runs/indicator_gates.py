"""Registry entries of the exit options' gate counts (:mod:`ddr_sim.runs.gates`)."""

from __future__ import annotations

from ddr_sim.runs.indicator import Indicator
from ddr_sim.runs.indicator import breakdown as _b

_AMONG = (
    "over the run, among the people who reconsidered their situation (once in each month they did)"
)

#: What each gate stands for, in the order the gates are checked.
GATE_WORDS = {
    "programme": "the programme was not open to them (not launched or opened, no site "
    "built, or not for their kind of group)",
    "consent": "their commander did not consent (the group's consent share was below their "
    "lenience; a group not covered by the agreement consents to nothing)",
    "held_back": "their group held them back (its best armed fighters, mechanism 2)",
    "eligibility": "they were not eligible (a child or declared unfit for integration; "
    "unarmed for cantonment and general integration)",
    "places": "no places were left where they were (assembly areas, sites, registration)",
}


def gates() -> list[Indicator]:
    """Who was offered each exit option, who took it, and which gate closed it."""
    return [
        _b(
            "<exit>_candidates_total",
            "candidates for an exit option",
            f"People in a status the option leads from, {_AMONG}.",
            "person-months",
        ),
        _b(
            "<exit>_offered_total",
            "offered an exit option",
            f"Candidates to whom the option was open, {_AMONG}.",
            "person-months",
        ),
        _b(
            "<exit>_chose_total",
            "chose an exit option",
            f"People offered the option who chose it, {_AMONG}.",
            "person-months",
        ),
        _b(
            "<exit>_took_total",
            "took an exit option",
            f"People who chose the option and were admitted (places are rationed after the "
            f"choice), {_AMONG}. Integration counts registrations through the choice (not "
            "those registering at the end of a cantonment stay).",
            "person-months",
        ),
        _b(
            "<exit>_closed_by_<gate>_total",
            "candidates an exit option was closed to, by the first gate that closed it",
            f"Candidates to whom the option was closed, {_AMONG}, by the first gate that "
            "closed it, checked in the order: "
            + "; ".join(f"`{gate}`: {words}" for gate, words in GATE_WORDS.items())
            + ". Candidates = offered + the closed of every gate.",
            "person-months",
        ),
    ]
