"""Load scenario files: YAML with line tracking, ``extends:``, ``--set`` overrides, validation.

A scenario is a YAML mapping validated against :class:`ddr_sim.config.scenario.Scenario`.
It is read with a *safe* loader that remembers, for every mapping key and sequence item,
the file and line it was written on (:mod:`ddr_sim.config.documents`), so that every
problem can be reported as::

    scenarios/x.yaml:42: groups.MNLA.armed: Input should be greater than or equal to 0 (got -5)

Items of ``groups``, ``regions`` and named ``events`` are named by their ``name`` in
such paths. Loading never hangs and never raises anything but :class:`ScenarioError`:
files are bounded and must be regular files (:mod:`ddr_sim.config.reading`), documents
are bounded in depth and alias expansion.

Inheritance (``extends:``)
--------------------------
A file may start from another one::

    extends: mali_2015.yaml      # path relative to the file that says it
    name: mali_2015_no_gold
    economy:
      gold_income: 15

The parent is resolved first (it may itself extend another file; a cycle is an error), then the
child is merged on top of it:

* mappings merge recursively, the child's value winning key by key;
* lists are replaced whole, **except** lists of mappings that all carry a ``name`` key
  (``regions``, ``groups``): these merge item by item by name. A child item overrides the fields
  it gives of the parent item with the same name; items with new names are appended. Items cannot
  be removed through ``extends:``;
* ``events`` is always replaced whole when the child gives ``events:``. To keep the parent's events
  and add more, the child writes ``events_add:`` (a list appended to the parent's events; if the
  child also gives ``events:``, ``events_add:`` is appended to the child's list).

``extends`` and ``events_add`` are only understood at the top level; the loader removes them
before validation.

Overrides (``--set``)
---------------------
``path.to.key=value`` is applied to the merged document before validation. The value is read as
a YAML flow value, so ``=0.3``, ``=true``, ``=[Kidal, Gao]``, ``="2015-06"`` all work. Path
segments index mappings by key and lists by integer index; lists of named mappings may also be
indexed by name (``groups.MNLA.armed=5000``). Missing mapping keys are created (the schema then
refuses unknown ones); an out-of-range index or an unknown name is an error.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ddr_sim.config.documents import DocMap, DocSeq, copy_doc, parse_yaml, plain
from ddr_sim.config.merging import resolve
from ddr_sim.config.paths import PathError, assign, split_path
from ddr_sim.config.problems import (
    Problem,
    ScenarioError,
    display_path,
    fail,
    position,
    validation_problems,
)
from ddr_sim.config.reading import read_mapping
from ddr_sim.config.scenario import Scenario, ScenarioConsistencyError

__all__ = [
    "OVERRIDE_SOURCE",
    "Problem",
    "ScenarioError",
    "apply_override",
    "export_json_schema",
    "load_scenario",
    "read_mapping",
    "resolved_yaml",
    "scenario_hash",
]

OVERRIDE_SOURCE = "--set"

# Names other modules used before the loader was split (kept so that they keep working;
# new code imports parse_yaml, plain and position from documents and problems).
_parse_yaml = parse_yaml
_plain = plain
_position = position


def apply_override(doc: DocMap, text: str) -> None:
    """Apply one ``path.to.key=value`` override to ``doc`` in place.

    Raises
    ------
    ScenarioError
        The override has no ``=``, a bad path, a value YAML cannot read, or names nothing.
    """
    if "=" not in text:
        message = f"override {text!r} has no '='; expected path.to.key=value"
        fail(OVERRIDE_SOURCE, None, "", message)
    raw_path, raw_value = text.split("=", 1)
    raw_path = raw_path.strip()
    try:
        split_path(raw_path)
    except PathError:
        message = f"override {text!r}: expected a dotted path like groups.MNLA.armed before '='"
        fail(OVERRIDE_SOURCE, None, raw_path, message)
    try:
        value, _ = parse_yaml(raw_value, OVERRIDE_SOURCE)
    except ScenarioError as err:
        message = f"override {text!r}: cannot read the value: {err.problems[0].message}"
        fail(OVERRIDE_SOURCE, None, raw_path, message)
    here = (OVERRIDE_SOURCE, None)
    try:
        assign(doc, raw_path, copy_doc(value, here), create=DocMap, pos=here)
    except PathError as err:
        fail(OVERRIDE_SOURCE, None, raw_path, f"override {text!r}: {err}")


def _explain_new_item(doc: DocMap) -> Any:
    """Explain a missing field of an item a child file added under a new name."""

    def explain(err: Any, loc: tuple[Any, ...]) -> str | None:
        if err["type"] != "missing" or len(loc) != 3 or not isinstance(loc[1], int):
            return None
        items = doc.get(loc[0])
        added = getattr(items, "added", {}).get(loc[1]) if isinstance(items, DocSeq) else None
        if added is None:
            return None
        parent, names = added
        name = items[loc[1]].get("name")
        what = str(loc[0]).removesuffix("s")
        close = difflib.get_close_matches(str(name), names, n=1)
        hint = (
            f"; did you mean {close[0]!r}?" if close else f"; its {loc[0]} are {', '.join(names)}"
        )
        return (
            f"required field is missing: {name!r} is not a {what} of the extended file "
            f"{parent}, so it is read as a new {what}, which must give {loc[2]}{hint}"
        )

    return explain


def _loc(path: str) -> list[Any]:
    return [int(s) if s.isdigit() else s for s in path.split(".")]


def load_scenario(path: str | os.PathLike[str], overrides: list[str] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path : str or path-like
        The scenario YAML file. It may ``extends:`` other files (see the module docstring).
    overrides : list of str, optional
        ``path.to.key=value`` overrides applied, in order, after ``extends:`` merging.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        For any problem: unreadable or missing file, YAML syntax, ``extends`` cycle, bad
        override, or schema violation. Each problem carries file, line and field path.
    """
    source = os.fspath(path)
    doc = copy_doc(resolve(Path(source), source))  # fresh containers: aliases share none
    for text in overrides or []:
        apply_override(doc, text)
    try:
        return Scenario.model_validate(plain(doc))
    except pydantic.ValidationError as exc:
        problems = validation_problems(exc, doc, source, Scenario, _explain_new_item(doc))
        raise ScenarioError(problems) from None
    except ScenarioConsistencyError as exc:  # not wrapped if raised outside a validator
        problems = [Problem(source, None, display_path(doc, _loc(p)), m) for p, m in exc.problems]
        raise ScenarioError(problems) from None


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 (hex) of the scenario's canonical JSON.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    str
        64 hex digits; equal scenarios (after defaults and coercion) give equal hashes.
    """
    text = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolved_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario (every default filled in) as YAML text.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    str
        YAML that :func:`load_scenario` reads back into an equal scenario.
    """
    return yaml.safe_dump(
        scenario.model_dump(mode="json"),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def export_json_schema(path: str | os.PathLike[str]) -> None:
    """Write the scenario JSON Schema (for editor autocompletion) as pretty JSON.

    The schema is ``Scenario.model_json_schema()`` plus the loader-only top-level keys
    ``extends`` and ``events_add``. A file that ``extends:`` another need not repeat the
    required top-level sections. Limits carry their reason under ``"limit"``.

    Parameters
    ----------
    path : str or path-like
        Output file; missing parent directories are created.
    """
    schema = Scenario.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ddr_sim scenario",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    props = schema.setdefault("properties", {})
    props["extends"] = {
        "type": "string",
        "title": "Extends",
        "description": "Scenario file this one starts from (path relative to this file).",
    }
    props["events_add"] = {
        "type": "array",
        "title": "Events Add",
        "items": {"$ref": "#/$defs/Event"},
        "description": "Events appended to the extended scenario's events.",
    }
    required = schema.pop("required", None)
    if required:
        schema["anyOf"] = [{"required": ["extends"]}, {"required": required}]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
