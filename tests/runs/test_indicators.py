"""The summary from recorded tables, the indicator registry and codebook, the stall clock
and the defection breakdowns."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddr_sim.cli.main import main
from ddr_sim.config.loading import load_scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.runs.breakdowns import coalition_columns, coalition_slug
from ddr_sim.runs.codebook import codebook_markdown
from ddr_sim.runs.indicators import stall_flags, stall_indicators, summarize
from ddr_sim.runs.monthly import SeedTables
from ddr_sim.runs.registry import HEADLINE, breakdown_table, describe, undescribed
from ddr_sim.runs.summary import summary_of_tables
from ddr_sim.runs.summary_files import summary_from_folder
from ddr_sim.runs.tables import seed_tables

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("teaching")
    args = ["run", str(TEACHING), "--seeds", "3", "--no-plots", "--out", str(out)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def mali() -> tuple[DDRModel, dict[str, pd.DataFrame]]:
    model = DDRModel(load_scenario(MALI), seed=0).run()
    return model, seed_tables(model, 0)


# ---------------------------------------------------------------------------------------------
# the summary is a function of the saved tables


def test_summary_recomputed_from_the_saved_folder_is_identical(saved: Path) -> None:
    recomputed = summary_from_folder(saved)
    pd.testing.assert_frame_equal(recomputed, pd.read_parquet(saved / "summary.parquet"))


def test_summary_with_own_checkpoints_is_recomputed_identically(tmp_path: Path) -> None:
    args = ["run", str(TEACHING), "--no-plots", "--checkpoints", "2016-01,2030-01"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    saved = pd.read_parquet(tmp_path / "summary.parquet")
    assert "integrated_by_2016_01" in saved.columns
    pd.testing.assert_frame_equal(summary_from_folder(tmp_path), saved)


def test_a_changed_table_changes_the_recomputed_summary(saved: Path, tmp_path: Path) -> None:
    for name in saved.iterdir():
        if name.is_file():  # the tables, not the store of finished runs (runs/)
            (tmp_path / name.name).write_bytes(name.read_bytes())
    flows = pd.read_parquet(tmp_path / "flows.parquet")
    flows.loc[flows["flow"] == "integrated", "count"] *= 2
    flows.to_parquet(tmp_path / "flows.parquet", index=False)
    before = pd.read_parquet(saved / "summary.parquet")
    after = summary_from_folder(tmp_path)
    assert (after["integrated_total"] == 2 * before["integrated_total"]).all()


def test_summarize_of_a_model_is_the_summary_of_its_tables(mali) -> None:
    model, tables = mali
    row = summarize(model, 0)
    again = summary_of_tables(tables)
    assert list(row) == list(again)
    assert all(row[k] == again[k] or (pd.isna(row[k]) and pd.isna(again[k])) for k in row)


def test_tables_of_two_seeds_are_refused(saved: Path) -> None:
    tables = {n: pd.read_parquet(saved / f"{n}.parquet") for n in ("counts", "series")}
    tables |= {n: pd.read_parquet(saved / f"{n}.parquet") for n in ("group_series", "flows")}
    tables["groups"] = pd.read_csv(saved / "groups.csv")
    with pytest.raises(ValueError, match="one seed"):
        summary_of_tables(tables)


# ---------------------------------------------------------------------------------------------
# registry, codebook, headline and breakdown files


def test_every_summary_column_is_in_the_codebook(saved: Path, mali) -> None:
    codebook = (ROOT / "docs" / "OUTPUTS.md").read_text(encoding="utf-8")
    assert codebook == codebook_markdown(), "regenerate: python -m ddr_sim.runs.codebook"
    columns = list(pd.read_parquet(saved / "summary.parquet").columns)
    columns += list(summary_of_tables(mali[1]))
    assert undescribed(columns) == []
    for column in set(columns):
        assert f"`{describe(column).pattern}`" in codebook, column


def test_the_registry_tells_families_apart() -> None:
    cases = {
        "rejoined_cma": ("rejoined_<coalition>", "cma"),
        "rejoined_2023": ("rejoined_<year>", "2023"),
        "rejoined_total": ("rejoined_total", ""),
        "rejoined_group_mnla_split8": ("rejoined_group_<group>", "mnla_split8"),
        "rejoined_share_in_kidal_cma": ("rejoined_share_in_<region_coalition>", "kidal_cma"),
        "integrated_by_2020_06": ("<flow>_by_<yyyy_mm>", "integrated 2020_06"),
        "cost_total_usd": ("cost_total_usd", ""),
        "cost_cvr_usd": ("cost_<item>_usd", "cvr"),
        "listed_armed_2017_03": ("listed_armed_<yyyy_mm>", "2017_03"),
    }
    for column, (pattern, key) in cases.items():
        assert describe(column).pattern == pattern, column
        assert describe(column).key(column) == key, column
    assert describe("no_such_column") is None
    assert coalition_slug("total") == "coalition_total"
    assert coalition_slug("2023") == "coalition_2023"
    assert coalition_slug("CMA") == "cma"


def test_headline_summary_is_short_with_dates(saved: Path) -> None:
    headline = pd.read_csv(saved / "summary.csv")
    full = pd.read_parquet(saved / "summary.parquet")
    assert len(HEADLINE) <= 30
    assert list(headline.columns) == [c for c in HEADLINE if c in full.columns]
    assert not [c for c in headline.columns if c.endswith("_month")]
    for column in [c for c in headline.columns if c.endswith("_date")]:
        dates = headline[column].dropna().astype(str)
        assert dates.str.fullmatch(r"\d{4}-\d{2}").all(), column
    assert headline["seed"].tolist() == [0, 1, 2]


def test_breakdowns_hold_every_other_column(saved: Path) -> None:
    long = pd.read_csv(saved / "summary_breakdowns.csv")
    full = pd.read_parquet(saved / "summary.parquet")
    others = [c for c in full.columns if c not in HEADLINE]
    assert len(long) == len(others) * len(full)
    assert set(long["column"]) == set(others)
    row = long[(long["column"] == "rejoined_group_hills") & (long["seed"] == 1)].iloc[0]
    assert (row["indicator"], row["by"], row["key"]) == ("rejoined_group_<group>", "group", "hills")
    assert float(row["value"]) == full.loc[full["seed"] == 1, "rejoined_group_hills"].item()
    assert len(breakdown_table(full.iloc[:1])) == len(others)


def test_indicator_table_is_printed_and_saved(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    xlsx = importlib.util.find_spec("openpyxl") is not None  # the xlsx extra
    args = ["run", str(TEACHING), "--seeds", "2", "--no-plots", "--out", str(out)]
    assert main(args + (["--xlsx"] if xlsx else [])) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "indicators.csv")
    assert "integrated_total" in set(table["indicator"])
    assert "first_integration_month" not in set(table["indicator"])
    dates = table.loc[table["indicator"] == "first_integration_date", "median"]
    assert dates.astype(str).str.fullmatch(r"\d{4}-\d{2}").all()
    assert "rejoined their group (defection)" in printed
    assert "rejoined their group (defection)" in (out / "indicators.md").read_text()
    for label in table["label"]:
        assert label in printed
    if not xlsx:
        pytest.skip("openpyxl not installed: summary.xlsx not checked")
    book = pd.read_excel(out / "summary.xlsx", sheet_name=None)
    assert list(book) == ["headline", "breakdowns", "indicators", "codebook"]
    assert list(book["headline"].columns) == list(pd.read_csv(out / "summary.csv").columns)


# ---------------------------------------------------------------------------------------------
# the stall clock


def test_stall_clock_starts_with_the_first_exit_or_when_ddr_falls_due(mali) -> None:
    model, tables = mali
    series = tables["series"]
    exit_open = series["exit_open"].to_numpy(bool)
    signed = tables["groups"].query("signatory and signed_month >= 0")["signed_month"]
    due = int(signed.min()) + model.spec.politics.ddr_calendar_months
    first_exit = int(np.argmax(exit_open)) if exit_open.any() else len(series)
    start = min(first_exit, due)
    clock = series["stall_clock"].to_numpy(bool)
    assert not clock[:start].any() and clock[start:].all()
    stall = series["stall"].to_numpy(bool)
    assert not stall[:start].any()
    net = series["net_into_integrated_reinserted"].to_numpy()
    np.testing.assert_array_equal(stall[start:], net[start:] <= 0)
    row = summary_of_tables(tables)
    assert row["stall_clock_start_month"] == start
    assert row["stall_months"] == int(stall.sum())


def test_stall_clock_waits_for_an_exit_when_ddr_is_never_due() -> None:
    scenario = load_scenario(TEACHING, ["politics.ddr_calendar_months=600"])
    series = seed_tables(DDRModel(scenario, seed=0).run(), 0)["series"]
    assert not series["ddr_due"].any()
    first_exit = int(np.argmax(series["exit_open"].to_numpy(bool)))
    assert int(np.argmax(series["stall_clock"].to_numpy(bool))) == first_exit
    pre_only = series["programme_open"] & ~series["stall_clock"]
    assert pre_only.any(), "pre-cantonment before any exit: not on the clock"
    assert not series.loc[pre_only, "stall"].any()


# ---------------------------------------------------------------------------------------------
# integration and defection by region and coalition


def _hand_made_run() -> SeedTables:
    flows = pd.DataFrame(
        {
            "seed": 0,
            "month": [0, 1, 1, 2, 2],
            "group": ["A", "A", "A-split1", "B", "A-split1"],
            "region": pd.Categorical(
                ["North", "North", "South", "South", "South"], categories=["North", "South"]
            ),
            "flow": ["integrated", "rejoined", "integrated", "integrated", "rejoined"],
            "count": [10, 2, 4, 5, 1],
        }
    )
    groups = pd.DataFrame(
        {
            "seed": 0,
            "slot": [0, 1, 2],
            "group": ["A", "B", "A-split1"],
            "coalition": ["CMA", "Platform", "CMA"],
            "signatory": True,
            "parent": [None, None, "A"],
        }
    )
    dates = ["2015-01", "2015-02", "2015-03"]
    series = pd.DataFrame({"seed": 0, "month": [0, 1, 2], "date": dates})
    counts = pd.DataFrame({"seed": 0, "region": flows["region"].iloc[:0]})
    return SeedTables(0, counts, series, pd.DataFrame(), flows, groups)


def test_defections_by_region_and_coalition_on_hand_made_tables() -> None:
    row = coalition_columns(_hand_made_run())
    assert row["integrated_in_north_cma"] == 10
    assert row["rejoined_in_north_cma"] == 2
    assert row["rejoined_share_in_north_cma"] == pytest.approx(0.2)
    assert row["integrated_in_south_cma"] == 4  # a splinter keeps its parent's coalition
    assert row["rejoined_share_in_south_cma"] == pytest.approx(0.25)
    assert row["integrated_in_south_platform"] == 5
    assert row["rejoined_in_south_platform"] == 0
    assert np.isnan(row["rejoined_share_in_north_platform"])  # nobody integrated there
    assert (row["integrated_cma"], row["rejoined_cma"]) == (14, 3)
    assert row["rejoined_share_platform"] == 0.0


def test_defection_breakdowns_add_up_on_the_mali_scenario(mali) -> None:
    model, tables = mali
    row = summary_of_tables(tables)
    coalitions = list(dict.fromkeys(g.coalition for g in model.groups))
    regions = [re.sub(r"[^0-9a-z]+", "_", r.lower()) for r in model.region_names]
    for flow in ("integrated", "rejoined"):
        per_coalition = [row[f"{flow}_{c.lower()}"] for c in coalitions]
        assert sum(per_coalition) == row[f"{flow}_total"]
        for c in coalitions:
            cells = [row[f"{flow}_in_{r}_{c.lower()}"] for r in regions]
            assert sum(cells) == row[f"{flow}_{c.lower()}"]
    rejoined_by_region = sum(row[f"rejoined_region_{r}"] for r in regions)
    assert rejoined_by_region == row["rejoined_total"]


def test_xlsx_without_openpyxl_is_refused_before_running(tmp_path: Path, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError("no openpyxl")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    out = tmp_path / "run"
    assert main(["run", str(TEACHING), "--xlsx", "--out", str(out)]) == 2
    assert "pip install 'ddr-sim[xlsx]'" in capsys.readouterr().err
    assert not out.exists()


def _fake_model(signed: int | None, militia_opens: str | None, reinsertion_from: int):
    from types import SimpleNamespace as NS

    months = 10
    series = {name: np.zeros(months) for name in ("accelerated_ddr_open", "pre_cantonment_open")}
    series |= {"general_integration_open": np.zeros(months), "sites_built": np.zeros(months)}
    series["reinsertion_open"] = (np.arange(months) >= reinsertion_from).astype(float)
    series["pre_cantonment_open"][1:] = 1.0  # not an exit: does not start the clock
    scenario = NS(
        calendar=NS(start="2015-01"),
        politics=NS(ddr_calendar_months=3),
        programmes=NS(militia_programme=NS(opens=militia_opens)),
    )
    groups = [NS(signatory=True, signed_month=signed), NS(signatory=False, signed_month=None)]
    return NS(month=months, history=NS(series=series), groups=groups, spec=scenario)


def test_stall_clock_is_the_earlier_of_an_exit_and_ddr_falling_due() -> None:
    from ddr_sim.runs.recorded import programme_flags

    def start(**kw) -> int | None:
        clock = programme_flags(_fake_model(**kw))["stall_clock"]
        return int(np.argmax(clock)) if clock.any() else None

    assert start(signed=2, militia_opens=None, reinsertion_from=99) == 5  # due: 2 + 3
    assert start(signed=2, militia_opens="2015-04", reinsertion_from=99) == 3  # militia first
    assert start(signed=None, militia_opens=None, reinsertion_from=7) == 7  # reinsertion
    assert start(signed=None, militia_opens=None, reinsertion_from=99) is None
    flags = programme_flags(_fake_model(signed=None, militia_opens=None, reinsertion_from=99))
    assert flags["programme_open"][1:].all()  # pre-cantonment open, yet off the clock


# ---------------------------------------------------------------------------------------------
# indicators on hand-made tables


def test_stall_months_and_longest_stall_on_a_hand_made_table() -> None:
    table = pd.DataFrame(
        {
            "month": range(10),
            "stall_clock": [0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            "net_into_integrated_reinserted": [0, 0, 0, 5, 0, 0, -1, 0, 2, 0],
        }
    )
    # stall months: 1, 2 | 4, 5, 6 (net -1 counts: no progress), 7 | 9
    assert stall_indicators(table.sample(frac=1, random_state=1)) == {
        "stall_clock_months": 9,
        "stall_months": 7,
        "stall_episodes": 3,
        "longest_stall_months": 4,
    }


def test_no_stall_before_the_stall_clock_starts() -> None:
    assert not stall_flags([False] * 4, [0, 0, 0, 0]).any()
    table = pd.DataFrame(
        {"month": [0, 1], "stall_clock": False, "net_into_integrated_reinserted": 0}
    )
    assert stall_indicators(table)["longest_stall_months"] == 0
