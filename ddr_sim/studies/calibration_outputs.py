"""What a calibration study writes after every trial: ``trials.csv``, ``accepted.csv`` and
``best.yaml``, and how a ``best.yaml`` is read back as a starting point."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.config.files import atomic_write
from ddr_sim.config.targets import Evaluation, LoadedTargets


class CalibrationError(Exception):
    """The calibration cannot start or go on."""


def trial_attrs(evaluation: Evaluation) -> dict[str, Any]:
    table = evaluation.table.set_index("name")
    return {
        "joint_share": evaluation.joint_share,
        "accepted": evaluation.all_medians_met,
        "medians": {k: (None if math.isnan(v) else v) for k, v in table["median"].items()},
        "share_met": table["share_met"].to_dict(),
    }


def trials_table(study: Any, targets: LoadedTargets) -> pd.DataFrame:
    """Every finished trial: number, parameters, distance, joint share, acceptance, medians."""
    import optuna

    rows = []
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    for number, trial in enumerate(sorted(done, key=lambda t: t.number)):
        attrs = trial.user_attrs
        row = {"trial": number, "distance": trial.value}
        row["joint_share"] = attrs.get("joint_share")
        row["accepted"] = attrs.get("accepted")
        row.update(trial.params)
        for name, value in (attrs.get("medians") or {}).items():
            row[f"median_{name}"] = value
        rows.append(row)
    names = [p.name for p in targets.parameters]
    columns = ["trial", "distance", "joint_share", "accepted", *names]
    return pd.DataFrame(rows, columns=columns if not rows else None)


def best_row(trials: pd.DataFrame) -> pd.Series | None:
    """The best trial: among accepted ones the highest joint share, then the lowest distance;
    without accepted trials the lowest distance."""
    if trials.empty:
        return None
    accepted = trials[trials["accepted"].astype(bool)]
    if len(accepted):
        return accepted.sort_values(["joint_share", "distance"], ascending=[False, True]).iloc[0]
    return trials.sort_values("distance").iloc[0]


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in flat.items():
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def best_yaml(best: pd.Series, targets: LoadedTargets, command: str) -> str:
    """``best.yaml``: the best point as overrides and as a scenario fragment."""
    import yaml

    flat: dict[str, Any] = {}
    for par in targets.parameters:
        value = float(best[par.name])
        for path in par.paths:
            flat[path] = round(value, 6)
    header = (
        f"# Best point of a calibration: trial {int(best['trial'])}, distance "
        f"{best['distance']:.4f}, share of seeds meeting every band {best['joint_share']:.2f}, "
        f"all medians in their bands: {bool(best['accepted'])}.\n# Produced by: {command}\n"
    )
    body = {
        "trial": int(best["trial"]),
        "set": [f"{k}={v}" for k, v in flat.items()],
        "scenario": _nest(flat),
    }
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def start_point(path: str | os.PathLike[str], targets: LoadedTargets) -> dict[str, float]:
    """The values of a ``best.yaml`` for the free parameters inside their prior ranges."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        settings = dict(item.split("=", 1) for item in data["set"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as err:
        raise CalibrationError(f"{path}: not a best.yaml of a calibration ({err})") from None
    point = {}
    for par in targets.parameters:
        value = settings.get(par.paths[0])
        if value is not None and par.spec.range[0] <= float(value) <= par.spec.range[1]:
            point[par.name] = float(value)
    return point


def write_outputs(study: Any, targets: LoadedTargets, out: Path, command: str) -> pd.DataFrame:
    trials = trials_table(study, targets)
    atomic_write(out / "trials.csv", trials.to_csv(index=False))
    accepted = trials[trials["accepted"].astype(bool)] if len(trials) else trials
    atomic_write(out / "accepted.csv", accepted.to_csv(index=False))
    best = best_row(trials)
    if best is not None:
        atomic_write(out / "best.yaml", best_yaml(best, targets, command))
    return trials
