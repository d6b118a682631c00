"""Dotted paths into config documents: ``politics.progress_rate``, ``groups.MNLA.armed``.

One engine for every dotted path of the package: ``--set`` overrides and an
experiment's ``set:`` (:mod:`ddr_sim.config.loading`), an experiment's and a targets
file's parameter paths (:mod:`ddr_sim.config.experiment`, :mod:`ddr_sim.config.targets`).

A segment indexes a mapping by key (a key YAML read as a number matches its text) and a
list by position; a list of mappings that all carry a ``name`` (``groups``, ``regions``)
may also be indexed by name, which is tried first. In :func:`expand_path` a ``*``
segment stands for every item of a list or every key of a mapping.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from ddr_sim.config.problems import kind, short_repr, unknown

__all__ = ["PathError", "assign", "expand_path", "split_path", "value_at"]


class PathError(ValueError):
    """A dotted path that names nothing in the document; the message says what exists."""


def split_path(text: str) -> list[str]:
    """The segments of a dotted path; raise :class:`PathError` on an empty segment."""
    segments = text.split(".")
    if not text or any(not s for s in segments):
        raise PathError(f"expected a dotted path like groups.MNLA.armed (got {text!r})")
    return segments


def is_named_list(value: Any) -> bool:
    """A non-empty list whose items are all mappings with a ``name``."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(item, dict) and "name" in item for item in value)
    )


def _names(items: list[Any]) -> list[str]:
    return [str(item["name"]) for item in items] if is_named_list(items) else []


def item_index(items: list[Any], seg: str, where: str) -> int:
    """Position of the item ``seg`` names in ``items`` (by name, else by position)."""
    names = _names(items)
    if seg in names:
        return names.index(seg)
    try:
        i = int(seg)
    except ValueError:
        if names:
            close = difflib.get_close_matches(seg, names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PathError(
                f"no item named {seg!r} in {where}; names are: {', '.join(names)}{hint}"
            ) from None
        raise PathError(
            f"{where} is a list; index it by position (0..{len(items) - 1}), not {seg!r}"
        ) from None
    if not 0 <= i < len(items):
        raise PathError(f"index {i} is out of range for {where} ({len(items)} item(s))")
    return i


def child_key(node: dict, seg: str) -> Any:
    """The key of ``node`` that ``seg`` names (a key YAML read as a number by its text)."""
    if seg in node:
        return seg
    for key in node:
        if not isinstance(key, str) and str(key) == seg:
            return key
    return seg


def _store(node: Any, key: Any, value: Any, pos: Any) -> None:
    node[key] = value
    if pos is not None and hasattr(node, "pos"):
        node.pos[key] = pos


def assign(
    doc: Any,
    path: str,
    value: Any,
    *,
    create: Callable[[], dict] | None = None,
    pos: Any = None,
) -> None:
    """Set the value at ``path`` in ``doc`` in place.

    Parameters
    ----------
    doc : dict
        The document (plain data, or a line-tracking document).
    path : str
        A dotted path without ``*``.
    value : object
        The value stored.
    create : callable, optional
        Makes the mapping for a missing key on the way; without it a missing key is an error.
    pos : (file, line), optional
        Recorded as the position of what is set or created, in documents that keep them.

    Raises
    ------
    PathError
        A segment names nothing (the message says what exists).
    """
    segments = split_path(path)
    node = doc
    for depth, seg in enumerate(segments):
        last = depth == len(segments) - 1
        where = ".".join(segments[:depth]) or "the top level"
        if isinstance(node, dict):
            key = child_key(node, seg)
            if last:
                _store(node, key, value, pos)
                return
            if key not in node:
                if create is None:
                    raise PathError(unknown(f"field in {where}:", seg, list(node)))
                _store(node, key, create(), pos)
            node = node[key]
        elif isinstance(node, list):
            i = item_index(node, seg, where)
            if last:
                _store(node, i, value, pos)
                return
            node = node[i]
        else:
            raise PathError(
                f"{where} is a {kind(node)} ({short_repr(node)}), it has no field {seg!r}"
            )


def value_at(doc: Any, path: str) -> Any:
    """The value at a concrete ``path`` of ``doc``."""
    node = doc
    segments = split_path(path)
    for depth, seg in enumerate(segments):
        where = ".".join(segments[:depth]) or "the top level"
        if isinstance(node, dict):
            key = child_key(node, seg)
            if key not in node:
                raise PathError(unknown(f"field in {where}:", seg, list(node)))
            node = node[key]
        elif isinstance(node, list):
            node = node[item_index(node, seg, where)]
        else:
            raise PathError(
                f"{where} is a {kind(node)} ({short_repr(node)}), it has no field {seg!r}"
            )
    return node


def expand_path(doc: Any, pattern: str) -> list[str]:
    """Concrete paths of ``pattern`` in ``doc``; ``*`` matches every item or key.

    Items of lists of named mappings are written by name in the result when ``*`` or a
    name matched them. The path must end at a value, not at a section.

    Raises
    ------
    PathError
        A segment names nothing in the document (the message lists what exists).
    """
    segments = split_path(pattern)
    out: list[str] = []
    todo: list[tuple[Any, int, list[str]]] = [(doc, 0, [])]
    while todo:
        node, i, done = todo.pop()
        if i == len(segments):
            if isinstance(node, dict | list) and not (isinstance(node, list) and not node):
                inner = list(node) if isinstance(node, dict) else ["0", "..."]
                raise PathError(
                    f"{'.'.join(done)} is a section, not a value; expected a field of it: "
                    f"{', '.join(str(k) for k in inner[:30])}"
                )
            out.append(".".join(done))
            continue
        todo.extend(reversed(_step(node, segments[i], i, done)))
    return out


def _step(node: Any, seg: str, i: int, done: list[str]) -> list[tuple[Any, int, list[str]]]:
    """The children of ``node`` that segment ``seg`` matches, as ``expand_path`` work."""
    where = ".".join(done) or "the top level"
    if isinstance(node, dict):
        if seg == "*":
            if not node:
                raise PathError(f"'*' matches nothing: {where} is empty")
            return [(node[k], i + 1, [*done, str(k)]) for k in node]
        key = child_key(node, seg)
        if key not in node:
            raise PathError(unknown(f"field in {where}:", seg, list(node)))
        return [(node[key], i + 1, [*done, seg])]
    if isinstance(node, list):
        names = _names(node)
        if seg == "*":
            if not node:
                raise PathError(f"'*' matches nothing: {where} is an empty list")
            labels = names or [str(j) for j in range(len(node))]
            return [(item, i + 1, [*done, label]) for item, label in zip(node, labels, strict=True)]
        return [(node[item_index(node, seg, where)], i + 1, [*done, seg])]
    raise PathError(f"{where} is a value ({short_repr(node)}), it has no field {seg!r}")
