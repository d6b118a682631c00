"""What is wrong with a config file: problems with file, line and field, and the one
translation of pydantic's validation errors into them.

Every loader of this package (scenario, experiment, targets and policy files) reports
through :class:`Problem` and :func:`validation_problems`, so that a message reads the same
whatever the file::

    scenarios/x.yaml:42: groups.MNLA.armed: Input should be greater than or equal to 0 (got -5)

Items of lists of named mappings (``groups``, ``regions``, ``events`` with a name) are
named by their ``name`` in field paths, not by their position.
"""

from __future__ import annotations

import datetime
import difflib
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import pydantic
from pydantic import BaseModel

from ddr_sim.config.calendar import MONTH_PATTERN
from ddr_sim.config.fields import limit_reason

__all__ = [
    "Problem",
    "ScenarioError",
    "display_path",
    "fail",
    "kind",
    "plain",
    "short_repr",
    "unknown",
    "validation_problems",
]

_MAX_INPUT_REPR = 80
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,'\u00a0 ]\d{3})+(\.\d+)?$")

Position = tuple[str, int | None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config file.

    Attributes
    ----------
    file : str
        File the offending text was written in, or ``"--set"`` for a command-line override.
    line : int or None
        1-based line in ``file``, when known.
    path : str
        Dotted field path, e.g. ``groups.MNLA.armed`` (empty when the problem is the file).
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


def fail(file: str, line: int | None, path: str, message: str) -> typing.NoReturn:
    """Raise a :class:`ScenarioError` with one problem."""
    raise ScenarioError([Problem(file, line, path, message)])


def kind(value: Any) -> str:
    """A reader's word for the type of a YAML value."""
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def plain(value: Any) -> Any:
    """A document as plain dicts and lists (what pydantic is given)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def short_repr(value: Any) -> str:
    """``repr`` of a (plain) value, cut to 80 characters."""
    text = repr(plain(value))
    if len(text) > _MAX_INPUT_REPR:
        text = text[: _MAX_INPUT_REPR - 3] + "..."
    return text


def unknown(what: str, name: Any, known: Sequence[Any]) -> str:
    """``unknown WHAT 'name'; expected one of: ... (did you mean '...'?)``."""
    known = [str(k) for k in known]
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = ", ".join(known[:40]) + (", ..." if len(known) > 40 else "")
    return f"unknown {what} {name!r}; expected one of: {shown}{hint}"


# --------------------------------------------------------------------------------------------
# Where a field was written, and how to name it


def named_item(items: Any, index: int) -> str | None:
    """The ``name`` of item ``index`` of a list of named mappings (unique names only)."""
    if not isinstance(items, list) or not 0 <= index < len(items):
        return None
    names = [i.get("name") if isinstance(i, dict) else None for i in items]
    if not all(isinstance(n, str) and n and not n.isdigit() and "." not in n for n in names):
        return None
    name = names[index]
    return name if names.count(name) == 1 else None


def display_path(doc: Any, loc: Sequence[Any]) -> str:
    """The dotted path of ``loc`` with list items of named mappings named by ``name``."""
    parts: list[str] = []
    node = doc
    for seg in loc:
        name = named_item(node, seg) if isinstance(seg, int) else None
        parts.append(name or str(seg))
        if isinstance(node, dict):
            node = node.get(seg) if seg in node else node.get(str(seg))
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            node = None
    return ".".join(parts)


def position(doc: Any, loc: Sequence[Any], root: str) -> tuple[Position, bool]:
    """Where the field at ``loc`` was written; ``(position, exact)``.

    ``doc`` is a document of :mod:`ddr_sim.config.documents` (its mappings and lists know
    their lines); plain data gives ``(root, None)``. When the path does not exist in the
    document (a missing or defaulted field), the position of the deepest part of the
    path that exists is returned with ``exact=False``.
    """
    node: Any = doc
    pos: Position = (root, None)
    for seg in loc:
        known = getattr(node, "pos", None)
        if isinstance(node, dict):
            key = seg if seg in node else _text_key(node, str(seg))
            if key not in node:
                return pos, False
            pos, node = (known[key] if known else pos), node[key]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            pos, node = (known[seg] if known else pos), node[seg]
        else:
            return pos, False
    return pos, True


def _text_key(node: dict, seg: str) -> Any:
    """The key of ``node`` written as ``seg`` (YAML may have read it as a number)."""
    for key in node:
        if not isinstance(key, str) and str(key) == seg:
            return key
    return seg


# --------------------------------------------------------------------------------------------
# Pydantic errors -> problems


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


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: info for name, info in model.model_fields.items()}


def model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at ``loc`` under ``root``."""
    tp: Any = root
    for seg in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = _fields(tp).get(seg) if isinstance(seg, str) else None
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


def _number_hint(given: Any) -> str:
    if isinstance(given, str) and _THOUSANDS.match(given.strip()):
        digits = re.sub(r"[,'\u00a0 ]", "", given.strip())
        return f"; write numbers without thousands separators ({digits}, not {given!r})"
    return ""


def message(err: Any, loc: Sequence[Any], root: type[BaseModel]) -> str:
    """A readable message for one pydantic error entry of a ``root`` document."""
    kind_ = err["type"]
    ctx = err.get("ctx") or {}
    if kind_ == "extra_forbidden":
        key = loc[-1] if loc else "?"
        model = model_at(root, loc[:-1])
        if model is None:
            return f"unknown key {key!r}"
        return unknown("key", key, list(_fields(model)))
    if kind_ == "missing":
        return "required field is missing"
    if kind_ == "invalid_key":
        return f"keys must be text; YAML read this key as {short_repr(err['input'])} (quote it)"
    if kind_ == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind_ == "assertion_error":
        return err["msg"]
    if kind_ == "string_pattern_mismatch" and ctx.get("pattern") == MONTH_PATTERN:
        msg = "expected a month as YYYY-MM"
    else:
        msg = err["msg"]
    given = err.get("input")
    if isinstance(given, datetime.date) and ctx.get("pattern") is None:
        return f"{msg} (got {given.isoformat()}, which YAML reads as a date; quote it)"
    text = f"{msg} (got {short_repr(given)}){_number_hint(given)}"
    if ctx.get("le") == 1 and isinstance(given, int | float) and 2 <= given <= 100:
        text += f"; write shares as 0-1 ({given:g} % is {given / 100:g})"
    if kind_ in ("less_than_equal", "less_than") or ctx.get("ge", 0) != 0:
        reason = limit_reason(model_at(root, loc[:-1]), loc[-1] if loc else None)
        text += f"; {reason}" if reason else ""
    return text


def validation_problems(
    exc: pydantic.ValidationError,
    doc: Any,
    source: str,
    root: type[BaseModel],
    explain: Callable[[Any, tuple[Any, ...]], str | None] | None = None,
) -> list[Problem]:
    """Every error of ``exc`` (validating ``doc`` against ``root``) as a :class:`Problem`.

    Parameters
    ----------
    exc : pydantic.ValidationError
    doc : document or plain data
        What was validated; a document of :mod:`ddr_sim.config.documents` gives lines.
    source : str
        File named when a field's own file is not known.
    root : pydantic model class
        The schema ``doc`` was validated against (for "did you mean" and limit reasons).
    explain : callable, optional
        ``explain(err, loc)`` may return a better message for an error (else None).

    Cross-field problems raised as an exception with ``problems`` (a list of
    ``(dotted path, message)``) become one problem each.
    """
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], text: str) -> None:
        (file, line), _ = position(doc, loc, source)
        problems.append(Problem(file, line, display_path(doc, loc), text))

    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "invalid_key" and loc:
            loc = (*loc[:-1], err["input"])  # pydantic's loc holds a hash-equal stand-in
        original = (err.get("ctx") or {}).get("error")
        listed = getattr(original, "problems", None)
        if isinstance(listed, list) and all(isinstance(p, tuple) for p in listed):
            for path, text in listed:
                add(tuple(int(s) if s.isdigit() else s for s in path.split(".")), text)
            continue
        better = explain(err, loc) if explain is not None else None
        add(loc, better or message(err, loc, root))
    return problems
