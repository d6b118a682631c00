"""Loading scenario files: validation messages, ``extends:``, ``--set`` overrides, hashing."""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path

import pytest

from ddr_sim.config.loading import (
    Problem,
    ScenarioError,
    export_json_schema,
    load_scenario,
    resolved_yaml,
    scenario_hash,
)
from ddr_sim.config.scenario import Scenario

BASE = textwrap.dedent(
    """\
    name: base
    calendar:
      start: "2015-06"
      months: 48
    regions:
      - name: Kidal
        youth_pool: 8000
      - name: Gao
        youth_pool: 4000
    groups:
      - name: MNLA
        coalition: CMA
        armed: 3000
        unarmed: 1000
        regions: {Kidal: 0.8, Gao: 0.2}
      - name: GATIA
        coalition: Platform
        armed: 1500
        regions: {Gao: 1.0}
    events:
      - date: "2016-03"
        type: clash
        groups: [MNLA, GATIA]
        region: Gao
    """
)
# Everyone who could ever be in a group in BASE: 3000 + 1000 + 1500 armed/unarmed + 12000 youth.
BASE_MAX_PEOPLE = 17500


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def load_error(path: Path, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(tmp_path, "base.yaml", BASE)


# ---------------------------------------------------------------------------------------------
# valid files


def test_valid_file_loads(base: Path) -> None:
    scenario = load_scenario(base)
    assert isinstance(scenario, Scenario)
    assert scenario.group_names() == ["MNLA", "GATIA"]
    assert scenario.region_names() == ["Kidal", "Gao"]
    assert scenario.groups[0].regions == {"Kidal": 0.8, "Gao": 0.2}
    assert scenario.events[0].type == "clash"


def test_load_accepts_str_path(base: Path) -> None:
    assert load_scenario(str(base)).name == "base"


def test_yaml_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    text = BASE.replace(
        "  - name: GATIA\n    coalition: Platform\n    armed: 1500\n    regions: {Gao: 1.0}\n",
        "  - <<: *mnla\n    name: GATIA\n",
    ).replace("  - name: MNLA\n", "  - &mnla\n    name: MNLA\n")
    scenario = load_scenario(write(tmp_path, "s.yaml", text))
    assert scenario.groups[1].name == "GATIA"
    assert scenario.groups[1].armed == 3000
    assert scenario.groups[1].coalition == "CMA"


# ---------------------------------------------------------------------------------------------
# schema errors carry file, line and path


def test_unknown_key_refused_with_file_line_and_path(tmp_path: Path) -> None:
    text = BASE.replace("    armed: 1500\n", "    armed: 1500\n    armedd: 5\n")
    path = write(tmp_path, "s.yaml", text)
    err = load_error(path)
    line = line_of(text, "armedd")
    rendered = str(err)
    assert (
        f"{path}:{line}: groups.GATIA.armedd: unknown key 'armedd'; expected one of: " in rendered
    )
    assert "armed, unarmed, regions" in rendered
    assert "did you mean 'armed'?" in rendered
    assert err.problems == [
        Problem(str(path), line, "groups.GATIA.armedd", err.problems[0].message)
    ]


def test_unknown_top_level_section_lists_sections(tmp_path: Path) -> None:
    text = BASE + "economyy:\n  gold_tax: 0.2\n"
    path = write(tmp_path, "s.yaml", text)
    rendered = str(load_error(path))
    assert f"{path}:{line_of(text, 'economyy')}: economyy: unknown key 'economyy'" in rendered
    assert "calendar, regions, groups, economy" in rendered


def test_wrong_type_says_expected_and_given(tmp_path: Path) -> None:
    text = BASE.replace("armed: 3000", "armed: lots")
    path = write(tmp_path, "s.yaml", text)
    rendered = str(load_error(path))
    assert (
        f"{path}:{line_of(text, 'armed: lots')}: groups.MNLA.armed: "
        "Input should be a valid integer" in rendered
    )
    assert "(got 'lots')" in rendered


#: A file with one mistake: its text, what the line the message names holds, and what the
#: message says after ``file:line: ``.
ONE_MISTAKE = {
    "out_of_range_value": (
        BASE.replace("armed: 1500", "armed: -5"),
        "armed: -5",
        "groups.GATIA.armed: Input should be greater than or equal to 0 (got -5)",
    ),
    "bad_month_format": (
        BASE.replace('start: "2015-06"', 'start: "2015-13"'),
        "start:",
        "calendar.start: expected a month as YYYY-MM (got '2015-13')",
    ),
    "missing_required_field": (  # reported at the group the field is missing from
        BASE.replace("    coalition: Platform\n", ""),
        "name: GATIA",
        "groups.GATIA.coalition: required field is missing",
    ),
    "region_shares_must_sum_to_one": (
        BASE.replace("{Kidal: 0.8, Gao: 0.2}", "{Kidal: 0.8, Gao: 0.3}"),
        "Kidal: 0.8",
        "groups.MNLA.regions: shares must sum to 1, they sum to 1.1000",
    ),
    "event_outside_calendar": (
        BASE.replace('date: "2016-03"', 'date: "2030-01"'),
        "2030-01",
        "events.0.date: date 2030-01 is outside the calendar (2015-06 + 48 months)",
    ),
    "integration_quota_larger_than_possible_members": (
        BASE + "programmes:\n  integration:\n    quota: 999999\n",
        "quota:",
        "programmes.integration.quota: quota 999999 is larger than everyone who could ever "
        f"be in a group ({BASE_MAX_PEOPLE})",
    ),
    "model_level_check_inside_a_section": (
        BASE + "programmes:\n  cantonment:\n    sites_approved: 3\n",
        "cantonment:",
        "programmes.cantonment: sites_approved (3) cannot exceed sites_proposed (0)",
    ),
}


@pytest.mark.parametrize("mistake", list(ONE_MISTAKE))
def test_a_mistake_is_reported_at_its_line(tmp_path: Path, mistake: str) -> None:
    text, where, message = ONE_MISTAKE[mistake]
    path = write(tmp_path, "s.yaml", text)
    assert str(load_error(path)) == f"{path}:{line_of(text, where)}: {message}"


def test_unknown_group_in_event(tmp_path: Path) -> None:
    text = BASE.replace("groups: [MNLA, GATIA]", "groups: [MNLA, Ansar]")
    path = write(tmp_path, "s.yaml", text)
    rendered = str(load_error(path))
    assert rendered.startswith(
        f"{path}:{line_of(text, 'Ansar')}: events.0.groups: unknown group(s) ['Ansar']"
    )
    assert "['GATIA', 'MNLA']" in rendered


def test_several_consistency_problems_each_get_their_own_line(tmp_path: Path) -> None:
    text = BASE.replace('date: "2016-03"', 'date: "2030-01"').replace(
        "[MNLA, GATIA]", "[MNLA, Ansar]"
    )
    path = write(tmp_path, "s.yaml", text)
    err = load_error(path)
    assert [p.path for p in err.problems] == ["events.0.date", "events.0.groups"]
    assert len(str(err).splitlines()) == 2
    assert all(p.file == str(path) and p.line is not None for p in err.problems)


# ---------------------------------------------------------------------------------------------
# extends:


def test_extends_inherits_and_overrides(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """\
        extends: base.yaml
        name: child
        calendar:
          months: 60
        groups:
          - name: GATIA
            armed: 2000
          - name: HCUA
            coalition: CMA
            armed: 800
            regions: {Kidal: 1.0}
        """,
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.calendar.start == "2015-06"  # inherited inside a merged mapping
    assert scenario.calendar.months == 60
    assert scenario.region_names() == ["Kidal", "Gao"]  # inherited list
    assert scenario.group_names() == ["MNLA", "GATIA", "HCUA"]  # merged by name, new appended
    gatia = scenario.groups[1]
    assert gatia.armed == 2000  # child field wins
    assert gatia.coalition == "Platform"  # parent field kept
    assert gatia.regions == {"Gao": 1.0}
    assert len(scenario.events) == 1  # events inherited when the child says nothing


def test_extends_path_is_relative_to_the_extending_file(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "variants").mkdir()
    write(tmp_path / "common", "base.yaml", BASE)
    child = write(tmp_path / "variants", "v.yaml", "extends: ../common/base.yaml\nname: v\n")
    assert load_scenario(child).name == "v"


def test_extends_chain_of_three(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "mid.yaml", "extends: base.yaml\nname: mid\ncalendar: {months: 60}\n")
    leaf = write(tmp_path, "leaf.yaml", "extends: mid.yaml\nname: leaf\n")
    scenario = load_scenario(leaf)
    assert (scenario.name, scenario.calendar.months) == ("leaf", 60)


def test_extends_events_replaced_whole_or_added(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    replaced = write(
        tmp_path,
        "replaced.yaml",
        """\
        extends: base.yaml
        events:
          - {date: "2017-01", type: boycott}
        """,
    )
    added = write(
        tmp_path,
        "added.yaml",
        """\
        extends: base.yaml
        events_add:
          - {date: "2017-01", type: boycott}
        """,
    )
    assert [e.type for e in load_scenario(replaced).events] == ["boycott"]
    assert [e.type for e in load_scenario(added).events] == ["clash", "boycott"]


def test_extends_error_reports_the_file_where_the_key_was_written(tmp_path: Path) -> None:
    parent_text = BASE.replace("armed: 1500", "armed: -5")
    parent = write(tmp_path, "base.yaml", parent_text)
    child_text = textwrap.dedent(
        """\
        extends: base.yaml
        name: child
        groups:
          - name: MNLA
            cohesion: 1.5
        events_add:
          - {date: "2030-01", type: boycott}
        """
    )
    child = write(tmp_path, "child.yaml", child_text)
    rendered = str(load_error(child)).splitlines()
    assert (
        f"{child}:{line_of(child_text, 'cohesion')}: groups.MNLA.cohesion: "
        "Input should be less than or equal to 1 (got 1.5)"
    ) in rendered
    assert (
        f"{parent}:{line_of(parent_text, 'armed: -5')}: groups.GATIA.armed: "
        "Input should be greater than or equal to 0 (got -5)"
    ) in rendered
    # Once fields are fixed, the added event is reported in the child file.
    parent.write_text(BASE, encoding="utf-8")
    child.write_text(child_text.replace("cohesion: 1.5", "cohesion: 0.5"), encoding="utf-8")
    assert str(load_error(child)) == (
        f"{child}:{line_of(child_text, '2030-01')}: events.1.date: "
        "date 2030-01 is outside the calendar (2015-06 + 48 months)"
    )


def test_extends_cycle_names_the_chain(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    b = write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    assert str(load_error(a)) == f"{b}:2: extends: extends cycle: {a} -> {b} -> {a}"


def test_extends_itself_is_a_cycle(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: a.yaml\n")
    assert str(load_error(a)) == f"{a}:1: extends: extends cycle: {a} -> {a}"


def test_extends_missing_parent(tmp_path: Path) -> None:
    child = write(tmp_path, "child.yaml", "name: c\nextends: nowhere.yaml\n")
    assert str(load_error(child)) == (
        f"{child}:2: extends: extended file {tmp_path / 'nowhere.yaml'} not found (looked for "
        f"{(tmp_path / 'nowhere.yaml').resolve()}; paths are relative to the folder of the file "
        "that says extends:)"
    )


# ---------------------------------------------------------------------------------------------
# --set overrides


def test_set_scalar(base: Path) -> None:
    scenario = load_scenario(
        base,
        ["behaviour.revision_rate=0.3", "groups.0.signatory=false", 'calendar.start="2015-07"'],
    )
    assert scenario.behaviour.revision_rate == 0.3
    assert scenario.groups[0].signatory is False
    assert scenario.calendar.start == "2015-07"


def test_set_list_value(base: Path) -> None:
    scenario = load_scenario(base, ["programmes.moc.sites=[Kidal, Gao]"])
    assert scenario.programmes.moc.sites == ["Kidal", "Gao"]


def test_set_by_name_path(base: Path) -> None:
    scenario = load_scenario(base, ["groups.GATIA.armed=5000", "regions.Gao.youth_pool=1"])
    assert scenario.groups[1].armed == 5000
    assert scenario.regions[1].youth_pool == 1


def test_set_creates_missing_mapping_keys(base: Path) -> None:
    scenario = load_scenario(base, ["programmes.cantonment.sites_proposed=4"])
    assert scenario.programmes.cantonment.sites_proposed == 4


def test_set_later_override_wins(base: Path) -> None:
    assert load_scenario(base, ["groups.0.armed=1", "groups.MNLA.armed=2"]).groups[0].armed == 2


def test_set_invalid_value_is_reported_against_set(base: Path) -> None:
    assert str(load_error(base, ["groups.MNLA.armed=-5"])) == (
        "--set: groups.MNLA.armed: Input should be greater than or equal to 0 (got -5)"
    )
    err = load_error(base, ["groups.MNLA.armedd=5"])
    assert err.problems[0].file == "--set" and err.problems[0].line is None
    assert str(err).startswith("--set: groups.MNLA.armedd: unknown key 'armedd'")


def test_set_without_equals(base: Path) -> None:
    assert str(load_error(base, ["groups.MNLA.armed"])) == (
        "--set: override 'groups.MNLA.armed' has no '='; expected path.to.key=value"
    )


def test_set_list_index_out_of_range(base: Path) -> None:
    assert str(load_error(base, ["groups.5.armed=1"])) == (
        "--set: groups.5.armed: override 'groups.5.armed=1': "
        "index 5 is out of range for groups (2 item(s))"
    )


def test_set_unknown_name(base: Path) -> None:
    assert str(load_error(base, ["groups.Ansar.armed=1"])) == (
        "--set: groups.Ansar.armed: override 'groups.Ansar.armed=1': "
        "no item named 'Ansar' in groups; names are: MNLA, GATIA"
    )


def test_set_into_a_scalar(base: Path) -> None:
    assert "calendar.start is a str ('2015-06'), it has no field 'x'" in str(
        load_error(base, ["calendar.start.x=1"])
    )


def test_set_unparseable_value(base: Path) -> None:
    rendered = str(load_error(base, ["programmes.moc.sites=[Kidal, Gao"]))
    assert rendered.startswith(
        "--set: programmes.moc.sites: override 'programmes.moc.sites=[Kidal, Gao': "
        "cannot read the value: YAML error"
    )


def test_set_does_not_leak_through_yaml_aliases(tmp_path: Path) -> None:
    text = BASE.replace("regions: {Gao: 1.0}", "regions: *shares").replace(
        "regions: {Kidal: 0.8, Gao: 0.2}", "regions: &shares {Kidal: 0.8, Gao: 0.2}"
    )
    path = write(tmp_path, "s.yaml", text)
    scenario = load_scenario(path, ["groups.MNLA.regions={Kidal: 1.0}"])
    assert scenario.groups[0].regions == {"Kidal": 1.0}
    assert scenario.groups[1].regions == {"Kidal": 0.8, "Gao": 0.2}


# ---------------------------------------------------------------------------------------------
# files that cannot be read


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert str(load_error(path)) == f"{path}: file not found"


def test_yaml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    text = BASE.replace("  months: 48", "   months: 48")
    path = write(tmp_path, "s.yaml", text)
    err = load_error(path)
    assert err.problems[0].line == line_of(text, "months: 48")
    assert str(err).startswith(f"{path}:{line_of(text, 'months: 48')}: YAML error: ")


def test_repeated_key_is_an_error(tmp_path: Path) -> None:
    text = BASE.replace("    armed: 1500\n", "    armed: 1500\n    armed: 1600\n")
    path = write(tmp_path, "s.yaml", text)
    assert str(load_error(path)).startswith(
        f"{path}:{line_of(text, 'armed: 1600')}: YAML error: key 'armed' repeated "
        f"(first given on line {line_of(text, 'armed: 1500')})"
    )


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "- a\n- b\n")
    assert str(load_error(path)) == (
        f"{path}:1: the top level must be a mapping of scenario sections, not a list"
    )
    empty = write(tmp_path, "empty.yaml", "")
    assert "the file is empty" in str(load_error(empty))


def test_safe_loader_refuses_python_tags(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = BASE + f'description: !!python/object/apply:os.system ["touch {marker}"]\n'
    path = write(tmp_path, "s.yaml", text)
    rendered = str(load_error(path))
    assert rendered.startswith(f"{path}:{line_of(text, 'python/object')}: YAML error: ")
    assert "could not determine a constructor" in rendered
    assert not marker.exists()
    text = BASE + "calendar2: !!python/object:collections.OrderedDict {}\n"
    assert "python/object:collections.OrderedDict" in str(
        load_error(write(tmp_path, "t.yaml", text))
    )


def test_recursive_alias_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", BASE + "description: &loop [*loop]\n")
    assert "recursive YAML alias" in str(load_error(path))


def test_scenario_error_pickles(tmp_path: Path) -> None:
    err = load_error(tmp_path / "nope.yaml")
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems
    assert str(again) == str(err)


# ---------------------------------------------------------------------------------------------
# hashing, resolved YAML, JSON schema


def test_scenario_hash_equal_for_equal_scenarios(tmp_path: Path, base: Path) -> None:
    # Same content written differently: flow style, explicit defaults, key order.
    other_text = BASE.replace(
        'calendar:\n  start: "2015-06"\n  months: 48\n',
        "calendar: {months: 48, start: '2015-06'}\n",
    ).replace("armed: 1500", "armed: 1500\n    unarmed: 0\n    signatory: true")
    assert "{months: 48" in other_text and "signatory: true" in other_text
    other = write(tmp_path, "other.yaml", other_text)
    h = scenario_hash(load_scenario(base))
    assert len(h) == 64 and int(h, 16) >= 0
    assert scenario_hash(load_scenario(other)) == h
    assert scenario_hash(load_scenario(base, ["groups.MNLA.armed=3001"])) != h


def test_resolved_yaml_round_trips(tmp_path: Path, base: Path) -> None:
    scenario = load_scenario(base, ["programmes.moc.opens=2016-01"])
    text = resolved_yaml(scenario)
    assert "behaviour:" in text and "revision_rate:" in text  # defaults are written out
    again = load_scenario(write(tmp_path, "resolved.yaml", text))
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)


def test_json_schema_export(tmp_path: Path) -> None:
    out = tmp_path / "schema" / "scenario.schema.json"
    export_json_schema(out)
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"]
    props = schema["properties"]
    assert {"groups", "regions", "calendar", "events", "extends", "events_add"} <= set(props)
    assert "Group" in schema["$defs"]
    assert "armed" in schema["$defs"]["Group"]["properties"]
    assert schema["additionalProperties"] is False
