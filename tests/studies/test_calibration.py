"""Targets files, their evaluation, ``ddr-sim calibrate`` and ``ddr-sim report``."""

from __future__ import annotations

import math
import re
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.killing import DDR_SIM, kill_after

from ddr_sim.cli.main import main
from ddr_sim.config.loading import load_scenario
from ddr_sim.config.targets import TargetsError, evaluate, load_targets, targets_file_for
from ddr_sim.runs.store import RunStore
from ddr_sim.studies.calibration import CalibrationError, calibrate
from ddr_sim.studies.validation_report import report

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"
MALI_TARGETS = ROOT / "scenarios" / "mali_2013_2023.targets.yaml"

SMALL = """\
targets:
  - name: integrated
    pattern: people integrated over the run
    observed: 500
    when: whole run
    column: integrated_total
    band: [100, 5000]
    reason: wide, for the test
  - name: first_registration
    pattern: first registration
    observed: "2016-01"
    when: "2016-01"
    column: first_registration_month
    band: ["2015-06", "2021-12"]
    reason: wide, for the test
free_parameters:
  - {path: behaviour.tie_weight, range: [1.0, 2.0], source: test}
  - {path: groups.*.initial_trust, name: initial_trust, range: [0.3, 0.7], source: test}
calibration: {seeds: 2, startup_trials: 2}
"""


def write(tmp_path: Path, text: str, name: str = "targets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def teaching_doc() -> dict:
    return load_scenario(TEACHING).model_dump(mode="json")


def problems(path: Path, scenario: dict | None = None) -> list:
    with pytest.raises(TargetsError) as info:
        load_targets(path, scenario)
    return info.value.problems


# ---------------------------------------------------------------------------------------------
# loading


def test_shipped_targets_load_against_the_mali_scenario():
    loaded = load_targets(MALI_TARGETS, load_scenario(MALI).model_dump(mode="json"))
    names = {t.name for t in loaded.targets}
    assert {"formal_cantonment", "registered_at_launch", "integrated_early_2023"} <= names
    assert {"declared_unfit", "civilian_reinsertion", "follow_up_suspended"} <= names
    assert all(t.reason.strip() for t in loaded.targets)
    assert all(p.spec.source.strip() for p in loaded.parameters)
    assert targets_file_for(MALI) == MALI_TARGETS
    assert targets_file_for(TEACHING) is None


def test_counterfactuals_find_the_targets_of_the_scenario_they_extend():
    found = [targets_file_for(p) for p in (ROOT / "scenarios" / "counterfactuals").glob("*.yaml")]
    assert found and all(f == MALI_TARGETS for f in found)


def test_a_wrong_band_is_reported_with_file_line_and_field(tmp_path):
    text = SMALL.replace("band: [100, 5000]", "band: [5000, 100]")
    (p,) = problems(write(tmp_path, text))
    assert (
        p.line == 7
        and p.path == "targets.integrated.band"
        and "low must not exceed high" in p.message
    )


def test_mixed_band_kinds_and_bad_months_are_refused(tmp_path):
    (p,) = problems(write(tmp_path, SMALL.replace('["2015-06", "2021-12"]', '["2015-06", 5]')))
    assert p.path == "targets.first_registration.band" and "both" in p.message
    (p,) = problems(write(tmp_path, SMALL.replace('"2021-12"]', '"2021-13"]')))
    assert "YYYY-MM" in p.message


def test_unknown_keys_name_the_allowed_ones(tmp_path):
    text = SMALL.replace("    reason: wide, for the test\n", "    reasn: x\n", 1)
    found = problems(write(tmp_path, text))
    unknown = [q for q in found if q.path == "targets.integrated.reasn"]
    assert unknown and unknown[0].line == 8 and "reason" in unknown[0].message, found
    assert any(
        q.path == "targets.integrated.reason" and "required" in q.message.lower() for q in found
    )
    text = SMALL.replace("calibration: {seeds: 2", "calibration: {seedz: 2")
    found = problems(write(tmp_path, text))
    assert any("seeds" in q.message and q.line == 19 for q in found), found


def test_free_parameters_are_checked_against_the_scenario(tmp_path):
    text = SMALL.replace(
        "behaviour.tie_weight, range: [1.0, 2.0]", "behaviour.tie_wieght, range: [1.0, 2.0]"
    )
    (p,) = problems(write(tmp_path, text), teaching_doc())
    assert p.path == "free_parameters.0.path" and p.line == 17
    text = SMALL.replace("range: [0.3, 0.7]", "range: [0.3, 1.7]")
    (p,) = problems(write(tmp_path, text), teaching_doc())
    assert p.path == "free_parameters.1.range" and "refused by the scenario" in p.message


def test_a_month_band_outside_the_calendar_is_refused(tmp_path):
    text = SMALL.replace('"2021-12"]', '"2040-12"]')
    (p,) = problems(write(tmp_path, text), teaching_doc())
    assert p.path == "targets.first_registration.band.1" and "outside the calendar" in p.message


def test_a_missing_file_and_an_empty_file(tmp_path):
    (p,) = problems(tmp_path / "none.yaml")
    assert "not found" in p.message
    (p,) = problems(write(tmp_path, ""))
    assert "empty" in p.message


# ---------------------------------------------------------------------------------------------
# evaluation


def test_evaluation_medians_shares_and_joint_share(tmp_path):
    targets = load_targets(write(tmp_path, SMALL)).targets
    summary = pd.DataFrame(
        {
            "seed": [0, 1, 2, 3],
            "integrated_total": [50, 200, 300, 4000],
            # months from 2013-07: 2015-06 is 23, 2021-12 is 101
            "first_registration_month": [30, 5, np.nan, 40],
        }
    )
    ev = evaluate(targets, summary, "2013-07")
    t = ev.table.set_index("name")
    assert t.at["integrated", "median"] == 250 and t.at["integrated", "median_met"]
    assert t.at["integrated", "share_met"] == 0.75
    assert (t.at["first_registration", "low"], t.at["first_registration", "high"]) == (23, 101)
    assert t.at["first_registration", "share_met"] == 0.5  # 5 is early, NaN is a miss
    assert ev.met.loc[0].tolist() == [False, True]
    assert ev.met.all(axis=1).tolist() == [False, False, False, True]
    assert ev.joint_share == 0.25
    # medians in band; 3 of 4 seeds miss a band; a quarter of the seeds has no value
    assert ev.distance(joint_weight=2.0) == pytest.approx(2.0 * 0.75 + 0.25)


def test_distance_grows_with_the_median_outside_its_band(tmp_path):
    targets = load_targets(write(tmp_path, SMALL)).targets
    near = pd.DataFrame({"seed": [0], "integrated_total": [5500], "first_registration_month": [20]})
    far = near.assign(integrated_total=[9000])
    d_near = evaluate(targets, near, "2013-07").distance(0.0)
    d_far = evaluate(targets, far, "2013-07").distance(0.0)
    assert 0 < d_near < d_far
    missing = near.drop(columns=["first_registration_month"])
    assert not evaluate(targets, missing, "2013-07").all_medians_met


# ---------------------------------------------------------------------------------------------
# calibrate


def test_calibrate_writes_trials_and_resumes_without_repeating(tmp_path):
    path = write(tmp_path, SMALL)
    out = tmp_path / "study"
    lines: list[str] = []
    trials = calibrate(TEACHING, path, out, budget=2, jobs=2, log=lines.append)
    assert len(trials) == 2 and (out / "best.yaml").is_file() and (out / "accepted.csv").is_file()
    assert set(trials.columns) >= {"tie_weight", "initial_trust", "distance", "joint_share"}
    assert all(1.0 <= v <= 2.0 for v in trials["tie_weight"])
    first = trials.copy()
    lines.clear()
    trials = calibrate(TEACHING, path, out, budget=3, jobs=1, log=lines.append)
    assert len(trials) == 3 and any("resuming" in line for line in lines)
    pd.testing.assert_frame_equal(trials.iloc[:2].reset_index(drop=True), first)
    best = (out / "best.yaml").read_text(encoding="utf-8")
    assert "behaviour.tie_weight=" in best and "groups.Hills.initial_trust=" in best


def test_a_trial_is_a_pure_function_of_its_parameters(tmp_path):
    """Same parameters, same seeds: the same medians (common random numbers)."""
    path = write(tmp_path, SMALL)
    a = calibrate(TEACHING, path, tmp_path / "a", budget=1, jobs=1, log=lambda _: None)
    b = calibrate(TEACHING, path, tmp_path / "b", budget=1, jobs=2, log=lambda _: None)
    pd.testing.assert_frame_equal(a, b)


def test_a_study_of_other_targets_is_not_resumed(tmp_path):
    out = tmp_path / "study"
    calibrate(TEACHING, write(tmp_path, SMALL), out, budget=1, jobs=1, log=lambda _: None)
    other = write(tmp_path, SMALL.replace("band: [100, 5000]", "band: [100, 4000]"), "b.yaml")
    with pytest.raises(CalibrationError, match="another"):
        calibrate(TEACHING, other, out, budget=2, jobs=1, log=lambda _: None)


def test_calibrate_command_reports_bad_targets_without_a_traceback(tmp_path, capsys):
    bad = write(tmp_path, SMALL.replace("band: [100, 5000]", "band: [100]"))
    code = main(["calibrate", str(TEACHING), "--targets", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad}:7: targets.integrated.band" in err and "Traceback" not in err


def test_a_new_study_can_start_from_an_earlier_best_point(tmp_path):
    path = write(tmp_path, SMALL)
    best = tmp_path / "best.yaml"
    best.write_text(
        "set:\n- behaviour.tie_weight=1.25\n- groups.Hills.initial_trust=0.45\n"
        "- groups.Plains.initial_trust=0.45\n",
        encoding="utf-8",
    )
    trials = calibrate(TEACHING, path, tmp_path / "s", budget=1, jobs=1, log=len, start=best)
    assert trials.loc[0, "tie_weight"] == 1.25 and trials.loc[0, "initial_trust"] == 0.45
    with pytest.raises(CalibrationError, match="not a best.yaml"):
        calibrate(TEACHING, path, tmp_path / "t", budget=1, jobs=1, log=len, start=path)


# ---------------------------------------------------------------------------------------------
# report: a cheap version of the Mali validation report


@pytest.fixture(scope="module")
def mali_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return report(MALI, MALI_TARGETS, seeds=12, out=out, jobs=2), out


def test_report_writes_markdown_tables_and_figures(mali_report):
    rep, out = mali_report
    for name in ("report.md", "patterns.csv", "seeds.csv", "summary.csv"):
        assert (out / name).is_file()
    for name in ("cumulative_vs_targets.png", "trust_progress.png", "patterns.png"):
        assert (out / name).stat().st_size > 10_000
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "| pattern |" in text and "Seeds meeting every band at once" in text
    # the collapse by where people served and coalition, beside the record
    assert "## Who rejoined their group in the last year, by where they served" in text
    kidal = next(line for line in text.splitlines() if line.startswith("| Kidal | CMA |"))
    assert "CMA members of the Kidal BATFAR" in kidal
    assert set(rep.collapse["coalition"]) >= {"CMA", "Platform", "all"}
    assert len(pd.read_csv(out / "seeds.csv")) == 12


def _cheap_misses(rep, names: set[str]) -> list[str]:
    """Patterns in ``names`` whose 12-seed median lies outside the band widened by half its
    width (for counts at least 10 % of the observed value)."""
    months = {t.name for t in rep.targets.targets if t.in_months}
    misses = []
    for r in rep.evaluation.table.itertuples(index=False):
        if r.name not in names:
            continue
        width = r.high - r.low
        observed = 0.0 if r.observed is None or math.isnan(r.observed) else abs(r.observed)
        slack = 0.5 * width if r.name in months else max(0.5 * width, 0.1 * observed)
        if math.isnan(r.median) or not (r.low - slack <= r.median <= r.high + slack):
            misses.append(f"{r.name}: median {r.median} outside [{r.low}, {r.high}] +/- {slack}")
    return misses


def test_mali_lands_near_every_pattern_with_cheap_tolerance(mali_report):
    """12 seeds instead of 100: every median within its band widened by half its width,
    and 70 % of the seeds meeting every band at once (section 10 of docs/ODD.md gives the
    100-seed figures)."""
    rep, _ = mali_report
    names = {t.name for t in rep.targets.targets}
    misses = _cheap_misses(rep, names)
    assert not misses, misses
    assert rep.evaluation.joint_share >= 0.7, rep.evaluation.table


def test_a_study_killed_mid_way_resumes_without_repeating_runs_or_points(tmp_path):
    path = write(tmp_path, SMALL.replace("seeds: 2,", "seeds: 3,"))
    command = ["calibrate", str(TEACHING), "--targets", str(path), "--budget", "4", "--jobs", "1"]
    out = tmp_path / "killed"
    # killed inside the third trial: two trials done, one or two of its seeds run
    before = kill_after([*command, "--out", str(out)], out / "runs", 7)
    command = [str(DDR_SIM), *command]
    resumed = subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    computed = int(re.search(r"(\d+) runs computed by this call", resumed.stderr).group(1))
    index = pd.concat([frame for _, frame in RunStore(out / "runs").ledger.read("index")])
    assert index["key"].is_unique, "a finished run was run again"
    assert computed == len(index) - len(before) and 0 < computed < len(index)
    trials = pd.read_csv(out / "trials.csv")
    names = ["tie_weight", "initial_trust"]
    assert not trials.duplicated(names).any(), "a parameter point was tried twice"

    reference = tmp_path / "reference"
    done = subprocess.run([*command, "--out", str(reference)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(trials, pd.read_csv(reference / "trials.csv"))
