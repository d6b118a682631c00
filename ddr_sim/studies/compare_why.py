"""Why a policy changed nothing: where its effect stopped, from the gate counts.

Every run records, per exit option of the monthly choice (pre-cantonment, cantonment,
integration, reinsertion), how many people who reconsidered were candidates for it, were
offered it, chose it and took it, and the first gate that closed it to the others
(:mod:`ddr_sim.runs.gates`). For a policy without a clear effect (its headline
differences are zero in every seed, or those of its outcomes, cost aside, all have a
90 % interval containing zero) the report
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
from ddr_sim.studies.compare_stats import MEASURES, contains_zero, interval

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
    "held_back": "the group holding them back",
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
class GateCounts:
    """One arm's gate counts of one exit option, per paired seed (in seed order)."""

    counts: dict[str, np.ndarray]

    def __getitem__(self, count: str) -> np.ndarray:
        return self.counts[count]

    def mean(self, count: str) -> float:
        values = self.counts[count]
        return float(values.mean()) if len(values) else 0.0

    def closing(self) -> list[tuple[str, float]]:
        """The gates that closed the option to someone (a mean of at least one
        person-month per run), most first."""
        closed = [(g, self.mean(f"closed_by_{g}")) for g in GATES]
        return sorted([c for c in closed if round(c[1]) > 0], key=lambda c: -c[1])

    @classmethod
    def of(cls, counts: dict[str, Iterable[float]]) -> GateCounts:
        return cls({c: np.asarray(list(v), float) for c, v in counts.items()})


def no_clear_effect(comparison: Comparison) -> list[str]:
    """Policies whose outcome differences all have a 90 % interval containing zero, at
    every horizon, net exits included (cost, what a policy spends rather than what it
    achieves, aside): identical runs among them."""
    s = comparison.stats
    if s.empty:
        return []
    spending = {m.key for m in MEASURES if m.better == 0}
    s = s[~s["measure"].isin(spending)]
    clear = s.groupby("policy", sort=False)["contains_zero"].all()
    return [name for name, nil in clear.items() if nil]


def identical(comparison: Comparison, policy: str) -> bool:
    """Every headline difference is exactly zero in every seed."""
    d = comparison.differences
    mine = d[d["policy"] == policy]
    return bool(len(mine)) and bool((mine["difference"] == 0).all())


#: Scenario fields that describe it without changing the model.
LABELS = ("name", "description")


def changed_settings(base: Scenario, variant: Scenario) -> list[str]:
    """Dotted paths of the settings that differ between two scenarios (lists of named
    items indexed by name; the scenario's name and description left out)."""
    out: list[str] = []
    _diff(base.model_dump(mode="json"), variant.model_dump(mode="json"), "", out)
    return [path for path in out if path not in LABELS]


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


def gate_counts(summaries: pd.DataFrame, policy: str, seeds: list[int]) -> dict[str, GateCounts]:
    """Per exit option, the arm's gate counts in each of ``seeds``."""
    part = summaries[(summaries["policy"] == policy) & summaries["seed"].isin(seeds)]
    part = part.sort_values("seed")
    return {
        option: GateCounts.of(
            {c: part[gate_total(option, c)].astype(float).to_numpy() for c in GATE_COUNTS}
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
    base, mine = gate_counts(s, BASELINE, seeds), gate_counts(s, policy, seeds)
    prepared = comparison.prepared
    options = options_acted_on(changed_settings(prepared.baseline, prepared.scenarios[policy]))
    assembly_taken = any(_clear(base[o]["took"], mine[o]["took"]) for o in options if o in ASSEMBLY)
    if assembly_taken and "integration" not in options:
        options.append("integration")  # where people go from an assembly area
    lines = [_option_line(option, base[option], mine[option]) for option in options]
    if all(np.array_equal(base[o][c], mine[o][c]) for o in EXIT_OPTIONS for c in GATE_COUNTS):
        lines.append(
            "Who was offered, chose and took each exit option is the same as in the "
            "baseline in every seed: the policy never reached anyone's choice."
        )
    return lines


#: Exit options that lead on to integration.
ASSEMBLY = ("pre_cantonment", "cantonment")


def _clear(before: np.ndarray, after: np.ndarray) -> bool:
    """The paired change has a 90 % interval clear of zero."""
    if not len(before):
        return False
    d = interval(after - before)
    return not contains_zero(d["p05"], d["p95"])


def _option_line(option: str, base: GateCounts, mine: GateCounts) -> str:
    name = OPTION_TEXT[option]
    closing = _closing_text(mine if mine.mean("candidates") else base)
    if not base["offered"].any() and not mine["offered"].any():
        if not base["candidates"].any() and not mine["candidates"].any():
            return f"**{name}**: nobody was in a status it leads from, in either arm."
        return (
            f"**{name}** was offered to nobody in either arm: of "
            f"{_n(mine.mean('candidates'))} candidate person-months per run, closed "
            f"{closing}."
        )
    changed = {c: _clear(base[c], mine[c]) for c in ("offered", "chose", "took")}
    mark = any(changed.values())
    numbers = "; ".join(
        f"{verb} {_n(base.mean(c))} -> {_n(mine.mean(c))}"
        + (" (no clear change)" if mark and not changed[c] else "")
        for c, verb in (("offered", "offered"), ("chose", "chosen"), ("took", "taken"))
    )
    if changed["took"]:
        more = "More" if mine.mean("took") > base.mean("took") else "Fewer"
        tail = f"{more} took it, but that did not carry through to the outcomes: {AFTER[option]}"
    elif changed["chose"]:
        tail = (
            "The policy changed the choice of those offered, but not how many took it: "
            "the places left admitted about the same number"
        )
    elif changed["offered"]:
        tail = "The policy changed who was offered it, but not how many chose it"
    else:
        tail = "No clear change in who was offered it, chose it or took it"
    line = f"**{name}** (person-months per run, baseline -> policy): {numbers}. {tail}."
    if closing != _NO_GATE:
        line += f" Closed to the other candidates: {closing}."
    return line


#: What follows each exit option before it shows in the outcomes.
AFTER: dict[str, str] = {
    "pre_cantonment": "from an assembly area people still need integration to open to them",
    "cantonment": "from a site people still need integration to open to them",
    "integration": "registration is followed by screening, training, settled ranks and "
    "the quota before anyone is integrated",
    "reinsertion": "the change is within the spread of the outcomes over seeds",
}


_NO_GATE = "no gate"


def _closing_text(counts: GateCounts) -> str:
    gates = counts.closing()
    if not gates:
        return _NO_GATE
    return ", ".join(f"{_n(n)} by {GATE_TEXT[g]}" for g, n in gates)


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
        "Policies without a clear effect: every difference in an outcome (the indicators "
        "above and net exits; cost aside) has a 90 % interval containing 0, at every "
        "horizon. From the gate counts of the baseline and the "
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
