"""The texts of the summary indicators, family by family (collected in
:mod:`ddr_sim.runs.registry`)."""

from __future__ import annotations

from ddr_sim.runs.indicator import Indicator
from ddr_sim.runs.indicator import breakdown as _b
from ddr_sim.runs.indicator import headline as _h
from ddr_sim.runs.indicator_words import (
    DEFECTION,
    FLOW_WORDS,
    STALL_CLOCK,
    STALL_MONTH,
    STATUS_WORDS,
    STEP_WORDS,
)
from ddr_sim.runs.naming import STOCK_STATUSES

_STOCKS = [s.name.lower() for s in STOCK_STATUSES]


def flow_family() -> list[Indicator]:
    out = [
        Indicator(
            f"{flow}_total",
            label,
            f"People who {words} over the run (a person counts each time).",
            "people",
            headline=True,
        )
        for flow, (label, words) in FLOW_WORDS.items()
    ]
    out.append(
        _h(
            "reinserted_signatory_total",
            "reinserted, signatory groups",
            "Civilian reinsertions of members of signatory groups and their splinters: the "
            "main process, without the parallel programme for non-signatory militias.",
            "people",
        )
    )
    out.append(
        _b(
            "<flow>_by_<yyyy_mm>",
            "cumulative flow by a date",
            "People who entered the flow (pre_cantoned, cantoned, moc_assigned, registered, "
            f"declared_unfit, integrated, reinserted, rejoined = {DEFECTION}) from the start "
            "up to the checkpoint date, that month included.",
            "people",
        )
    )
    return out


def status_and_steps() -> list[Indicator]:
    out = [
        _b(
            "stock_<status>_end",
            "people holding a status at the end",
            "People holding the status in the last month: "
            + "; ".join(f"{s} = {STATUS_WORDS[s]}" for s in _STOCKS)
            + ".",
            "people",
        ),
        _b(
            "stock_<status>_<yyyy_mm>",
            "people holding a status at a date",
            "People holding the status at the end of the checkpoint month.",
            "people",
        ),
    ]
    for step, words in STEP_WORDS.items():
        headline = step in ("cantonment", "integration", "reinsertion")
        out.append(
            _b(
                f"first_{step}_month",
                f"first month {words}",
                f"Month index (from the calendar start) of the first month {words}; "
                "empty when never.",
                "month index",
            )
        )
        out.append(
            Indicator(
                f"first_{step}_date",
                f"first month {words}",
                f"Date of the first month {words}; empty when never.",
                "YYYY-MM",
                headline=headline,
            )
        )
    return out


def stalls() -> list[Indicator]:
    return [
        _b(
            "programme_open_months",
            "months with a programme open",
            "Months in which accelerated DDR, general integration, reinsertion or "
            "pre-cantonment was open or a cantonment site was built.",
            "months",
        ),
        _b(
            "stall_clock_start_month",
            "stall clock start (month)",
            f"{STALL_CLOCK} Month index; empty when it never starts.",
            "month index",
        ),
        _h(
            "stall_clock_start_date",
            "stall clock start",
            f"{STALL_CLOCK} Its first month; empty when it never starts.",
            "YYYY-MM",
        ),
        _b("stall_clock_months", "months on the stall clock", STALL_CLOCK, "months"),
        _h("stall_months", "stall months", STALL_MONTH, "months"),
        _b(
            "stall_episodes",
            "stall episodes",
            f"Runs of consecutive stall months. {STALL_MONTH}",
            "episodes",
        ),
        _h(
            "longest_stall_months",
            "longest stall",
            f"Length of the longest run of consecutive stall months (0 if none). {STALL_MONTH}",
            "months",
        ),
        _b(
            "stall_months_by_<yyyy_mm>",
            "stall months by a date",
            "Stall months from the start up to the checkpoint date, that month included.",
            "months",
        ),
    ]


def defections() -> list[Indicator]:
    where = "integrated is counted at the posting region, rejoined where the person served"
    return [
        _b(
            "rejoined_group_<group>",
            f"{DEFECTION}, by group",
            f"Integrated people who {DEFECTION}, over the run, by group (splinters included).",
            "people",
        ),
        _b(
            "rejoined_region_<region>",
            f"{DEFECTION}, by region",
            f"Integrated people who {DEFECTION}, over the run, by the region where they served.",
            "people",
        ),
        _b(
            "rejoined_share_in_<region_coalition>",
            "share who rejoined their group, by region and coalition",
            "rejoined_in_<region>_<coalition> / integrated_in_<region>_<coalition>; empty "
            "where nobody was integrated.",
            "share (0-1)",
        ),
        _b(
            "rejoined_in_<region_coalition>",
            f"{DEFECTION}, by region and coalition",
            f"Integrated people who {DEFECTION}, over the run, by region and coalition of "
            f"their group ({where}).",
            "people",
        ),
        _b(
            "integrated_in_<region_coalition>",
            "integrated, by region and coalition",
            f"People integrated into the army over the run, by region and coalition ({where}).",
            "people",
        ),
        _b(
            "rejoined_<year>",
            f"{DEFECTION}, by year",
            f"Integrated people who {DEFECTION} in each calendar year (partial years "
            "included). In the Mali scenario the last year is the collapse of 2023.",
            "people",
        ),
    ]


def coalitions() -> list[Indicator]:
    return [
        _b(
            "rejoined_share_<coalition>",
            "share who rejoined their group, by coalition",
            "rejoined_<coalition> / integrated_<coalition>; empty where nobody was integrated.",
            "share (0-1)",
        ),
        _b(
            "integrated_<coalition>",
            "integrated, by coalition",
            "People integrated into the army over the run, by coalition of their group "
            "(splinters keep their parent's coalition), all regions.",
            "people",
        ),
        _b(
            "rejoined_<coalition>",
            f"{DEFECTION}, by coalition",
            f"Integrated people who {DEFECTION}, over the run, by coalition, all regions.",
            "people",
        ),
    ]


def violence_and_lists() -> list[Indicator]:
    return [
        _h("clashes_total", "army-group clashes", "Army-group clashes over the run.", "clashes"),
        _h("attacks_total", "extremist attacks", "Extremist attacks over the run.", "attacks"),
        _b("clashes_<year>", "clashes by year", "Army-group clashes per calendar year.", "clashes"),
        _b("attacks_<year>", "attacks by year", "Extremist attacks per calendar year.", "attacks"),
        _b(
            "clashes_by_<yyyy_mm>",
            "clashes by a date",
            "Army-group clashes from the start up to the checkpoint date.",
            "clashes",
        ),
        _b(
            "registered_at_launch",
            "registered in the launch month",
            "People registered in the month accelerated DDR launched; empty when it never did.",
            "people",
        ),
        _b(
            "registration_events",
            "registration events",
            "Registration events (lists submitted) held.",
            "events",
        ),
        _b(
            "listed_armed_<yyyy_mm>",
            "listed and armed at a registration event",
            "People on the groups' lists who are armed, at a registration event's month.",
            "people",
        ),
        _b(
            "listed_<yyyy_mm>",
            "listed at a registration event",
            "People on the groups' lists at a registration event's month.",
            "people",
        ),
        _h("listed_end", "listed at the end", "People on the groups' lists at the end.", "people"),
        _b(
            "listed_armed_end",
            "listed and armed at the end",
            "People on the groups' lists who are armed, at the end.",
            "people",
        ),
    ]


def run_facts() -> list[Indicator]:
    """The run: seed, scenario, calendar, people and groups."""
    return [
        _h("seed", "seed", "The seed of the run (one row per seed).", "-"),
        _h("scenario", "scenario", "The scenario's name.", "-"),
        _h("scenario_hash", "scenario hash", "SHA-256 of the resolved scenario.", "-"),
        _b("months", "months", "Months in the calendar.", "months"),
        _h("start", "first month", "First month of the calendar.", "YYYY-MM"),
        _h("end", "last month", "Last month of the calendar.", "YYYY-MM"),
        _h(
            "people_end",
            "people at the end",
            "Everyone who ever existed at the end, killed included.",
            "people",
        ),
        _b("recruited_total", "recruited", "People recruited over the run.", "people"),
        _h("killed_total", "killed", "People killed over the run.", "people"),
        _b("groups_end", "groups at the end", "Groups at the end, splinters included.", "groups"),
        _b("splits", "splits", "Splinter groups that appeared over the run.", "groups"),
    ]


def launch_and_boycotts() -> list[Indicator]:
    """Accelerated DDR's launch and the boycotts of the follow-up bodies."""
    return [
        _b(
            "accelerated_launch_month",
            "accelerated DDR launch (month)",
            "Month index when accelerated DDR launched; empty when it never did.",
            "month index",
        ),
        _h(
            "accelerated_launch_date",
            "accelerated DDR launch",
            "Month accelerated DDR launched; empty when it never did.",
            "YYYY-MM",
        ),
        _b(
            "boycott_all_month",
            "all signatories boycott (month)",
            "Month index of the first month every signatory group boycotted the follow-up bodies.",
            "month index",
        ),
        _b(
            "boycott_all_date",
            "all signatories boycott",
            "First month every signatory group boycotted the follow-up bodies.",
            "YYYY-MM",
        ),
        _b(
            "boycott_group_months",
            "group-months of boycott",
            "Group-months of boycott of the follow-up bodies over the run.",
            "group-months",
        ),
        _b(
            "final_boycott_month",
            "final walk-out (month)",
            "Month index of the start of the walk-out that lasts to the end (see "
            "final_boycott_date).",
            "month index",
        ),
        _h(
            "final_boycott_date",
            "final walk-out",
            "Start of the walk-out that lasts to the end of the run: the first month of the "
            "last unbroken spell in which every existing group of at least one signatory "
            "coalition boycotts the follow-up bodies; empty when no coalition does in the "
            "last month.",
            "YYYY-MM",
        ),
    ]


def costs_and_ends() -> list[Indicator]:
    """Costs and the end state."""
    return [
        _h(
            "cost_total_usd",
            "programme cost",
            "Programme cost over the run: the sum of the cost_*_usd counters.",
            "USD",
        ),
        _b(
            "cost_total_usd_by_<yyyy_mm>",
            "programme cost by a date",
            "Programme cost from the start up to the checkpoint date.",
            "USD",
        ),
        _b(
            "cost_allowances_kfcfa",
            "committee allowances (kFCFA)",
            "Allowances paid to group members on the follow-up bodies, in thousands of FCFA.",
            "kFCFA",
        ),
        _b(
            "cost_<item>_usd",
            "cost by item",
            "A cost counter of the model over the run: cvr (community violence reduction "
            "funds), reinsertion and integration unit costs, allowances (committee "
            "allowances), sites (site construction), assembly_support (support in "
            "pre-cantonment and cantonment), moc (MOC salaries and support), registration, "
            "training (trainees' pay).",
            "USD",
        ),
        _h(
            "political_progress_end",
            "political progress at the end",
            "Political progress in the last month.",
            "0-1",
        ),
        _h(
            "mean_trust_end",
            "mean group trust at the end",
            "Mean trust between government and group over the groups that exist in the last month.",
            "0-1",
        ),
        _b(
            "quota_end",
            "integration quota at the end",
            "Integration places agreed in the last month (the quota, as raised by events).",
            "places",
        ),
    ]
