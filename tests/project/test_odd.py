"""The model description (docs/ODD.md) keeps up with the code.

These tests fail when a scenario parameter, a mechanism module or a function the
document names is added, renamed or removed without the document following.
"""

from __future__ import annotations

import importlib
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

import ddr_sim.core.mechanisms
from ddr_sim.config.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
ODD = ROOT / "docs" / "ODD.md"
MECHANISMS = Path(ddr_sim.core.mechanisms.__file__).parent

#: ``ddr_sim/x/y.py::Name`` or ``ddr_sim/x/y.py::Class.method`` anywhere in the document.
CODE_REF = re.compile(r"(ddr_sim(?:/\w+)*\.py)::([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


def _nested_model(annotation: typing.Any) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model behind a field (directly or as a list item), and whether a list."""
    for candidate in (annotation, *typing.get_args(annotation)):
        origin = typing.get_origin(candidate)
        if origin is list:
            (item,) = typing.get_args(candidate)
            if isinstance(item, type) and issubclass(item, BaseModel):
                return item, True
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, False
    return None, False


def scenario_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[str]:
    """Every leaf field path of the schema: ``behaviour.tie_weight``, ``groups[].armed``."""
    for name, field in model.model_fields.items():
        nested, is_list = _nested_model(field.annotation)
        path = f"{prefix}{name}"
        if nested is None:
            yield path
        else:
            yield from scenario_paths(nested, path + ("[]." if is_list else "."))


def documented_refs(text: str) -> list[tuple[str, str]]:
    return sorted(set(CODE_REF.findall(text)))


def resolve(file: str, name: str) -> object:
    """Import the module of ``file`` and follow the dotted ``name`` in it."""
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    obj: object = module
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def test_scenario_walk_finds_nested_and_list_fields():
    paths = set(scenario_paths())
    assert "behaviour.consent_ease.lists" in paths
    assert "groups[].armed" in paths
    assert "events[].severity" in paths
    assert "programmes.cantonment.build_months" in paths


def test_every_scenario_parameter_is_documented(odd):
    missing = [p for p in scenario_paths() if f"`{p}`" not in odd]
    assert not missing, f"docs/ODD.md does not mention these scenario fields: {missing}"


def test_every_parameter_has_a_row_in_the_parameter_table(odd):
    rows = set(re.findall(r"^\| `([^`]+)` \|", odd, flags=re.MULTILINE))
    missing = [p for p in scenario_paths() if p not in rows]
    assert not missing, f"the parameter table of docs/ODD.md lacks rows for: {missing}"
    known = set(scenario_paths())
    stale = sorted(
        r
        for r in rows
        if "." in r
        and r.split(".")[0].removesuffix("[]") in Scenario.model_fields
        and r not in known
    )
    assert not stale, f"docs/ODD.md documents fields the schema no longer has: {stale}"


def test_every_mechanism_module_is_named(odd):
    modules = sorted(p.stem for p in MECHANISMS.glob("*.py") if p.stem != "__init__")
    assert modules, "no mechanism modules found"
    missing = [m for m in modules if f"ddr_sim/core/mechanisms/{m}.py" not in odd]
    assert not missing, f"docs/ODD.md does not name these mechanism modules: {missing}"


def test_every_mechanism_module_has_an_implemented_in_reference(odd):
    lines = [line for line in odd.splitlines() if "Implemented in:" in line]
    blocks = "\n".join(
        odd.split("Implemented in:")[i + 1].split("\n\n")[0] for i in range(len(lines))
    )
    modules = sorted(p.stem for p in MECHANISMS.glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"ddr_sim/core/mechanisms/{m}.py::" not in blocks]
    assert not missing, f"no 'Implemented in:' reference into: {missing}"


def test_implemented_in_references_exist(odd):
    sections = odd.split("Implemented in:")[1:]
    assert len(sections) >= 12, "expected an 'Implemented in:' line per submodel"
    refs = documented_refs("\n".join(s.split("\n\n")[0] for s in sections))
    assert refs
    broken = []
    for file, name in refs:
        try:
            obj = resolve(file, name)
        except (ImportError, AttributeError) as err:
            broken.append(f"{file}::{name} ({err})")
            continue
        if not callable(obj):
            broken.append(f"{file}::{name} (not a function or class)")
    assert not broken, f"docs/ODD.md names code that does not exist: {broken}"


def test_every_code_reference_in_the_document_exists(odd):
    broken = []
    for file, name in documented_refs(odd):
        try:
            resolve(file, name)
        except (ImportError, AttributeError) as err:
            broken.append(f"{file}::{name} ({err})")
    assert not broken, f"docs/ODD.md names code that does not exist: {broken}"


def test_every_event_type_is_described(odd):
    event_types = typing.get_args(
        typing.get_args(Scenario.model_fields["events"].annotation)[0]
        .model_fields["type"]
        .annotation
    )
    assert event_types
    missing = [t for t in event_types if f"| `{t}` |" not in odd]
    assert not missing, f"docs/ODD.md section 6 does not describe event types: {missing}"
