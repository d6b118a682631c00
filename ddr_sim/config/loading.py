"""Load scenario files: YAML with line tracking, ``extends:``, ``--set`` overrides, validation.

A scenario is a YAML mapping validated against :class:`ddr_sim.config.scenario.Scenario`.
This module reads it with a *safe* loader that remembers, for every mapping key and
sequence item, the file and line it was written on, so that every problem can be reported as::

    scenarios/x.yaml:42: groups.0.armed: Input should be greater than or equal to 0 (got -5)

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

import datetime
import difflib
import hashlib
import json
import os
import types
import typing
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import pydantic
import yaml
from pydantic import BaseModel

from ddr_sim.config.scenario import Scenario, ScenarioConsistencyError

__all__ = [
    "Problem",
    "ScenarioError",
    "export_json_schema",
    "load_scenario",
    "resolved_yaml",
    "scenario_hash",
]

OVERRIDE_SOURCE = "--set"
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_MAX_INPUT_REPR = 80

Position = tuple[str, int | None]


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes
    ----------
    file : str
        File the offending text was written in, or ``"--set"`` for a command-line override.
    line : int or None
        1-based line in ``file``, when known.
    path : str
        Dotted field path, e.g. ``groups.0.armed`` (empty when the problem is the whole file).
    message : str
        What is wrong, with what was expected and what was given where that helps.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists every reason found.

    Parameters
    ----------
    problems : list of Problem
        The problems, in the order they were found. ``str(err)`` renders one per line.
    """

    #: What was being loaded, in messages ("invalid scenario: 2 problems").
    what = "scenario"

    def __init__(self, problems: list[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)  # args stay picklable (multiprocessing, dask)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _fail(file: str, line: int | None, path: str, message: str) -> typing.NoReturn:
    raise ScenarioError([Problem(file, line, path, message)])


# --------------------------------------------------------------------------------------------
# Documents that remember where each key and item was written


class _Map(dict):
    """A mapping that records the ``(file, line)`` of each of its keys."""

    def __init__(self) -> None:
        super().__init__()
        self.pos: dict[Any, Position] = {}

    def put(self, key: Any, value: Any, pos: Position) -> None:
        self[key] = value
        self.pos[key] = pos

    def remove(self, key: Any) -> tuple[Any, Position]:
        return self.pop(key), self.pos.pop(key)


class _Seq(list):
    """A list that records the ``(file, line)`` of each of its items."""

    def __init__(self) -> None:
        super().__init__()
        self.pos: list[Position] = []

    def add(self, value: Any, pos: Position) -> None:
        self.append(value)
        self.pos.append(pos)


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings and sequences remember their source lines.

    Only the standard YAML tags are constructed (``yaml.SafeLoader``); ``!!python/...`` tags are
    refused. Repeated keys in one mapping are an error instead of silently keeping the last.
    """

    def __init__(self, stream: str, source: str):
        super().__init__(stream)
        self.source = source


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    yield data
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} repeated (first given on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = line
    loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found unhashable key",
                key_node.start_mark,
            )
        data.put(
            key, loader.construct_object(value_node), (loader.source, key_node.start_mark.line + 1)
        )


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    yield data
    for item_node in node.value:
        data.add(loader.construct_object(item_node), (loader.source, item_node.start_mark.line + 1))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _yaml_problem(source: str, err: yaml.YAMLError) -> Problem:
    """Turn a PyYAML error into a Problem with the parser's line."""
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        parts = [p for p in (err.context, err.problem) if p]
        text = "; ".join(parts) or "invalid YAML"
        if mark is not None:
            message = f"YAML error: {text} (column {mark.column + 1})"
            return Problem(source, mark.line + 1, "", message)
        return Problem(source, None, "", f"YAML error: {text}")
    return Problem(source, None, "", f"YAML error: {err}")


def _parse_yaml(text: str, source: str) -> tuple[Any, int | None]:
    """Parse one YAML document into ``_Map``/``_Seq``/scalars, or raise ScenarioError."""
    loader = _LineLoader(text, source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        return loader.construct_document(node), node.start_mark.line + 1
    except yaml.YAMLError as err:
        raise ScenarioError([_yaml_problem(source, err)]) from None
    finally:
        loader.dispose()


def read_mapping(
    path: Path,
    source: str,
    what: str = "scenario file",
    fields: str = "scenario sections",
    error: type[ScenarioError] | None = None,
) -> tuple[str, _Map]:
    """Read and parse one YAML file whose top level must be a mapping.

    Returns its text and the line-tracking document; raises ``error`` (default
    :class:`ScenarioError`) naming the file, and the line where known, otherwise.
    ``what`` and ``fields`` name the kind of file and what its top level holds.
    """
    error = error or ScenarioError

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return error([Problem(source, line, "", message)])

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail("file not found") from None
    except IsADirectoryError:
        raise fail(f"is a directory, not a {what}") from None
    except UnicodeDecodeError as err:
        raise fail(f"cannot read file: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise fail(f"cannot read file: {err.strerror or err}") from None
    try:
        data, line = _parse_yaml(text, source)
    except ScenarioError as err:
        raise error(err.problems) from None
    if data is None:
        raise fail(f"the file is empty; expected a mapping of {fields}")
    if not isinstance(data, _Map):
        raise fail(f"the top level must be a mapping of {fields}, not a {_kind(data)}", line)
    return text, data


def _read_file(path: Path, source: str) -> _Map:
    """Read and parse one scenario file; its top level must be a mapping."""
    return read_mapping(path, source)[1]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _copy(value: Any, pos: Position | None = None) -> Any:
    """Deep copy of a document; with ``pos``, every position is replaced by it."""
    if isinstance(value, _Map):
        out = _Map()
        for k, v in value.items():
            out.put(k, _copy(v, pos), pos or value.pos[k])
        return out
    if isinstance(value, _Seq):
        seq = _Seq()
        for v, p in zip(value, value.pos, strict=True):
            seq.add(_copy(v, pos), pos or p)
        return seq
    return value


def _plain(value: Any) -> Any:
    """The document as plain dicts and lists (what pydantic is given)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# extends: and merging


def _is_named_list(value: Any) -> bool:
    return (
        isinstance(value, _Seq)
        and len(value) > 0
        and all(isinstance(item, _Map) and "name" in item for item in value)
    )


def _name_key(item: _Map) -> Any:
    name = item["name"]
    return name if isinstance(name, Hashable) else repr(name)


def _merge(parent: Any, child: Any) -> Any:
    """Merge ``child`` on top of ``parent`` (see the module docstring for the rules)."""
    if isinstance(parent, _Map) and isinstance(child, _Map):
        out = _copy(parent)
        for key, value in child.items():
            if key in out:
                out.put(key, _merge(out[key], value), child.pos[key])
            else:
                out.put(key, _copy(value), child.pos[key])
        return out
    if _is_named_list(parent) and _is_named_list(child):
        out = _copy(parent)
        index = {_name_key(item): i for i, item in enumerate(out)}
        from_child: set[Any] = set()
        for item, pos in zip(child, child.pos, strict=True):
            key = _name_key(item)
            if key in index and key not in from_child:
                i = index[key]
                out[i] = _merge(out[i], item)
                out.pos[i] = pos
            else:
                # New name, or a name repeated within the child: keep it so that validation
                # reports the repetition instead of it being silently folded away.
                out.add(_copy(item), pos)
            from_child.add(key)
        return out
    return _copy(child)


def _display_path(base_display: str, target: str) -> str:
    """How to name ``target`` (written in the file shown as ``base_display``) in messages."""
    if os.path.isabs(target):
        return target
    return os.path.normpath(os.path.join(os.path.dirname(base_display), target))


def _resolve(path: Path, source: str, chain: list[tuple[Path, str]]) -> _Map:
    """Read ``path`` and everything it extends; return the merged document."""
    doc = _read_file(path, source)
    extends: tuple[Any, Position] | None = doc.remove("extends") if "extends" in doc else None
    events_add: tuple[Any, Position] | None = (
        doc.remove("events_add") if "events_add" in doc else None
    )

    merged = doc
    if extends is not None:
        target, (efile, eline) = extends
        if not isinstance(target, str) or not target.strip():
            _fail(
                efile,
                eline,
                "extends",
                f"expected the path of another scenario file (got {_short_repr(target)})",
            )
        parent_path = path.parent / target
        parent_source = _display_path(source, target)
        here = [(path.resolve(), source)]
        seen = chain + here
        resolved_parent = parent_path.resolve()
        for i, (p, _) in enumerate(seen):
            if p == resolved_parent:
                names = [s for _, s in seen[i:]] + [parent_source]
                _fail(efile, eline, "extends", "extends cycle: " + " -> ".join(names))
        if not parent_path.exists():
            _fail(efile, eline, "extends", f"extended file {parent_source} not found")
        parent = _resolve(parent_path, parent_source, seen)
        child_events = doc.remove("events") if "events" in doc else None
        merged = _merge(parent, doc)
        if child_events is not None:
            merged.put("events", _copy(child_events[0]), child_events[1])

    if events_add is not None:
        extra, add_pos = events_add
        if not isinstance(extra, _Seq):
            _fail(
                add_pos[0],
                add_pos[1],
                "events_add",
                f"expected a list of events (got a {_kind(extra)})",
            )
        base = merged.get("events")
        if base is None:
            combined = _Seq()
            key_pos = add_pos
        elif isinstance(base, _Seq):
            combined = _copy(base)
            key_pos = merged.pos["events"]
        else:
            p = merged.pos["events"]
            _fail(
                p[0], p[1], "events", f"events_add needs events to be a list (got a {_kind(base)})"
            )
        for item, pos in zip(extra, extra.pos, strict=True):
            combined.add(_copy(item), pos)
        merged.put("events", combined, key_pos)
    return merged


# --------------------------------------------------------------------------------------------
# --set overrides


def _apply_override(doc: _Map, text: str) -> None:
    """Apply one ``path.to.key=value`` override to ``doc`` in place."""
    if "=" not in text:
        _fail(
            OVERRIDE_SOURCE, None, "", f"override {text!r} has no '='; expected path.to.key=value"
        )
    raw_path, raw_value = text.split("=", 1)
    raw_path = raw_path.strip()
    segments = raw_path.split(".")
    if not raw_path or any(not s for s in segments):
        _fail(
            OVERRIDE_SOURCE,
            None,
            raw_path,
            f"override {text!r}: expected a dotted path like groups.MNLA.armed before '='",
        )

    def bad(message: str) -> typing.NoReturn:
        _fail(OVERRIDE_SOURCE, None, raw_path, f"override {text!r}: {message}")

    try:
        value, _ = _parse_yaml(raw_value, OVERRIDE_SOURCE)
    except ScenarioError as err:
        bad(f"cannot read the value: {err.problems[0].message}")
    value = _copy(value, (OVERRIDE_SOURCE, None))
    here = (OVERRIDE_SOURCE, None)

    node: Any = doc
    for depth, seg in enumerate(segments):
        last = depth == len(segments) - 1
        where = ".".join(segments[:depth]) or "the top level"
        if isinstance(node, _Map):
            key = _map_key(node, seg)
            if last:
                node.put(key, value, here)
            elif key in node:
                node = node[key]
            else:
                fresh = _Map()
                node.put(key, fresh, here)
                node = fresh
        elif isinstance(node, _Seq):
            i = _seq_index(node, seg, where, bad)
            if last:
                node[i] = value
                node.pos[i] = here
            else:
                node = node[i]
        else:
            bad(f"{where} is a {_kind(node)} ({_short_repr(node)}), it has no field {seg!r}")


def _map_key(node: _Map, seg: str) -> Any:
    """The key of ``node`` that path segment ``seg`` names (non-string keys matched by text)."""
    if seg in node:
        return seg
    for key in node:
        if not isinstance(key, str) and str(key) == seg:
            return key
    return seg


def _seq_index(node: _Seq, seg: str, where: str, bad: Any) -> int:
    try:
        i = int(seg)
    except ValueError:
        if _is_named_list(node):
            for j, item in enumerate(node):
                if str(item["name"]) == seg:
                    return j
            names = ", ".join(str(item["name"]) for item in node)
            bad(f"no item named {seg!r} in {where}; names are: {names}")
        bad(f"{where} is a list; index it by position (0..{len(node) - 1}), not {seg!r}")
    if not 0 <= i < len(node):
        bad(f"index {i} is out of range for {where} ({len(node)} item(s))")
    return i


# --------------------------------------------------------------------------------------------
# Validation errors -> problems


def _position(doc: _Map, loc: tuple[Any, ...], root: str) -> tuple[Position, bool]:
    """Where the field at ``loc`` was written; ``(position, exact)``.

    When the path does not exist in the document (a missing or defaulted field), the position of
    the deepest part of the path that does exist is returned with ``exact=False``.
    """
    node: Any = doc
    pos: Position = (root, None)
    for seg in loc:
        if isinstance(node, _Map):
            key = seg if seg in node else _map_key(node, str(seg))
            if key not in node:
                return pos, False
            pos, node = node.pos[key], node[key]
        elif isinstance(node, _Seq) and isinstance(seg, int) and 0 <= seg < len(node):
            pos, node = node.pos[seg], node[seg]
        else:
            return pos, False
    return pos, True


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at ``loc``."""
    tp: Any = Scenario
    for seg in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(seg) if isinstance(seg, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) is list and isinstance(seg, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` to the underlying type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _short_repr(value: Any) -> str:
    text = repr(_plain(value))
    if len(text) > _MAX_INPUT_REPR:
        text = text[: _MAX_INPUT_REPR - 3] + "..."
    return text


def _message(err: Any, loc: tuple[Any, ...]) -> str:
    """A readable message for one pydantic error entry."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        model = _model_at(loc[:-1])
        if model is None:
            return f"unknown key {key!r}"
        allowed = list(model.model_fields)
        text = f"unknown key {key!r}; expected one of: {', '.join(allowed)}"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        return text + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "missing":
        return "required field is missing"
    if kind == "invalid_key":
        return f"keys must be text; YAML read this key as {_short_repr(err['input'])} (quote it)"
    if kind == "value_error" and "error" in ctx:
        msg = str(ctx["error"])
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == _MONTH_PATTERN:
        msg = "expected a month as YYYY-MM"
    else:
        msg = err["msg"]
    if kind in ("value_error", "assertion_error"):
        return msg
    given = err["input"]
    if isinstance(given, datetime.date) and ctx.get("pattern") is None:
        return f"{msg} (got {given.isoformat()}, which YAML reads as a date; quote it)"
    return f"{msg} (got {_short_repr(err['input'])})"


def _validation_problems(exc: pydantic.ValidationError, doc: _Map, root: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        (file, line), _ = _position(doc, loc, root)
        problems.append(Problem(file, line, ".".join(str(s) for s in loc), message))

    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "invalid_key" and loc:
            loc = (*loc[:-1], err["input"])  # pydantic's loc holds a hash-equal stand-in
        ctx = err.get("ctx") or {}
        original = ctx.get("error")
        if isinstance(original, ScenarioConsistencyError):
            for path, message in original.problems:
                add(tuple(int(s) if s.isdigit() else s for s in path.split(".")), message)
        else:
            add(loc, _message(err, loc))
    return problems


# --------------------------------------------------------------------------------------------
# Public API


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
    try:
        doc = _resolve(Path(source), source, [])
        doc = _copy(doc)  # fresh containers: YAML aliases must not share state under overrides
    except RecursionError:
        _fail(source, None, "", "the document refers to itself (recursive YAML alias)")
    for text in overrides or []:
        _apply_override(doc, text)
    try:
        return Scenario.model_validate(_plain(doc))
    except pydantic.ValidationError as exc:
        raise ScenarioError(_validation_problems(exc, doc, source)) from None
    except ScenarioConsistencyError as exc:  # not wrapped if raised outside a validator
        raise ScenarioError([Problem(source, None, p, m) for p, m in exc.problems]) from None


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
    required top-level sections.

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
