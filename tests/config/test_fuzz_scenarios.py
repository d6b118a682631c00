"""Fuzzing the scenario loader: a few hundred structure-aware mutants of the shipped
scenarios (``scenario_fuzzing``), each loaded in a worker process with a time limit, give
a clean error or a valid scenario, never an exception escaping and never a hang; a sample
of accepted ones runs three months with finite records. ``experiments/fuzz_scenarios.py``
runs the same at 10,000 cases."""

from __future__ import annotations

import collections
import random
import time

import pytest
from support.scenario_fuzzing import Harness, mutant, validate_command

CASES = 250
SEED = 20240601


@pytest.fixture(scope="module")
def harness():
    h = Harness(timeout=10.0)
    yield h
    h.close()


def test_hundreds_of_mutants_give_a_clean_error_or_a_valid_scenario(harness, tmp_path):
    rng = random.Random(SEED)
    counts: collections.Counter[str] = collections.Counter()
    escaped = []
    accepted = 0
    for i in range(CASES):
        work = tmp_path / str(i)
        work.mkdir()
        path, kind = mutant(rng, work)
        months = 3 if accepted % 10 == 0 else 0
        outcome, detail = harness.load(path, months)
        accepted += outcome == "accepted"
        counts[outcome] += 1
        if outcome not in ("clean", "accepted"):
            escaped.append((i, kind, outcome, detail))
    assert not escaped, escaped
    assert counts["clean"] > CASES // 2 and counts["accepted"] > 0, counts


def test_the_harness_reports_a_hang_and_an_escaped_exception(tmp_path, monkeypatch):
    import ddr_sim.config.loading as loading

    def hang(path, overrides=None):
        time.sleep(30)

    def crash(path, overrides=None):
        raise KeyError("escaped")

    for fake, expected in ((hang, "hung"), (crash, "uncaught")):
        monkeypatch.setattr(loading, "load_scenario", fake)
        h = Harness(timeout=1.0)  # the worker is forked with the fake loader
        try:
            outcome, detail = h.load(tmp_path / "any.yaml")
        finally:
            h.close()
        assert outcome == expected, detail


def test_validate_on_a_sample_never_shows_a_traceback(tmp_path):
    rng = random.Random(SEED + 1)
    for i in range(3):
        work = tmp_path / str(i)
        work.mkdir()
        path, kind = mutant(rng, work)
        outcome, detail = validate_command(path)
        assert outcome in ("clean", "accepted"), (kind, outcome, detail)
