"""The model the dashboard drives: a scenario file plus the levers a class plays with.

``DashboardModel`` is a :class:`~ddr_sim.core.model.DDRModel` whose constructor takes a
scenario file and the slider values (so the *Reset* button can rebuild it from the
controls) and builds the validated scenario from them. After each month it also takes a
:class:`~ddr_sim.dashboard.frame.Frame` (what the views draw) and, when someone is being
followed, their state that month.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ddr_sim.config.loading import load_scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.defaults import default_scenario_path, spec
from ddr_sim.dashboard.follow import PersonMonth, Replay, person_now, random_person
from ddr_sim.dashboard.frame import Frame, Start, frame_of
from ddr_sim.dashboard.levers import (
    LEVERS,
    NEVER,
    lever_overrides,
    lever_value,
    scenario_mandate_end,
)


class DashboardModel(DDRModel):
    """One run of a scenario file with the dashboard's levers applied.

    Rule: load the scenario, apply :func:`~ddr_sim.dashboard.levers.lever_overrides`, and
    run it as any ``DDRModel``, one month per ``step()``. The keyword arguments are the
    sliders of the dashboard; None keeps the scenario's value.

    Attributes
    ----------
    scenario_path : str
        The scenario file.
    overrides : list of str
        The overrides the levers produced.
    frame : Frame
        What the views show, taken after the last month.
    followed : int or None
        Row of the person being followed; ``life`` holds their months so far.
    """

    def __init__(
        self,
        scenario_path: str | os.PathLike[str] | None = None,
        seed: int = 0,
        trust_change: float = 0.0,
        progress_rate: float | None = None,
        gold_income: float | None = None,
        army_pay: float | None = None,
        reinsertion_package: float | None = None,
        reinsertion_credibility: float | None = None,
        committee_allowance: float | None = None,
        cvr_budget: float | None = None,
        accelerated_ddr_from: str | None = None,
        mandate_end: str | None = None,
    ):
        path = os.fspath(scenario_path or default_scenario_path())
        overrides = lever_overrides(
            load_scenario(path),
            trust_change=float(trust_change),
            accelerated_ddr_from=accelerated_ddr_from,
            mandate_end=mandate_end,
            progress_rate=progress_rate,
            gold_income=gold_income,
            army_pay=army_pay,
            reinsertion_package=reinsertion_package,
            reinsertion_credibility=reinsertion_credibility,
            committee_allowance=committee_allowance,
            cvr_budget=cvr_budget,
        )
        super().__init__(load_scenario(path, overrides), seed=int(seed))
        self.scenario_path = path
        self.overrides = overrides
        self._lock = threading.Lock()
        self._start = Start.of(self)
        self.frame: Frame = frame_of(self, self._start)
        self.followed: int | None = None
        self.life: list[PersonMonth] = []

    def step(self) -> None:
        """One month of the DDR model, then a new frame (and the followed person's
        month); nothing once the calendar is over."""
        with self._lock:
            if not self.running:
                return
            super().step()
            if self.followed is not None:
                self.life = [*self.life, person_now(self, self.followed)]
            self.frame = frame_of(self, self._start)

    def follow(self, row: int | None) -> None:
        """Follow person ``row`` (None: nobody); their months so far are replayed.

        The replay runs outside the lock, so a run being played keeps going meanwhile;
        the months it stepped in the meantime are caught up under the lock.
        """
        if row is None or not 0 <= row < self.population.capacity:
            with self._lock:
                self.followed, self.life = None, []
            return
        replay = Replay(spec(self), self.seed, int(row))
        replay.run_to(self.month)
        with self._lock:
            replay.run_to(self.month)
            self.followed, self.life = int(row), replay.life

    def follow_random(self, status: Status | None, rng: np.random.Generator) -> bool:
        """Follow someone drawn among people holding ``status`` now; False if nobody does."""
        row = random_person(self, status, rng)
        if row is None:
            return False
        self.follow(row)
        return True


def settings(model: DashboardModel) -> list[tuple[str, str, str]]:
    """``(key, description, value)`` of each lever in this run, as text; the keys are
    the keyword arguments of :class:`DashboardModel` (shown next to the plots)."""
    sc = spec(model)
    trust = ", ".join(f"{g.name} {g.initial_trust:.2f}" for g in sc.groups)
    shown = [
        ("scenario", "scenario", f"{sc.name} ({Path(model.scenario_path).name})"),
        ("seed", "seed", str(model.seed)),
        ("trust_change", "initial trust", trust),
    ]
    for lever in LEVERS:
        value = float(lever_value(sc, lever.path)) / lever.scale
        shown.append((lever.name, lever.description, f"{value:g}"))
    shown.append(
        (
            "accelerated_ddr_from",
            "accelerated DDR, earliest launch",
            sc.programmes.accelerated_ddr.earliest or NEVER,
        )
    )
    shown.append(("mandate_end", "mission mandate ends", scenario_mandate_end(sc) or NEVER))
    return shown
