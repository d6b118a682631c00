"""YAML documents that remember where each key and item was written, read within bounds.

:func:`parse_yaml` reads YAML text with a *safe* loader (only the standard tags; a
``!!python/...`` tag is refused, never run) into :class:`DocMap` and :class:`DocSeq`,
which record, for every mapping key and sequence item, the ``(file, line)`` it was
written on. Repeated keys in one mapping are an error instead of silently keeping the
last. It cannot be made to hang or to exhaust the stack: nesting deeper than
:data:`MAX_DEPTH` levels, a document whose aliases expand to more than
:data:`MAX_NODES` values (an "alias bomb") and an alias that contains itself are refused
before anything is built, and every parser error becomes a :class:`Problem` with a line.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

import yaml

from ddr_sim.config.problems import Position, Problem, ScenarioError, plain
from ddr_sim.config.yaml_words import yaml_problem

__all__ = ["MAX_DEPTH", "MAX_NODES", "DocMap", "DocSeq", "copy_doc", "parse_yaml", "plain"]

#: Deepest nesting of mappings and lists (a scenario needs 5).
MAX_DEPTH = 64
#: Most values a document may hold once its aliases are expanded (the Mali scenario: 2,000).
MAX_NODES = 200_000


class DocMap(dict):
    """A mapping that records the ``(file, line)`` of each of its keys."""

    def __init__(self) -> None:
        super().__init__()
        self.pos: dict[Any, Position] = {}

    def put(self, key: Any, value: Any, pos: Position) -> None:
        self[key] = value
        self.pos[key] = pos

    def remove(self, key: Any) -> tuple[Any, Position]:
        return self.pop(key), self.pos.pop(key)


class DocSeq(list):
    """A list that records the ``(file, line)`` of each of its items.

    ``added`` maps the index of an item a child file appended to a list of named items
    (``extends:``) to the names the parent's list had, to suggest a close name.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pos: list[Position] = []
        self.added: dict[int, tuple[str, list[str]]] = {}

    def add(self, value: Any, pos: Position) -> None:
        self.append(value)
        self.pos.append(pos)


class _TooBig(yaml.MarkedYAMLError):
    """A document beyond the bounds (depth, expanded size, self-reference)."""


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader whose mappings and sequences remember their source lines."""

    def __init__(self, stream: str, source: str):
        super().__init__(stream)
        self.source = source
        self._depth = 0
        self.node: yaml.Node | None = None  # the node being built (for error lines)

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _TooBig(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        self.node = node
        return super().construct_object(node, deep)


def _check_size(root: yaml.Node) -> None:
    """Refuse a node graph that refers to itself or expands beyond the bounds."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        kids = _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_NODES or depth[key] > MAX_DEPTH:
                what = (
                    f"more than {MAX_NODES:,} values"
                    if size[key] > MAX_NODES
                    else f"nesting deeper than {MAX_DEPTH} levels"
                )
                raise _TooBig(
                    None, None, f"aliases (*name) expand this into {what}", node.start_mark
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise _TooBig(
                None, None, "the document refers to itself (recursive YAML alias)", node.start_mark
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _thousands_in_flow(key_node: yaml.Node, value_node: yaml.Node, prev: Any) -> bool:
    """``{armed: 4,400}``: the comma ended the number and ``400`` became a key."""
    return (
        isinstance(key_node, yaml.ScalarNode)
        and key_node.tag == "tag:yaml.org,2002:int"
        and len(key_node.value) == 3
        and isinstance(value_node, yaml.ScalarNode)
        and value_node.value == ""
        and isinstance(prev, yaml.ScalarNode)
        and prev.tag == "tag:yaml.org,2002:int"
    )


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[DocMap]:
    data = DocMap()
    yield data
    seen: dict[Any, int] = {}
    prev = None
    for key_node, value_node in node.value:
        if _thousands_in_flow(key_node, value_node, prev):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"'{prev.value},{key_node.value}' reads as the number {prev.value} and a key "
                f"{key_node.value}; write numbers without thousands separators "
                f"({prev.value}{key_node.value})",
                key_node.start_mark,
            )
        prev = value_node
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
        value = loader.construct_object(value_node)
        data.put(key, value, (loader.source, key_node.start_mark.line + 1))


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[DocSeq]:
    data = DocSeq()
    yield data
    for item_node in node.value:
        data.add(loader.construct_object(item_node), (loader.source, item_node.start_mark.line + 1))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str, source: str) -> tuple[Any, int | None]:
    """Parse one YAML document into ``DocMap``/``DocSeq``/scalars.

    Returns the data and the line the document starts on (``(None, None)`` when empty).

    Raises
    ------
    ScenarioError
        Any YAML error, a value YAML cannot build (``2015-13-01`` as a date, a number of
        more than 4,300 digits) or a document beyond the bounds, with its line.
    """
    loader = None
    try:
        loader = _LineLoader(text, source)
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_size(node)
        return loader.construct_document(node), node.start_mark.line + 1
    except yaml.YAMLError as err:
        raise ScenarioError([yaml_problem(source, err, text)]) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as err:
        node = loader.node if loader is not None else None
        line = node.start_mark.line + 1 if node is not None else None
        shown = node.value if node is not None and isinstance(node.value, str) else ""
        what = f"cannot read the value {shown[:40]!r}" if shown else "cannot read this value"
        raise ScenarioError([Problem(source, line, "", f"YAML error: {what}: {err}")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def copy_doc(value: Any, pos: Position | None = None) -> Any:
    """Deep copy of a document; with ``pos``, every position is replaced by it."""
    if isinstance(value, DocMap):
        out = DocMap()
        for k, v in value.items():
            out.put(k, copy_doc(v, pos), pos or value.pos[k])
        return out
    if isinstance(value, DocSeq):
        seq = DocSeq()
        for v, p in zip(value, value.pos, strict=True):
            seq.add(copy_doc(v, pos), pos or p)
        seq.added = dict(value.added)
        return seq
    return value
