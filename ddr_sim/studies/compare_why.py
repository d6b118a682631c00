"""Why a policy changed nothing: where its effect stopped, from the gate counts.

Every run records, per exit option of the monthly choice (pre-cantonment, cantonment,
integration, reinsertion), how many people who reconsidered were candidates for it, were
offered it, chose it and took it, and the first gate that closed it to the others
(:mod:`ddr_sim.runs.gates`). For a policy without a clear effect (its headline
differences are zero in every seed, or all their 90 % intervals contain zero) the report
compares those counts between the baseline and the policy, for the exit options the
policy's settings act on: an option offered to nobody in either arm was stopped by its
gates; one whose offers or choices changed without changing who took it was stopped by
the places; one taken more often without changing the headline was stopped further on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ddr_sim.config.policies import BASELINE
from ddr_sim.config.recordables import EXIT_OPTIONS, GATE_COUNTS, GATES
from ddr_sim.runs.gates import gate_total

if TYPE_CHECKING:
    import pandas as pd

    from ddr_sim.config.scenario import Scenario
    from ddr_sim.studies.compare import Comparison

#: The exit options a setting acts on first, by the start of its dotted path (settings
#: not listed act on the process as a whole: every option is looked at).
ACTS_ON: dict[str, tuple[str, ...]] = {
    "programmes.pre_cantonment": ("pre_cantonment",),
    "programmes.cantonment": ("cantonment",),
    "programmes.accelerated_ddr": ("integration",),
    "programmes.integration": ("integration",),
    "programmes.reinsertion": ("reinsertion",),
    "programmes.militia_programme": ("integration", "reinsertion"),
    "behaviour.reinsertion": ("reinsertion",),
    "behaviour.unfit_reinsertion": ("reinsertion",),
    "economy.army_pay": ("integration",),
}

#: How the report names each gate.
GATE_TEXT: dict[str, str] = {
    "programme": "programme not open",
    "consent": "group consent",
    "held_back": "held back by the group",
    "eligibility": "eligibility (child, declared unfit, unarmed)",
    "places": "no places",
}

OPTION_TEXT: dict[str, str] = {
    "pre_cantonment": "pre-cantonment",
    "cantonment": "cantonment",
    "integration": "integration",
    "reinsertion": "reinsertion",
}


@dataclass(frozen=True)
class GateMeans:
    """Mean per run, over the paired seeds, of one arm's gate counts of one exit option."""

    counts: dict[str, float]

    def __getitem__(self, count: str) -> float:
        return self.counts[count]

    def closing(self) -> list[tuple[str, float]]:
        """The gates that closed the option to someone, most first."""
        closed = [(g, self.counts[f"closed_by_{g}"]) for g in GATES]
        return sorted([c for c in closed if c[1] > 0], key=lambda c: -c[1])


def no_clear_effect(comparison: Comparison) -> list[str]:
    """Policies whose headline differences all have a 90 % interval containing zero (at
    every horizon, net exits included): identical runs among them."""
    s = comparison.stats
    if s.empty:
        return []
    clear = s.groupby("policy", sort=False)["contains_zero"].all()
    return [name for name, nil in clear.items() if nil]


def identical(comparison: Comparison, policy: str) -> bool:
    """Every headline difference is exactly zero in every seed."""
    d = comparison.differences
    mine = d[d["policy"] == policy]
    return bool(len(mine)) and bool((mine["difference"] == 0).all())


def changed_settings(base: Scenario, variant: Scenario) -> list[str]:
    """Dotted paths of the settings that differ between two scenarios (lists of named
    items indexed by name)."""
    out: list[str] = []
    _diff(base.model_dump(mode="json"), variant.model_dump(mode="json"), "", out)
    return out


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and _named(a) and _named(b):
        _diff({i["name"]: i for i in a}, {i["name"]: i for i in b}, path, out)
    elif a != b:
        out.append(path)


def _named(items: list) -> bool:
    return all(isinstance(i, dict) and "name" in i for i in items)


def options_acted_on(settings: Iterable[str]) -> list[str]:
    """The exit options the settings act on (every option when one acts on the whole)."""
    found: list[str] = []
    for path in settings:
        hit = [opts for prefix, opts in ACTS_ON.items() if path.startswith(prefix)]
        if not hit:
            return list(EXIT_OPTIONS)
        found.extend(o for opts in hit for o in opts)
    return [o for o in EXIT_OPTIONS if o in found] or list(EXIT_OPTIONS)


def gate_means(summaries: pd.DataFrame, policy: str, seeds: list[int]) -> dict[str, GateMeans]:
    """Per exit option, the arm's mean gate counts per run over ``seeds``."""
    part = summaries[(summaries["policy"] == policy) & summaries["seed"].isin(seeds)]
    return {
        option: GateMeans(
            {
                c: float(part[gate_total(option, c)].astype(float).mean()) if len(part) else 0.0
                for c in GATE_COUNTS
            }
        )
        for option in EXIT_OPTIONS
    }


def paired_seeds(summaries: pd.DataFrame, policy: str) -> list[int]:
    """Seeds both the baseline and the policy finished."""
    seeds = [set(summaries.loc[summaries["policy"] == p, "seed"]) for p in (BASELINE, policy)]
    return sorted(seeds[0] & seeds[1])


def explain(comparison: Comparison, policy: str) -> list[str]:
    """Sentences saying where the policy's effect stopped (empty without gate counts)."""
    s = comparison.summaries
    if gate_total(EXIT_OPTIONS[0], "offered") not in s.columns:
        return []
    seeds = paired_seeds(s, policy)
    if not seeds:
        return []
    base, mine = gate_means(s, BASELINE, seeds), gate_means(s, policy, seeds)
    prepared = comparison.prepared
    settings = changed_settings(prepared.baseline, prepared.scenarios[policy])
    lines = []
    for option in options_acted_on(settings):
        lines.append(_option_line(option, base[option], mine[option]))
    if _same_counts(s, policy, seeds):
        lines.append(
            "Who was offered, chose and took each exit option is the same as in the "
            "baseline in every seed: the policy never reached anyone's choice."
        )
    return lines


def _same_counts(summaries: pd.DataFrame, policy: str, seeds: list[int]) -> bool:
    columns = [gate_total(o, c) for o in EXIT_OPTIONS for c in GATE_COUNTS]

    def arm(name: str) -> np.ndarray:
        part = summaries[(summaries["policy"] == name) & summaries["seed"].isin(seeds)]
        return part.sort_values("seed")[columns].to_numpy(float)

    return bool(np.array_equal(arm(BASELINE), arm(policy)))


def _option_line(option: str, base: GateMeans, mine: GateMeans) -> str:
    name = OPTION_TEXT[option]
    closing = _closing_text(mine if mine["candidates"] else base)
    if base["offered"] == 0 and mine["offered"] == 0:
        if base["candidates"] == 0 and mine["candidates"] == 0:
            return f"**{name}**: nobody was in a status it leads from, in either arm."
        return (
            f"**{name}** was offered to nobody in either arm: of "
            f"{_n(mine['candidates'])} candidate person-months per run, closed by {closing}."
        )
    offered = _change("offered to", base["offered"], mine["offered"], "person-months")
    chose = _change("chosen", base["chose"], mine["chose"], "times")
    took = _change("taken", base["took"], mine["took"], "times")
    head = f"**{name}**: {offered}; {chose}; {took} per run"
    if round(base["took"]) != round(mine["took"]):
        tail = (
            "the policy changed how many took it, but that did not carry through to the "
            "headline indicators (the steps after it stayed closed or the change was "
            "within the spread of seeds)"
        )
    elif round(base["chose"]) != round(mine["chose"]):
        tail = (
            "the policy changed the choice of those offered, but not how many took it: "
            "the places left admitted the same number"
        )
    elif round(base["offered"]) != round(mine["offered"]):
        tail = "the policy changed who was offered it, but not their choice"
    else:
        tail = "the policy changed neither who was offered it nor their choice"
    if closing == _NO_GATE:
        return f"{head}: {tail}."
    return f"{head}: {tail}. Closed to the other candidates by {closing}."


_NO_GATE = "no gate"


def _closing_text(means: GateMeans) -> str:
    gates = means.closing()
    if not gates:
        return _NO_GATE
    return ", ".join(f"{GATE_TEXT[g]} in {_n(n)}" for g, n in gates)


def _change(verb: str, before: float, after: float, unit: str) -> str:
    if round(before) == round(after):
        return f"{verb} {_n(after)} {unit} in both arms"
    return f"{verb} {_n(before)} {unit} in the baseline, {_n(after)} with the policy"


def _n(value: float) -> str:
    return f"{value:,.0f}"


def why_section(comparison: Comparison, add: Callable[[str], None], label: Callable) -> None:
    """The report's section on the policies without a clear effect."""
    names = no_clear_effect(comparison)
    if not names:
        return
    add("## Where the effect stopped")
    add("")
    add(
        "Policies without a clear effect: every headline difference has a 90 % interval "
        "containing 0, at every horizon. From the gate counts of the baseline and the "
        "policy (`<exit>_<count>_total` in the summaries: among the people who reconsidered "
        "their situation each month, who was a candidate for each exit option, offered it, "
        "chose it and took it, and for the others the first gate that closed it, in the "
        "order " + ", ".join(GATE_TEXT.values()) + "), means per run over the paired seeds, "
        "for the exit options the policy's settings act on."
    )
    add("")
    for name in names:
        kind = (
            "identical to the baseline in every seed"
            if identical(comparison, name)
            else "no clear effect"
        )
        add(f"### {label(comparison, name)}: {kind}")
        add("")
        lines = explain(comparison, name)
        if not lines:
            add("The runs hold no gate counts (saved by an older version).")
            add("")
        for line in lines:
            add(f"- {line}")
        add("")
