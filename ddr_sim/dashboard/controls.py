"""The left column: run buttons and the settings of the next run, each explained.

Every control shows its value and unit without being dragged, and one line saying what it
changes. The run buttons (Reset, Play/Pause, Step) are in :mod:`ddr_sim.dashboard.player`;
the two timing sliders beside them say in words what they do. Mesa's own panels are not
used: they show neither values nor help, and offer "Use Threads" and a raw step count.
"""

from __future__ import annotations

import solara

from ddr_sim.dashboard.model import DashboardModel
from ddr_sim.dashboard.player import PlayButtons

SMALL = "font-size: 12px; color: #555; line-height: 1.3; margin: -8px 0 8px 0;"
HEADER = "display: flex; justify-content: space-between; font-size: 14px;"


def initial_values(params: dict) -> dict:
    """The value of every control before anyone touches it (fixed entries as they are)."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def shown_value(value: object, spec: dict) -> str:
    """A control's value as text, with its unit."""
    if isinstance(value, float):
        step = float(spec.get("step", 0.01))
        decimals = max(0, len(f"{step:g}".partition(".")[2]))
        text = f"{value:,.{decimals}f}"
        if spec.get("min", 0) < 0 and value > 0:
            text = "+" + text
    else:
        text = str(value)
    unit = spec.get("unit", "")
    return f"{text} {unit}".strip()


def tagged(test_id: str, children: list, tag: str = "div", style: str = ""):
    """An HTML element carrying ``data-testid`` (what the browser tests look for)."""
    return solara.v.Html(
        tag=tag, attributes={"data-testid": test_id}, children=children, style_=style
    )


#: The two timing controls of the run buttons.
TIMING = {
    "months_per_step": {
        "type": "SliderInt",
        "value": 1,
        "min": 1,
        "max": 24,
        "step": 1,
        "label": "Months per Step",
        "help": "Months simulated by one press of Step (and between pictures when playing).",
    },
    "pause_ms": {
        "type": "SliderInt",
        "value": 150,
        "min": 0,
        "max": 1000,
        "step": 50,
        "label": "Pause between months",
        "unit": "ms",
        "help": "Slows playing down, to watch month by month.",
    },
}


@solara.component
def Control(name: str, spec: dict, value: object, on_value):
    """One setting: its label and value on one line, the input, a line of help."""
    test_id = name.replace("_", "-")
    with solara.Div(attributes={"data-testid": f"control-{test_id}"}):
        with solara.Div(style=HEADER):
            solara.Text(spec["label"], style="font-weight: 600;")
            tagged(f"value-{test_id}", [shown_value(value, spec)], tag="span")
        if spec["type"] == "Select":
            solara.Select(label="", value=value, values=spec["values"], on_value=on_value)
        else:
            slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
            slider(
                label="",
                value=value,
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
                thumb_label=False,
            )
        solara.Div(children=[spec["help"]], style=SMALL)


@solara.component
def RunControls(
    model: solara.Reactive[DashboardModel],
    values: solara.Reactive[dict],
    months_per_step: solara.Reactive[int],
    pause_ms: solara.Reactive[int],
):
    """Reset / play-pause / Step, and how many months a Step or a played frame covers."""
    PlayButtons(model, values, months_per_step, pause_ms)
    for name, reactive in (("months_per_step", months_per_step), ("pause_ms", pause_ms)):
        Control(name, TIMING[name], reactive.value, reactive.set)


@solara.component
def SettingsControls(params: dict, values: solara.Reactive[dict]):
    """A control per lever; they set up the next run (applied on Reset)."""
    solara.Text(
        "These set up the next run: move them, then press Reset.",
        style="font-size: 13px; color: #8c2d04; font-weight: 600;",
    )
    for name, spec in params.items():
        if isinstance(spec, dict):

            def set_value(new: object, name: str = name) -> None:
                values.set({**values.value, name: new})

            Control(name, spec, values.value.get(name, spec["value"]), set_value)
