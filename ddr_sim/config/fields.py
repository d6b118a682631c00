"""Field types every config schema shares: the strict base model, months, shares and the
limits of people, places, months, rates and money, each with the reason for its bound.

A limit's reason is kept in the field's JSON Schema (``"limit"``) and repeated in the
message when a value breaks it, so that ``ddr-sim validate`` and an editor using
``scenarios/scenario.schema.json`` both say why. Bounds are far above any real DDR
process; they exist so that no accepted scenario can exhaust memory, overflow the
model's integer columns (regions are stored as int8, groups and months as int16) or
push a float to infinity or NaN.

The largest caseloads on record: Ethiopia demobilised about 455,000 soldiers of the
former army in 1991-93; about 500,000 people across Africa were slated for DDR in 2012
(Africa Center for Strategic Studies, *The Lessons and Limits of DDR in Africa*, 2013);
Liberia disarmed 101,495 people in 2003-04, Sierra Leone 72,490 in 1998-2002,
Afghanistan's ANBP 63,380 in 2003-05, Colombia's AUC 31,671 in 2003-06. Eastern DR Congo
counted about 120 armed groups in 2019-20 (Kivu Security Tracker).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ddr_sim.config.calendar import MONTH_PATTERN

__all__ = [
    "MAX_CELLS",
    "MAX_GROUPS",
    "MAX_MONTHS",
    "MAX_PEOPLE",
    "MAX_REGIONS",
    "NAME_PATTERN",
    "Count",
    "Month",
    "Positive",
    "Share",
    "Strict",
    "limit_reason",
]


class Strict(BaseModel):
    """Base of every config schema: unknown keys are refused, infinities and NaN too."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False, populate_by_name=True
    )


def _limited(kind: type, low: float | None, high: float, reason: str, **kw: Any) -> Any:
    bounds = {"ge": low} if low is not None else {}
    return Annotated[kind, Field(le=high, json_schema_extra={"limit": reason}, **bounds, **kw)]


# ---- limits ---------------------------------------------------------------------------------

MAX_PEOPLE = 1_000_000
MAX_REGIONS = 100
MAX_GROUPS = 150
MAX_MONTHS = 600
#: months x groups x regions: the size of the monthly records (about 185 bytes a cell).
MAX_CELLS = 1_000_000

PEOPLE_REASON = (
    "at most 1,000,000 people: twice the whole of Africa's DDR caseload in 2012 (about "
    "500,000) and twice Ethiopia's 1991-93 demobilisation (about 455,000), the largest on "
    "record; every person is a row of the model"
)
MONTHS_REASON = "at most 600 months (50 years); months are stored as int16"
MONEY_REASON = (
    "at most 100,000 kFCFA (about USD 167,000) a month per person, over 1,000 times Mali's army pay"
)
USD_UNIT_REASON = "at most USD 1,000,000 per person or unit"
BUDGET_REASON = "at most USD 100 billion, over ten times the UN's whole yearly peacekeeping budget"
WEIGHT_REASON = "a weight of at most 1,000 (calibrated weights are below 10)"
SCORE_REASON = "between -1,000 and 1,000 (calibrated values are below 10)"
RATE_REASON = "a monthly probability or share, at most 1"

#: A name usable as a column of the result tables (parameters, targets, classes).
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(ge=0.0)]
Count = Annotated[int, Field(ge=0)]
Month = Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2015-06"])]

People = _limited(int, 0, MAX_PEOPLE, PEOPLE_REASON)
Months = _limited(int, 1, MAX_MONTHS, MONTHS_REASON)
MonthsOrZero = _limited(int, 0, MAX_MONTHS, MONTHS_REASON)
Duration = _limited(float, 0.0, MAX_MONTHS, MONTHS_REASON)
Horizon = _limited(float, 1.0, MAX_MONTHS, "between 1 and 600 months (it divides)")
Money = _limited(float, 0.0, 100_000.0, MONEY_REASON)
LumpSum = _limited(float, 0.0, 1_000_000.0, "at most 1,000,000 kFCFA (about USD 1.7 M)")
UnitUSD = _limited(float, 0.0, 1e6, USD_UNIT_REASON)
SiteUSD = _limited(float, 0.0, 1e10, "at most USD 10 billion")
BudgetUSD = _limited(float, 0.0, 1e11, BUDGET_REASON)
ExchangeRate = _limited(float, 0.0, 100.0, "at most 100 USD per kFCFA (today about 1.7)")
Sites = _limited(int, 0, 10_000, "at most 10,000 sites")
Weight = _limited(float, 0.0, 1000.0, WEIGHT_REASON)
Score = _limited(float, -1000.0, 1000.0, SCORE_REASON)
Rate = _limited(float, 0.0, 1.0, RATE_REASON)
AttackRate = _limited(
    float,
    0.0,
    100.0,
    "at most 100 attacks a month in one region (Mali's worst years saw about 100 violent "
    "events a month in the whole country)",
)


def limit_reason(model: type[BaseModel] | None, field: object) -> str | None:
    """The reason stored with the limit of ``model.field``, if it has one."""
    if model is None or not isinstance(field, str):
        return None
    info = model.model_fields.get(field)
    if info is None:
        return None
    extras = [
        info.json_schema_extra,
        *(getattr(m, "json_schema_extra", None) for m in info.metadata),
    ]
    for extra in extras:
        if isinstance(extra, dict) and "limit" in extra:
            return str(extra["limit"])
    return None
