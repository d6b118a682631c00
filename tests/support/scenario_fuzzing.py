"""Structure-aware mutants of the shipped scenarios, and a harness that loads each one in a
worker process with a time limit, for fuzzing the loader.

``mutant(rng, workdir)`` writes one hostile or careless scenario file (and any file it
``extends``) under ``workdir`` and returns its path and the kind of mutation. Kinds:
wrong types, extreme numbers, deleted, renamed and unknown keys, many regions or groups,
YAML aliases (bombs and self-reference), deep nesting, control and invalid bytes, bad
indentation, truncation, oversized files, and ``extends`` to odd targets (devices,
fifos, directories, missing files, NUL bytes, over-long paths, cycles, misspelled names).
:class:`Harness` loads a mutant with ``load_scenario`` in a long-lived worker process and
classifies the outcome: ``clean`` (a :class:`ScenarioError` with problems), ``accepted``
(a valid scenario; optionally a run of a few months, checked for non-finite values),
``uncaught`` (any other exception, or the worker died) or ``hung`` (no answer within the
time limit: the worker is killed and replaced). Used by ``tests/config/test_fuzz_scenarios.py``
and ``experiments/fuzz_scenarios.py``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import multiprocessing
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "scenarios" / "mali_2013_2023.yaml",
    ROOT / "scenarios" / "teaching.yaml",
]

ODD_VALUES: list[Any] = [
    None,
    True,
    "",
    "text",
    "4,400",
    "90 %",
    "2015-13",
    "1e999",
    [],
    {},
    [1, 2],
    {"a": 1},
    -1,
    0,
    1,
    2,
    90,
    127,
    128,
    255,
    32767,
    32768,
    2**31,
    2**63,
    10**30,
    10**400,
    -(10**12),
    0.5,
    1.5,
    1e8,
    1e12,
    1e308,
    -1e308,
    5e6,
    float("inf"),
    float("nan"),
]
EDGE_VALUES = [0, 1, 0.999, 2, 100, 101, 127, 128, 600, 601, 1000, 1e5, 1e6, 999_999, 1e7]
ODD_EXTENDS = [
    "/dev/zero",
    "/dev/urandom",
    "/dev/null",
    "/",
    ".",
    "nowhere.yaml",
    "a\0b.yaml",
    "x/" * 3000 + "y.yaml",
    "self",
    "cycle",
    "fifo",
    "binary",
    "parent_typo",
    5,
    ["a"],
]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\ufeff", "\x0c", "\x9f"]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent_of(doc: Any, path: tuple) -> tuple[Any, Any]:
    node = doc
    for seg in path[:-1]:
        node = node[seg]
    return node, path[-1]


def _typo(key: str, rng: random.Random) -> str:
    if len(key) < 2:
        return key + "x"
    i = rng.randrange(len(key) - 1)
    return (
        key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        if rng.random() < 0.5
        else key[:i] + key[i + 1 :]
    )


def _data_mutation(doc: dict, rng: random.Random) -> str:
    paths = [p for p in _paths(doc) if p]
    how = rng.choice(["value", "value", "edge", "edge", "delete", "rename", "unknown", "many"])
    numeric = [p for p in paths if type(_parent_of(doc, p)[0][p[-1]]) in (int, float)]
    path = rng.choice(numeric if how == "edge" and numeric else paths)
    parent, key = _parent_of(doc, path)
    if how == "edge":  # a number at the edge of what the schema may accept
        old = parent[key]
        new = rng.choice(EDGE_VALUES)
        parent[key] = type(old)(new) if isinstance(old, int | float) else new
    elif how == "value":
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif how == "delete":
        del parent[key]
    elif how == "rename" and isinstance(key, str):
        parent[_typo(key, rng)] = parent.pop(key)
    elif how == "unknown" and isinstance(parent, dict):
        parent[rng.choice(["extra", "armd", "groups2", 400])] = 1
    elif how == "many":
        n = rng.choice([2, 50, 100, 101, 128, 150, 151, 300])
        which = rng.choice(["regions", "groups"])
        items = doc.get(which) or [{}]
        doc[which] = [dict(items[0], name=f"X{i}") for i in range(n)]
    return f"data:{how}"


def _text_mutation(text: str, rng: random.Random) -> tuple[str | bytes, str]:
    how = rng.choice(
        ["control", "bytes", "bomb", "loop", "deep", "indent", "truncate", "big", "comma"]
    )
    lines = text.splitlines(keepends=True)
    if how == "control":
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(CONTROL) + text[i:], "text:control"
    if how == "bytes":
        raw = text.encode()
        i = rng.randrange(len(raw))
        return raw[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + raw[i:], "bytes"
    if how == "bomb":
        depth = rng.randint(3, 12)
        bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]\n"]
        for d in range(1, depth):
            bomb.append(f"a{d}: &a{d} [" + ", ".join([f"*a{d - 1}"] * 9) + "]\n")
        return "".join(bomb) + text, f"text:bomb{depth}"
    if how == "loop":
        return text + "zz_loop: &r [*r]\n", "text:loop"
    if how == "deep":
        n = rng.choice([50, 70, 500, 3000, 20000])
        return text + "zz_deep: " + "[" * n + "]" * n + "\n", f"text:deep{n}"
    if how == "indent":
        i = rng.randrange(len(lines))
        lines[i] = " " * rng.choice([1, 3]) + lines[i]
        return "".join(lines), "text:indent"
    if how == "truncate":
        return text[: rng.randrange(len(text))], "text:truncate"
    if how == "big":
        return text + "# padding\n" * rng.choice([60_000, 120_000]), "text:big"
    return text.replace("armed: 4400", "armed: 4,400").replace(
        "armed: 1500", "armed: 1,500"
    ), "text:comma"


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))


def _extends_case(base: dict, workdir: Path, rng: random.Random) -> tuple[Path, str]:
    target = rng.choice(ODD_EXTENDS)
    parent = workdir / "parent.yaml"
    _write(parent, _dump(base))
    child: dict[str, Any] = {"name": "child", "extends": target}
    if target == "self":
        child["extends"] = "child.yaml"
    elif target == "cycle":
        child["extends"] = "other.yaml"
        _write(workdir / "other.yaml", "extends: child.yaml\n")
    elif target == "fifo":
        child["extends"] = "fifo.yaml"
        if not (workdir / "fifo.yaml").exists():
            os.mkfifo(workdir / "fifo.yaml")
    elif target == "binary":
        child["extends"] = "binary.yaml"
        (workdir / "binary.yaml").write_bytes(bytes(rng.randrange(256) for _ in range(2000)))
    elif target == "parent_typo":
        child["extends"] = "parent.yaml"
        name = base["groups"][0]["name"]
        child["groups"] = [{"name": _typo(name, rng), "armed": 10}]
    path = workdir / "child.yaml"
    _write(path, _dump(child))
    return path, f"extends:{target if isinstance(target, str) and len(target) < 40 else 'odd'}"


@functools.cache
def _source(path: Path) -> tuple[str, Any]:
    text = path.read_text(encoding="utf-8")
    return text, yaml.load(text, Loader=_Loader)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def mutant(rng: random.Random, workdir: Path) -> tuple[Path, str]:
    """Write one mutant scenario under ``workdir``; return its path and its kind."""
    text, parsed = _source(rng.choice(SOURCES))
    base = copy.deepcopy(parsed)
    roll = rng.random()
    if roll < 0.15:
        return _extends_case(base, workdir, rng)
    path = workdir / "scenario.yaml"
    if roll < 0.55:
        kinds = [_data_mutation(base, rng) for _ in range(rng.choice([1, 1, 2, 3]))]
        _write(path, _dump(base))
        return path, "+".join(kinds)
    content, kind = _text_mutation(text, rng)
    _write(path, content)
    return path, kind


# ---------------------------------------------------------------------------------------------
# Loading each mutant in a worker process, with a time limit

OUTCOMES = ("clean", "accepted", "uncaught", "hung")


def _load_one(path: str, months: int) -> tuple[str, str]:
    from ddr_sim.config.loading import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        text = str(err)
        good = bool(err.problems) and "Traceback" not in text
        return ("clean" if good else "uncaught"), text[:300]
    except BaseException as err:  # noqa: BLE001 - what the fuzzing looks for
        return "uncaught", f"{type(err).__name__}: {err}"[:300]
    if months <= 0:
        return "accepted", ""
    try:
        from ddr_sim.core.model import DDRModel
        from ddr_sim.runs.finite import check_finite

        model = DDRModel(scenario, seed=0)
        for _ in range(min(months, model.months)):
            model.step()
        check_finite(model)
    except BaseException as err:  # noqa: BLE001
        return "uncaught", f"run: {type(err).__name__}: {err}"[:300]
    return "accepted", ""


def _serve(conn: Any) -> None:
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(_load_one(*job))


class Harness:
    """A worker process that loads scenario files, replaced when it hangs or dies."""

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_serve, args=(child,), daemon=True)
        self._proc.start()
        child.close()

    def _restart(self) -> None:
        self._proc.kill()
        self._proc.join()
        self._start()

    def load(self, path: Path, months: int = 0) -> tuple[str, str]:
        """``(outcome, detail)`` of loading ``path`` (and running ``months`` months)."""
        try:
            self._conn.send((str(path), months))
            if self._conn.poll(self.timeout * (3 if months else 1)):
                return self._conn.recv()
        except (EOFError, OSError) as err:
            self._restart()
            return "uncaught", f"worker died: {err}"
        self._restart()
        return "hung", f"no answer within {self.timeout:g} s"

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()


def validate_command(path: Path, timeout: float = 30.0) -> tuple[str, str]:
    """The outcome of ``ddr-sim validate PATH`` (clean: exit 1 or 2 with no traceback)."""
    exe = Path(sys.executable).with_name("ddr-sim")
    try:
        done = subprocess.run(
            [str(exe), "validate", str(path)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "hung", f"no answer within {timeout:g} s"
    if "Traceback" in done.stderr or done.returncode not in (0, 1, 2):
        return "uncaught", done.stderr[-300:]
    return ("accepted" if done.returncode == 0 else "clean"), done.stderr[:300]
