"""The bad invocations of ``fuzz_cli.py``: every command, every kind of bad input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fuzz_cli_fixtures import FILLS, Fixtures

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"
TARGETS = ROOT / "scenarios" / "mali_2013_2023.targets.yaml"
POLICIES = ROOT / "experiments" / "recommendations.yaml"

#: Seconds a case may take (runs of the model included) before it counts as a hang.
TIME_LIMIT = 60.0

COMMANDS = (
    "run",
    "validate",
    "schema",
    "sweep",
    "analyze",
    "compare",
    "calibrate",
    "report",
    "dashboard",
)


@dataclass
class Case:
    """One invocation: ``argv`` after ``ddr-sim``; ``quick`` when it runs no model."""

    name: str
    argv: list[str]
    quick: bool = True
    limit: float = TIME_LIMIT
    needs: tuple[str, ...] = ()  # fixtures that may be missing ("tmpfs", "sweep")
    fill: str | None = None  # fill this folder's disk once the command created it
    success_ok: bool = False  # the right answer to this damage is to go on (e.g. re-run)


BAD_COUNTS = ["abc", "-1", "0", "1.5", "", "1e3", "nan", "1000000000000", "9" * 5000]
BAD_JOBS = ["0", "-3", "abc", "100000", "1.5"]
BAD_SETS = [
    "noequals",
    "=1",
    "calendar.months=-5",
    "calendar.months=abc",
    "calendar.months=1e12",
    "no.such.key=1",
    "groups.NoSuchGroup.armed=10",
    "calendar.months=&a [*a]",
    "calendar=[1, 2",
]


def _input_paths(fx: Fixtures) -> dict[str, str]:
    """Files that are not what a command reads."""
    return {
        "missing": fx.path("no_such.yaml"),
        "dir": fx.path("a_dir"),
        "devzero": "/dev/zero",
        "fifo": fx.path("fifo"),
        "empty": fx.path("empty.yaml"),
        "garbage": fx.path("garbage.yaml"),
        "list": fx.path("list.yaml"),
        "tabs": fx.path("tabs.yaml"),
        "longpath": "/tmp/" + "x" * 5000 + ".yaml",
        "longname": "/tmp/" + "x" * 300 + ".yaml",
    }


def _out_paths(fx: Fixtures) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Output folders that cannot be written, and the fixtures they need."""
    return {
        "file": (fx.path("a_file"), ()),
        "under_file": (fx.path("a_file") + "/sub", ()),
        "proc": ("/proc/ddr-sim-out", ()),
        "devnull": ("/dev/null/out", ()),
        "readonly": (fx.path("readonly") + "/out", ("tmpfs",)),
        "full": (fx.path("full") + "/out", ("tmpfs",)),
        "nearly_full": (fx.path("nearly_full") + "/out", ("tmpfs",)),
    }


def _command_cases(fx: Fixtures) -> Iterator[Case]:
    for command in COMMANDS:
        yield Case(f"{command} unknown flag", [command, "--no-such-flag"])
        yield Case(f"{command} extra argument", [command, str(TEACHING), "extra", "more"])
    for command in ("run", "validate", "sweep", "analyze", "compare", "calibrate", "report"):
        yield Case(f"{command} no argument", [command])


def _file_cases(fx: Fixtures) -> Iterator[Case]:
    targets = ["--targets", str(TARGETS)]
    for kind, path in _input_paths(fx).items():
        yield Case(f"validate scenario {kind}", ["validate", path])
        yield Case(f"run scenario {kind}", ["run", path, "--out", fx.path("o_run")])
        yield Case(f"sweep experiment {kind}", ["sweep", path, "--dry-run"])
        yield Case(f"compare policies {kind}", ["compare", path, "--out", fx.path("o_cmp")])
        yield Case(f"calibrate targets {kind}", ["calibrate", str(MALI), "--targets", path])
        yield Case(f"report targets {kind}", ["report", str(MALI), "--targets", path])
    for kind in ("missing", "dir", "devzero", "garbage"):
        path = _input_paths(fx)[kind]
        yield Case(f"dashboard scenario {kind}", ["dashboard", path])
        yield Case(f"calibrate scenario {kind}", ["calibrate", path, *targets])
        yield Case(f"report scenario {kind}", ["report", path, *targets])
        yield Case(f"calibrate start {kind}", ["calibrate", str(MALI), *targets, "--start", path])
        yield Case(f"compare baseline {kind}", ["compare", str(POLICIES), "--baseline", path])
    yield Case("compare scenario as policies", ["compare", str(TEACHING), "--seeds", "1"])
    yield Case("compare invalid policy", ["compare", fx.path("policies_bad.yaml")])
    yield Case("compare duplicate policies", ["compare", fx.path("policies_dup.yaml")])
    yield Case("sweep scenario as experiment", ["sweep", str(TEACHING), "--dry-run"])
    yield Case(
        "calibrate invalid targets",
        ["calibrate", str(MALI), "--targets", fx.path("targets_bad.yaml")],
    )
    yield Case(
        "report invalid targets", ["report", str(MALI), "--targets", fx.path("targets_bad.yaml")]
    )


def _number_cases(fx: Fixtures) -> Iterator[Case]:
    numeric = {
        "run --seeds": ["run", str(TEACHING), "--seeds"],
        "compare --seeds": ["compare", str(POLICIES), "--seeds"],
        "report --seeds": ["report", str(MALI), "--targets", str(TARGETS), "--seeds"],
        "calibrate --budget": ["calibrate", str(MALI), "--targets", str(TARGETS), "--budget"],
        "sweep --chunk-size": ["sweep", fx.path("tiny.yaml"), "--dry-run", "--chunk-size"],
        "analyze --resamples": ["analyze", fx.path("sweep_ok"), "--resamples"],
    }
    for label, argv in numeric.items():
        for value in BAD_COUNTS:
            yield Case(f"{label} {value[:20]!r}", [*argv, value])
    jobs = {
        "run": ["run", str(TEACHING), "--out", fx.path("o_jobs")],
        "compare": ["compare", str(POLICIES), "--out", fx.path("o_jobs")],
        "report": ["report", str(MALI), "--targets", str(TARGETS)],
        "calibrate": ["calibrate", str(MALI), "--targets", str(TARGETS)],
        "sweep": ["sweep", fx.path("tiny.yaml"), "--dry-run"],
    }
    for command, argv in jobs.items():
        for value in BAD_JOBS:
            yield Case(f"{command} --jobs {value}", [*argv, "--jobs", value])
    yield Case(
        "sweep --workers 100000 --dry-run",
        ["sweep", fx.path("tiny.yaml"), "--workers", "100000", "--dry-run"],
    )
    yield Case("sweep --workers -1", ["sweep", fx.path("tiny.yaml"), "--workers", "-1"])
    yield Case(
        "sweep --batch-size 10**9",
        ["sweep", fx.path("tiny.yaml"), "--dry-run", "--batch-size", "1000000000"],
    )
    yield Case(
        "analyze --prim-threshold 2", ["analyze", fx.path("sweep_ok"), "--prim-threshold", "2"]
    )
    yield Case(
        "analyze --prim-threshold nan", ["analyze", fx.path("sweep_ok"), "--prim-threshold", "nan"]
    )
    yield Case(
        "analyze --max-boxes 10**6", ["analyze", fx.path("sweep_ok"), "--max-boxes", "1000000"]
    )
    for port in ("70000", "0", "-1", "abc", "65536", "99999999999999999999"):
        yield Case(f"dashboard --port {port}", ["dashboard", "--port", port])
    yield Case(
        "dashboard port in use", ["dashboard", "--port", str(fx.busy_port), "--host", "127.0.0.1"]
    )
    yield Case("dashboard unknown host", ["dashboard", "--host", "no-such-host.invalid"])
    yield Case("dashboard host with spaces", ["dashboard", "--host", "not a host"])
    yield Case("run --checkpoints bad", ["run", str(TEACHING), "--checkpoints", "2018-13"])
    yield Case("run --checkpoints words", ["run", str(TEACHING), "--checkpoints", "soon,later"])
    yield Case("compare --horizon bad", ["compare", str(POLICIES), "--horizon", "20-20"])


def _sweep_cases(fx: Fixtures) -> Iterator[Case]:
    tiny = fx.path("tiny.yaml")
    for address in (
        "not a url",
        "http://host:8786",
        "tcp://",
        "tcp://host",
        "tcp://host:99999",
        "://8786",
        "tcp://host:8786/path?x=1",
        "",
    ):
        yield Case(f"sweep --scheduler {address!r}", ["sweep", tiny, "--scheduler", address])
    yield Case(
        "sweep --scheduler nobody listening",
        ["sweep", tiny, "--scheduler", "tcp://127.0.0.1:1", "--out", fx.path("o_dask")],
        quick=False,
        limit=120,
    )
    yield Case(
        "sweep --jobs with --scheduler", ["sweep", tiny, "--jobs", "1", "--scheduler", "tcp://h:1"]
    )
    for name in ("grid_huge_levels", "grid_huge_reps", "grid_big_reps", "lhs_huge"):
        yield Case(f"sweep {name}", ["sweep", fx.path(f"{name}.yaml"), "--dry-run"])
    yield Case(
        "sweep unknown outcome",
        ["sweep", fx.path("bad_outcome.yaml"), "--out", fx.path("o_bad_outcome"), "--jobs", "1"],
        quick=False,
    )
    needs = ("sweep",)
    for damaged in (
        "sweep_json_garbage",
        "sweep_json_empty",
        "sweep_json_list",
        "sweep_json_binary",
        "sweep_json_missing",
        "design_truncated",
        "index_truncated",
        "outcomes_truncated",
        "outcomes_empty",
        "index_removed",
    ):
        yield Case(f"analyze {damaged}", ["analyze", fx.path(damaged), "--no-plots"], needs=needs)
        yield Case(
            f"sweep resume {damaged}",
            ["sweep", fx.path("tiny.yaml"), "--out", fx.path(damaged), "--jobs", "1", "--quiet"],
            quick=False,
            needs=needs,
            success_ok=damaged == "index_removed",  # no run recorded: all are run again
        )
    yield Case("analyze not a sweep", ["analyze", fx.path("empty_dir")])
    yield Case("analyze a file", ["analyze", fx.path("a_file")])
    yield Case("analyze missing", ["analyze", fx.path("no_such_dir")])
    yield Case(
        "analyze unknown outcome",
        ["analyze", fx.path("sweep_ok"), "--outcome", "nope"],
        needs=needs,
    )


def _set_cases(fx: Fixtures) -> Iterator[Case]:
    for value in BAD_SETS:
        yield Case(f"validate --set {value!r}", ["validate", str(TEACHING), "--set", value])
        yield Case(
            f"run --set {value!r}",
            ["run", str(TEACHING), "--set", value, "--out", fx.path("o_set")],
        )
    yield Case("compare --set bad", ["compare", str(POLICIES), "--set", "calendar.months=-1"])
    yield Case("report --set bad", ["report", str(MALI), "--targets", str(TARGETS), "--set", "x=1"])
    yield Case(
        "calibrate --set bad", ["calibrate", str(MALI), "--targets", str(TARGETS), "--set", "=1"]
    )


def _output_cases(fx: Fixtures) -> Iterator[Case]:
    for kind, (out, needs) in _out_paths(fx).items():
        slow = kind == "nearly_full"  # may run the model when the outputs fit
        run = ["run", str(TEACHING), "--out", out, "--jobs", "1"]
        yield Case(f"run --out {kind}", run, quick=not slow, needs=needs)
        if kind != "file":  # schema writes a file: an existing one is replaced
            yield Case(f"schema --out {kind}", ["schema", "--out", out], needs=needs)
        sweep = ["sweep", fx.path("tiny.yaml"), "--out", out, "--jobs", "1", "--quiet"]
        roomy = kind == "nearly_full"  # a tiny sweep still fits: going on is right
        yield Case(f"sweep --out {kind}", sweep, quick=not slow, needs=needs, success_ok=roomy)
        cmp = ["compare", str(POLICIES), "--seeds", "1", "--jobs", "1", "--out", out, "--no-plots"]
        yield Case(f"compare --out {kind}", cmp, quick=not slow, needs=needs)
        cal = ["calibrate", str(MALI), "--targets", str(TARGETS), "--budget", "1", "--out", out]
        yield Case(f"calibrate --out {kind}", cal, quick=not slow, needs=needs)
        rep = ["report", str(MALI), "--targets", str(TARGETS), "--seeds", "1", "--out", out]
        yield Case(f"report --out {kind}", rep, quick=not slow, needs=needs)
        analyze = ["analyze", fx.path("sweep_ok"), "--out", out, "--no-plots"]
        yield Case(f"analyze --out {kind}", analyze, needs=("sweep", *needs))
    yield Case("schema --out a folder", ["schema", "--out", fx.path("a_dir")])
    yield from _filling_cases(fx)


def _filling_cases(fx: Fixtures) -> Iterator[Case]:
    """The disk fills up after the command checked its output folder."""
    argv = {
        "run": ["run", str(TEACHING), "--seeds", "2", "--jobs", "1"],
        "sweep": ["sweep", fx.path("tiny.yaml"), "--jobs", "1", "--quiet"],
        "compare": ["compare", fx.path("policies_small.yaml"), "--seeds", "1", "--jobs", "1"],
        "report": ["report", str(MALI), "--targets", str(TARGETS), "--seeds", "1", "--jobs", "1"],
    }
    for command in FILLS:
        out = fx.path(f"fills_{command}") + "/out"
        yield Case(
            f"{command} disk fills up while it works",
            [*argv[command], "--out", out],
            quick=False,
            needs=("tmpfs",),
            fill=out,
        )


def cases(fx: Fixtures) -> list[Case]:
    """Every case, in a fixed order."""
    makers = (_command_cases, _file_cases, _number_cases, _sweep_cases, _set_cases, _output_cases)
    return [case for make in makers for case in make(fx)]
