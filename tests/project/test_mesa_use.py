"""Mesa is used through its public API only, and not pinned to one version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Private Mesa state: underscore attributes of Mesa objects, private imports from mesa.
PRIVATE = re.compile(
    r"from mesa[\w.]* import _\w+"
    r"|\bmesa(\.\w+)*\._\w+"
    r"|\._(all_agents|agents_by_type|agents|mesa_scenario|scenario|steps|time)\b"
)


def test_no_private_mesa_attribute_is_touched():
    hits = []
    for path in sorted((ROOT / "ddr_sim").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hits, "private Mesa state used:\n" + "\n".join(hits)


def test_the_private_pattern_would_catch_the_old_bulk_registration():
    assert PRIVATE.search("model._all_agents._agents.update(added)")
    assert PRIVATE.search("from mesa.agentset import _HardKeyAgentSet")
    assert not PRIVATE.search("model.agents_by_type[Combatant]")


def test_mesa_is_pinned_to_a_range_not_one_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = [d for d in project["dependencies"] if d.startswith("mesa")]
    specs += [
        d for ds in project["optional-dependencies"].values() for d in ds if d.startswith("mesa")
    ]
    assert specs
    for spec in specs:
        assert "==" not in spec and "<" in spec and ">=" in spec, spec


def test_combatants_are_real_mesa_agents_that_answer_questions():
    from ddr_sim.config.loading import load_scenario
    from ddr_sim.core.combatant import Combatant
    from ddr_sim.core.model import DDRModel
    from ddr_sim.core.statuses import Status

    model = DDRModel(load_scenario(ROOT / "scenarios" / "teaching.yaml"), seed=1)
    for _ in range(60):
        model.step()
    people = model.agents_by_type[Combatant]
    assert len(people) == model.population.size
    integrated = people.select(lambda a: a.status == Status.INTEGRATED)
    assert len(integrated) == model.population.number_in(Status.INTEGRATED) > 0
    person = next(iter(integrated))
    assert person.serves_in == person.region
    moves = person.moves
    assert moves[0]["status"] == "active" and moves[-1]["status"] == "integrated"
    assert [m["month"] for m in moves] == sorted(m["month"] for m in moves)
