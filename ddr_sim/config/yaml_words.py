"""PyYAML's parser errors said in words a scenario author can act on, with the line."""

from __future__ import annotations

import yaml

from ddr_sim.config.problems import Problem

#: (text in the parser's message, what it means); first match wins.
_WORDS: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed here",
        "a 'key: value' where none can start: this line is indented deeper than the key "
        "above it allows, or a value holds ': ' and needs quotes",
    ),
    (
        "expected <block end>, but found",
        "this line is indented differently from the lines above it in the same section; "
        "keys of one mapping must start in the same column",
    ),
    (
        "did not find expected key",
        "this line is not a 'key: value' at the indentation of its section; check the indentation",
    ),
    (
        "did not find expected '-' indicator",
        "this list item is not indented like the items above it",
    ),
    ("that cannot start any token", "a character that cannot start a value here"),
    ("could not find expected ':'", "a key without ':' after it, or a quote left open"),
    ("found undefined alias", "an alias (*name) that no anchor (&name) above defines"),
    (
        "found unexpected end of stream",
        "the file ends inside quotes or brackets: a quote or bracket is not closed",
    ),
    ("expected ',' or ']'", "a [...] list is not closed, or a comma is missing"),
    ("expected ',' or '}'", "a {...} mapping is not closed, or a comma is missing"),
    ("could not determine a constructor", "a tag that is not plain YAML (it is not run)"),
    ("found duplicate anchor", "the same anchor (&name) is defined twice"),
    ("expected a single document", "more than one YAML document ('---') in the file"),
)


def _words(raw: str) -> str | None:
    if "'\\t'" in raw:
        return "a tab character: YAML indents with spaces only"
    for needle, words in _WORDS:
        if needle in raw:
            return words
    return None


def yaml_problem(source: str, err: yaml.YAMLError, text: str = "") -> Problem:
    """Turn a PyYAML error into a :class:`Problem` with the line, said in words."""
    if isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position) + 1 if text else None
        char = chr(err.character) if isinstance(err.character, int) else str(err.character)
        return Problem(
            source,
            line,
            "",
            f"YAML error: the control character U+{ord(char[:1] or ' '):04X} is not allowed "
            "in YAML text; remove it",
        )
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        raw = "; ".join(p for p in (err.context, err.problem) if p) or "invalid YAML"
        words = _words(raw)
        said = f"{words} (parser: {raw})" if words else raw
        if mark is not None:
            return Problem(
                source, mark.line + 1, "", f"YAML error: {said} (column {mark.column + 1})"
            )
        return Problem(source, None, "", f"YAML error: {said}")
    return Problem(source, None, "", f"YAML error: {err}")
