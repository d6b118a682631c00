"""``extends:``: a scenario file that starts from another one, merged key by key.

The rules (see :mod:`ddr_sim.config.loading` for the user's view): mappings merge
recursively, the child's value winning key by key; lists are replaced whole, except lists
of mappings that all carry a ``name`` (``regions``, ``groups``), which merge item by item
by name (new names are appended); ``events`` is replaced whole, ``events_add`` appends.
A chain of files is followed up to :data:`MAX_CHAIN` files; a cycle is an error.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from ddr_sim.config.documents import DocMap, DocSeq, copy_doc
from ddr_sim.config.paths import is_named_list
from ddr_sim.config.problems import Position, fail, kind, short_repr
from ddr_sim.config.reading import read_mapping

__all__ = ["MAX_CHAIN", "resolve"]

#: Longest chain of files extending one another.
MAX_CHAIN = 20


def _name_key(item: DocMap) -> Any:
    name = item["name"]
    return name if isinstance(name, Hashable) else repr(name)


def _merge_named(parent: DocSeq, child: DocSeq, parent_source: str) -> DocSeq:
    out = copy_doc(parent)
    index = {_name_key(item): i for i, item in enumerate(out)}
    names = [str(item["name"]) for item in parent]
    from_child: set[Any] = set()
    for item, pos in zip(child, child.pos, strict=True):
        key = _name_key(item)
        if key in index and key not in from_child:
            i = index[key]
            out[i] = merge(out[i], item, parent_source)
            out.pos[i] = pos
        else:
            # New name, or a name repeated within the child: keep it so that validation
            # reports the repetition instead of it being silently folded away.
            out.add(copy_doc(item), pos)
            if key not in index:
                out.added[len(out) - 1] = (parent_source, names)
        from_child.add(key)
    return out


def merge(parent: Any, child: Any, parent_source: str = "") -> Any:
    """Merge ``child`` on top of ``parent`` (see the module docstring for the rules)."""
    if isinstance(parent, DocMap) and isinstance(child, DocMap):
        out = copy_doc(parent)
        for key, value in child.items():
            if key in out:
                out.put(key, merge(out[key], value, parent_source), child.pos[key])
            else:
                out.put(key, copy_doc(value), child.pos[key])
        return out
    if is_named_list(parent) and is_named_list(child):
        return _merge_named(parent, child, parent_source)
    return copy_doc(child)


def _display_path(base_display: str, target: str) -> str:
    """How to name ``target`` (written in the file shown as ``base_display``) in messages."""
    if os.path.isabs(target):
        return target
    return os.path.normpath(os.path.join(os.path.dirname(base_display), target))


def _parent(path: Path, source: str, chain: list[tuple[Path, str]], extends: Any) -> DocMap:
    """Read the file ``extends`` names (relative to ``path``) and what it extends."""
    target, (efile, eline) = extends
    if not isinstance(target, str) or not target.strip():
        message = f"expected the path of another scenario file (got {short_repr(target)})"
        fail(efile, eline, "extends", message)
    parent_path = path.parent / target
    parent_source = _display_path(source, target)
    try:
        resolved = parent_path.resolve()
        seen = [*chain, (path.resolve(), source)]
    except (OSError, ValueError, RuntimeError) as err:
        fail(efile, eline, "extends", f"cannot use the path {short_repr(target)}: {err}")
    for i, (p, _) in enumerate(seen):
        if p == resolved:
            names = [s for _, s in seen[i:]] + [parent_source]
            fail(efile, eline, "extends", "extends cycle: " + " -> ".join(names))
    if len(seen) >= MAX_CHAIN:
        fail(
            efile, eline, "extends", f"a chain of more than {MAX_CHAIN} files extending each other"
        )
    try:
        found = parent_path.is_file() or parent_path.exists()
    except (OSError, ValueError):
        found = True  # let the reader say what is wrong with the path
    if not found:
        fail(
            efile,
            eline,
            "extends",
            f"extended file {parent_source} not found (looked for {resolved}; paths are "
            "relative to the folder of the file that says extends:)",
        )
    return resolve(parent_path, parent_source, seen)


def _add_events(merged: DocMap, events_add: tuple[Any, Position]) -> None:
    extra, add_pos = events_add
    if not isinstance(extra, DocSeq):
        fail(
            add_pos[0], add_pos[1], "events_add", f"expected a list of events (got a {kind(extra)})"
        )
    base = merged.get("events")
    if base is None:
        combined, key_pos = DocSeq(), add_pos
    elif isinstance(base, DocSeq):
        combined, key_pos = copy_doc(base), merged.pos["events"]
    else:
        p = merged.pos["events"]
        fail(p[0], p[1], "events", f"events_add needs events to be a list (got a {kind(base)})")
    for item, pos in zip(extra, extra.pos, strict=True):
        combined.add(copy_doc(item), pos)
    merged.put("events", combined, key_pos)


def resolve(path: Path, source: str, chain: list[tuple[Path, str]] | None = None) -> DocMap:
    """Read ``path`` and everything it extends; return the merged document.

    Raises
    ------
    ScenarioError
        A file cannot be read or parsed, ``extends`` names no readable file, a cycle.
    """
    doc = read_mapping(path, source)[1]
    extends = doc.remove("extends") if "extends" in doc else None
    events_add = doc.remove("events_add") if "events_add" in doc else None
    merged = doc
    if extends is not None:
        parent = _parent(path, source, chain or [], extends)
        child_events = doc.remove("events") if "events" in doc else None
        merged = merge(parent, doc, _display_path(source, str(extends[0])))
        if child_events is not None:
            merged.put("events", copy_doc(child_events[0]), child_events[1])
    if events_add is not None:
        _add_events(merged, events_add)
    return merged
