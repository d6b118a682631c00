"""Messages that say what is wrong in the author's terms: indentation in words, numbers
with thousands separators, list items by name, a misspelled name in a child file, where a
missing extended file was looked for, shares written as percentages, limits with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scenario_loading import BASE

from ddr_sim.config.loading import ScenarioError, load_scenario


def problems(tmp_path: Path, text: str, name: str = "s.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_bad_indent_is_said_in_words_with_its_line(tmp_path):
    text = BASE.replace("    armed: 1500\n", "     armed: 1500\n")
    (only,) = problems(tmp_path, text)
    assert f"s.yaml:{line_of(text, 'armed: 1500')}:" in only
    assert "indented" in only and "YAML error" in only


def test_a_key_indented_less_than_its_siblings(tmp_path):
    text = BASE.replace("  months: 48", " months: 48")
    (only,) = problems(tmp_path, text)
    assert f":{line_of(text, 'months: 48')}:" in only
    assert "indented differently from the lines above it" in only


def test_thousands_separator_in_block_style(tmp_path):
    (only,) = problems(tmp_path, BASE.replace("armed: 3000", "armed: 3,000"))
    assert "groups.MNLA.armed" in only
    assert "write numbers without thousands separators (3000, not '3,000')" in only


def test_thousands_separator_in_flow_style_is_not_called_a_key_problem(tmp_path):
    text = BASE.replace(
        "  - name: GATIA\n    coalition: Platform\n    armed: 1500\n    regions: {Gao: 1.0}\n",
        "  - {name: GATIA, coalition: Platform, armed: 4,400, regions: {Gao: 1.0}}\n",
    )
    (only,) = problems(tmp_path, text)
    assert f":{line_of(text, 'armed: 4,400')}:" in only
    assert "write numbers without thousands separators (4400)" in only
    assert "keys must be text" not in only


def test_list_items_are_named_by_their_name(tmp_path):
    found = problems(tmp_path, BASE.replace("{Gao: 1.0}", "{Gao: 0.5}"))
    assert any("groups.GATIA.regions: shares must sum to 1" in p for p in found), found
    found = problems(tmp_path, BASE.replace("youth_pool: 4000", "youth_pool: -1"))
    assert any("regions.Gao.youth_pool" in p for p in found), found


def test_a_share_written_as_a_percentage(tmp_path):
    found = problems(tmp_path, BASE.replace("{Gao: 1.0}", "{Gao: 90}"))
    assert any("write shares as 0-1 (90 % is 0.9)" in p for p in found), found


def test_a_misspelled_group_in_a_child_file_gets_a_suggestion(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    child = "extends: base.yaml\nname: child\ngroups:\n  - name: GATIAA\n    armed: 900\n"
    found = problems(tmp_path, child, "child.yaml")
    assert found and all("did you mean 'GATIA'?" in p for p in found), found
    assert any("groups.GATIAA.coalition: required field is missing" in p for p in found)
    assert "is not a group of the extended file" in found[0]


def test_a_missing_extended_file_says_where_it_looked(tmp_path):
    (tmp_path / "sub").mkdir()
    child = "extends: ../nowhere/base.yaml\nname: child\n"
    (only,) = problems(tmp_path / "sub", child, "child.yaml")
    looked = (tmp_path / "nowhere" / "base.yaml").resolve()
    assert f"looked for {looked}" in only


def test_a_limit_gives_its_reason(tmp_path):
    found = problems(tmp_path, BASE.replace("armed: 3000", "armed: 100000000"))
    assert any("groups.MNLA.armed" in p and "Ethiopia" in p for p in found), found
    text = BASE.replace("  months: 48", "  months: 1000")
    (only,) = problems(tmp_path, text)
    assert "at most 600 months (50 years)" in only


def test_a_tab_is_named(tmp_path):
    (only,) = problems(tmp_path, BASE.replace("  months: 48", "\tmonths: 48"))
    assert "a tab character: YAML indents with spaces only" in only
