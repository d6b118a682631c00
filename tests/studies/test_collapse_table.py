"""The report's table of the final collapse by where people served and coalition."""

import pandas as pd

from ddr_sim.config.targets import Target
from ddr_sim.studies.collapse_table import collapse_rows


def _summary() -> pd.DataFrame:
    # two seeds; the North unit has CMA and Platform members, the South unit Platform only
    return pd.DataFrame(
        {
            "serving_2023_in_north_cma": [100, 120],
            "rejoined_2023_in_north_cma": [90, 120],
            "rejoined_share_2023_in_north_cma": [0.9, 1.0],
            "serving_2023_in_north_platform": [50, 50],
            "rejoined_2023_in_north_platform": [0, 1],
            "rejoined_share_2023_in_north_platform": [0.0, 0.02],
            "serving_2023_in_south_cma": [0, 0],
            "rejoined_2023_in_south_cma": [0, 0],
            "rejoined_share_2023_in_south_cma": [float("nan")] * 2,
            "serving_2023_in_south_platform": [40, 60],
            "rejoined_2023_in_south_platform": [0, 0],
            "rejoined_share_2023_in_south_platform": [0.0, 0.0],
            "serving_2023_in_north": [150, 170],
            "rejoined_2023_in_north": [90, 121],
            "serving_2023_in_south": [40, 60],
            "rejoined_2023_in_south": [0, 0],
            "serving_2023_cma": [100, 120],
            "rejoined_2023_cma": [90, 120],
            "rejoined_share_2023_cma": [0.9, 1.0],
            "serving_2023_platform": [90, 110],
            "rejoined_2023_platform": [0, 1],
            "rejoined_share_2023_platform": [0.0, 1 / 110],
            "rejoined_share_2023": [90 / 190, 121 / 230],
        }
    )


def test_rows_by_place_and_coalition_with_the_record_beside_them():
    target = Target(
        name="north_cma",
        pattern="CMA members of the North unit returned",
        observed=1.0,
        when="2023",
        column="rejoined_share_2023_in_north_cma",
        band=[0.8, 1.0],
        reason="all returned",
    )
    rows = collapse_rows(_summary(), ["North", "South"], ["CMA", "Platform"], [target])
    places = list(zip(rows["where served"], rows["coalition"], strict=True))
    # nobody of the CMA served in the South: no row for it
    assert places == [
        ("North", "CMA"),
        ("North", "Platform"),
        ("North", "all"),
        ("South", "Platform"),
        ("South", "all"),
        ("all", "CMA"),
        ("all", "Platform"),
        ("all", "all"),
    ]
    north = rows.iloc[0]
    assert north["serving"] == "110 [101–119]"
    assert north["share rejoined"].startswith("0.95 [")
    assert north["record"] == "CMA members of the North unit returned (observed 1; band 0.8–1)"
    assert rows.iloc[1]["record"] == ""
    everyone = rows.iloc[-1]
    assert everyone["serving"] == "210 [192–228]"  # 190 and 230 over the regions
    assert everyone["rejoined"].startswith("106 [")


def test_no_collapse_columns_no_rows():
    assert collapse_rows(pd.DataFrame({"integrated_total": [1, 2]}), ["North"], ["CMA"]).empty
