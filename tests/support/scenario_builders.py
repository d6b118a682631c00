"""Small, fast scenarios for the model tests.

``minimal_dict`` builds a plain dict of a minimal valid scenario (one or two groups, two
regions, a few hundred to a few thousand people, every programme closed, no hazards);
``with_overrides`` applies dotted-path overrides to a dict or a ``Scenario`` and validates
the result; ``build`` does both at once. ``run`` runs a model; ``mean_over_seeds`` averages
a statistic of finished runs over several seeds.

Dotted paths follow ``load_scenario``'s ``--set`` convention: segments index mappings by
key and lists by integer index; lists of named mappings (``regions``, ``groups``) may also
be indexed by name (``groups.Hills.initial_trust``). Missing mapping keys are created (the
schema then refuses unknown ones). A value of ``DELETE`` removes the key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ddr_sim.config.scenario import Scenario
from ddr_sim.core.model import DDRModel

START = "2015-01"

#: Sentinel value for ``with_overrides``: remove the key.
DELETE = object()


def month(k: int, start: str = START) -> str:
    """The ``YYYY-MM`` label ``k`` months after ``start``."""
    y0, m0 = (int(x) for x in start.split("-"))
    total = y0 * 12 + (m0 - 1) + k
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def minimal_dict(
    *,
    months: int = 36,
    n_groups: int = 1,
    armed: int = 600,
    unarmed: int = 200,
    youth_pool: int = 400,
    gold_sites: float = 0.0,
) -> dict[str, Any]:
    """A minimal valid scenario as a plain dict.

    Two regions: ``North`` (held by the first group, optional gold) and ``South`` (held by
    the government). ``n_groups`` (1 or 2) signatory groups sign in the first month. The
    mission is present throughout; no programme opens, no event happens, no extremist
    attacks. Everything else keeps the schema's defaults.
    """
    if n_groups not in (1, 2):
        raise ValueError("n_groups must be 1 or 2")
    groups = [
        {
            "name": "Hills",
            "coalition": "North-coalition",
            "signs": START,
            "armed": armed,
            "unarmed": unarmed,
            "regions": {"North": 0.7, "South": 0.3},
            "cohesion": 1.0,
        }
    ]
    if n_groups == 2:
        groups.append(
            {
                "name": "Plains",
                "coalition": "Loyalists",
                "signs": START,
                "armed": armed // 2,
                "unarmed": unarmed // 2,
                "regions": {"North": 0.3, "South": 0.7},
                "cohesion": 1.0,
            }
        )
    return {
        "name": "test-minimal",
        "calendar": {"start": START, "months": months},
        "regions": [
            {
                "name": "North",
                "youth_pool": youth_pool,
                "gold_sites": gold_sites,
                "controller": "Hills",
                "attack_rate": 0.0,
            },
            {
                "name": "South",
                "youth_pool": youth_pool,
                "gold_sites": 0.0,
                "controller": "government",
                "attack_rate": 0.0,
            },
        ],
        "groups": groups,
        # no paid delay unless a test asks for it
        "economy": {"committee_allowance": 60.0, "civil_service_pay": 60.0},
        "mission": {"deploys": START},
        "events": [],
    }


#: Overrides that freeze group trust (no mediation gain, no broken-calendar loss, salaries
#: always on time, no progress-driven gain): use when trust must not drift between arms.
CALM_TRUST: dict[str, Any] = {
    "behaviour.trust_from_mediation": 0.0,
    "behaviour.trust_loss_broken_calendar": 0.0,
    "behaviour.trust_from_progress": 0.0,
    "behaviour.guarantee_trust_loss": 0.0,
    "politics.pay_reliability": 1.0,
}


def _as_dict(base: Scenario | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(base, Scenario):
        return base.model_dump(mode="python")
    return copy.deepcopy(dict(base))


def _list_index(items: list, seg: str, path: str) -> int:
    if seg.lstrip("-").isdigit():
        i = int(seg)
        if not -len(items) <= i < len(items):
            raise KeyError(f"{path}: index {i} out of range (length {len(items)})")
        return i
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and item.get("name") == seg:
            return i
    raise KeyError(f"{path}: no item named {seg!r}")


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set ``doc[path]`` in place, ``path`` being dotted (see the module docstring)."""
    segments = path.split(".")
    node: Any = doc
    for depth, seg in enumerate(segments):
        last = depth == len(segments) - 1
        where = ".".join(segments[: depth + 1])
        if isinstance(node, dict):
            if last:
                if value is DELETE:
                    node.pop(seg, None)
                else:
                    node[seg] = copy.deepcopy(value)
            else:
                if node.get(seg) is None:
                    node[seg] = {}
                node = node[seg]
        elif isinstance(node, list):
            i = _list_index(node, seg, where)
            if last:
                node[i] = copy.deepcopy(value)
            else:
                node = node[i]
        else:
            raise KeyError(f"{where}: cannot index a {type(node).__name__}")


def with_overrides(
    base: Scenario | Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """A validated ``Scenario``: ``base`` (dict or Scenario) with dotted overrides applied."""
    doc = _as_dict(base)
    for path, value in (overrides or {}).items():
        set_path(doc, path, value)
    return Scenario.model_validate(doc)


def build(overrides: Mapping[str, Any] | None = None, **minimal: Any) -> Scenario:
    """``with_overrides(minimal_dict(**minimal), overrides)``."""
    return with_overrides(minimal_dict(**minimal), overrides)


def run(scenario: Scenario, seed: int) -> DDRModel:
    return DDRModel(scenario, seed).run()


def mean_over_seeds(
    scenario: Scenario, statistic: Callable[[DDRModel], float], seeds: Iterable[int]
) -> float:
    """Mean of ``statistic(model)`` over finished runs of ``scenario`` with ``seeds``."""
    return float(np.mean([statistic(run(scenario, s)) for s in seeds]))


def flow_total(model: DDRModel, name: str, months: slice = slice(None)) -> int:
    """Total of flow ``name`` over ``months``, every group and region."""
    return int(model.flows.values[name][months].sum())


def status_total(model: DDRModel, status: int, months: slice = slice(None)) -> np.ndarray:
    """People in ``status`` each month of ``months`` (all groups and regions)."""
    return model.history.counts[months, :, :, status].sum(axis=(1, 2))
