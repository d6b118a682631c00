"""Cross-field checks of a scenario: names that refer to regions and groups, dates inside
the calendar, quotas, the size of the whole scenario. Each problem is ``(dotted path,
message)``; :class:`ddr_sim.config.scenario.Scenario` raises them together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddr_sim.config.calendar import month_index, parse_month
from ddr_sim.config.fields import MAX_CELLS, MAX_PEOPLE

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Scenario

__all__ = ["consistency_problems"]

Found = list[tuple[str, str]]


def consistency_problems(s: Scenario) -> Found:
    """Every cross-field problem of ``s``, in the order of the file's sections."""
    parse_month(s.calendar.start)
    regions = {r.name for r in s.regions}
    groups = {g.name for g in s.groups}
    max_people = sum(g.armed + g.unarmed for g in s.groups) + sum(r.youth_pool for r in s.regions)
    return [
        *_actor_problems(s, regions, groups),
        *_programme_region_problems(s, regions),
        *_size_problems(max_people, s.calendar.months, len(s.groups), len(s.regions)),
        *_quota_problems(
            "programmes.integration.quota", s.programmes.integration.quota, max_people
        ),
        *_date_problems(s),
        *_event_problems(s, regions, groups, max_people),
        *_mission_problems(s),
        *_one_source_problems(s),
    ]


def _one_source_problems(s: Scenario) -> Found:
    """An event may not claim a date a parameter already gives (one source of truth)."""
    found: Found = []
    signers = [g.name for g in s.groups if g.signs is not None]
    for i, e in enumerate(s.events):
        if e.type == "mission_exit" and s.mission.mandate_end is not None:
            found.append(
                (
                    f"events.{i}.type",
                    "the mission's exit date is mission.mandate_end; a mission_exit event "
                    "would be a second source of the same date (remove one)",
                )
            )
        both = sorted(set(e.groups or signers) & set(signers))
        if e.type == "agreement_signed" and both:
            found.append(
                (
                    f"events.{i}.type",
                    f"groups {both} have a signing date (groups.*.signs); an "
                    "agreement_signed event would be a second source of the same date",
                )
            )
    return found


def _actor_problems(s: Scenario, regions: set[str], groups: set[str]) -> Found:
    found: Found = []
    for i, r in enumerate(s.regions):
        for key in ("controller", "towns"):
            holder = getattr(r, key)
            if holder != "government" and holder not in groups:
                found.append(
                    (
                        f"regions.{i}.{key}",
                        f"unknown group {holder!r}; expected one of "
                        f"{sorted(groups | {'government'})}",
                    )
                )
    for i, g in enumerate(s.groups):
        unknown = set(g.regions) - regions
        if unknown:
            found.append(
                (
                    f"groups.{i}.regions",
                    f"unknown region(s) {sorted(unknown)}; expected one of {sorted(regions)}",
                )
            )
        if g.regions and abs(sum(g.regions.values()) - 1.0) > 1e-6:
            total = sum(g.regions.values())
            found.append((f"groups.{i}.regions", f"shares must sum to 1, they sum to {total:.4f}"))
        if not g.regions:
            found.append((f"groups.{i}.regions", "at least one region share is required"))
    return found


def _programme_region_problems(s: Scenario, regions: set[str]) -> Found:
    pr = s.programmes
    found: Found = []
    for path, names in (
        ("programmes.pre_cantonment.regions", pr.pre_cantonment.regions),
        ("programmes.cantonment.regions", pr.cantonment.regions),
        ("programmes.moc.sites", pr.moc.sites),
    ):
        unknown = set(names) - regions
        if unknown:
            found.append((path, f"unknown region(s) {sorted(unknown)}"))
    for i, unit in enumerate(pr.integration.units):
        if unit.region not in regions:
            found.append(
                (
                    f"programmes.integration.units.{i}.region",
                    f"unknown region {unit.region!r}; expected one of {sorted(regions)}",
                )
            )
        found += _outside(s, f"programmes.integration.units.{i}.opens", unit.opens)
    return found


def _size_problems(people: int, months: int, groups: int, regions: int) -> Found:
    """Limits on the whole scenario: people in rows, and the size of the monthly records."""
    found: Found = []
    if people > MAX_PEOPLE:
        found.append(
            (
                "groups",
                f"{people:,} people in groups and youth pools together; at most "
                f"{MAX_PEOPLE:,} (twice the largest DDR caseload on record; every person is a "
                "row of the model)",
            )
        )
    cells = months * groups * regions
    if cells > MAX_CELLS:
        found.append(
            (
                "calendar.months",
                f"months x groups x regions is {cells:,}; at most {MAX_CELLS:,} (the monthly "
                "records keep every status of every group in every region)",
            )
        )
    return found


def _quota_problems(path: str, quota: int | None, max_people: int) -> Found:
    if quota is not None and quota > max_people:
        return [
            (
                path,
                f"quota {quota} is larger than everyone who could ever be in a group "
                f"({max_people})",
            )
        ]
    return []


def _outside(s: Scenario, path: str, date: str | None) -> Found:
    if date is None:
        return []
    start, months = s.calendar.start, s.calendar.months
    if 0 <= month_index(date, start) < months:
        return []
    return [(path, f"date {date} is outside the calendar ({start} + {months} months)")]


def _date_problems(s: Scenario) -> Found:
    pr = s.programmes
    found: Found = []
    for path, date in (
        ("economy.gold_rush_start", s.economy.gold_rush_start),
        ("programmes.pre_cantonment.opens", pr.pre_cantonment.opens),
        ("programmes.cantonment.approval", pr.cantonment.approval),
        ("programmes.moc.opens", pr.moc.opens),
        ("programmes.accelerated_ddr.earliest", pr.accelerated_ddr.earliest),
        ("programmes.integration.general_opens", pr.integration.general_opens),
        ("programmes.reinsertion.opens", pr.reinsertion.opens),
        ("programmes.cvr.starts", pr.cvr.starts),
        ("programmes.militia_programme.opens", pr.militia_programme.opens),
    ):
        found += _outside(s, path, date)
    for i, g in enumerate(s.groups):
        found += _outside(s, f"groups.{i}.signs", g.signs)
        if g.signs is not None and not g.signatory:
            found.append((f"groups.{i}.signs", "a non-signatory group cannot have a signing date"))
    return found


def _event_problems(s: Scenario, regions: set[str], groups: set[str], max_people: int) -> Found:
    found: Found = []
    names = [e.name for e in s.events if e.name is not None]
    for i, e in enumerate(s.events):
        if e.name is not None and names.count(e.name) > 1:
            found.append((f"events.{i}.name", f"event name {e.name!r} is repeated"))
        found += _outside(s, f"events.{i}.date", e.date)
        unknown = set(e.groups) - groups
        if unknown:
            found.append(
                (
                    f"events.{i}.groups",
                    f"unknown group(s) {sorted(unknown)}; expected some of {sorted(groups)}",
                )
            )
        if e.region is not None and e.region not in regions:
            found.append(
                (
                    f"events.{i}.region",
                    f"unknown region {e.region!r}; expected one of {sorted(regions)}",
                )
            )
        found += _event_kind_problems(i, e, max_people)
    return found


def _event_kind_problems(i: int, e: Any, max_people: int) -> Found:
    found: Found = []
    if e.type == "quota_offer" and e.quota is None:
        found.append((f"events.{i}.quota", "a quota_offer event needs a quota"))
    if e.type == "quota_offer":
        found += _quota_problems(f"events.{i}.quota", e.quota, max_people)
    if e.type == "coup" and e.regime is None:
        found.append((f"events.{i}.regime", "a coup event needs the regime it installs"))
    return found


def _mission_problems(s: Scenario) -> Found:
    m = s.mission
    if m.deploys and m.mandate_end and month_index(m.mandate_end, m.deploys) < 0:
        return [("mission.mandate_end", "mandate ends before the mission deploys")]
    return []
