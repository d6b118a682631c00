"""Reset, Play/Pause and Step for one browser session.

Mesa's ``ModelController`` plays the model in a task thread and asks for a redraw
through Mesa's ``update_counter``. With several tabs playing at once on one server, some
tabs then stopped redrawing (the model ran to its end while the page stayed at month 0):
the redraw request reached no session, or another one. Here the play loop is a plain
thread that enters its own session's kernel context before each redraw request, so
every request reaches the tab that made it; and each redraw reads the model's last
:class:`~ddr_sim.dashboard.frame.Frame`, so a picture never sees a month half done.
Playing draws after every Step of *months per step* months, then pauses.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable

import solara
from mesa.visualization.utils import force_update, update_counter

from ddr_sim.dashboard.model import DashboardModel


class Player:
    """The play loop of one session: start, stop, and whether it is running.

    Parameters
    ----------
    advance : callable
        Steps the model by the chosen number of months and redraws; False at the end.
    pause_s : callable
        Seconds to wait between two advances (read each time: the slider may move).
    on_stop : callable
        Called in the session's context when playing stops (at the end or on error).
    """

    def __init__(
        self,
        advance: Callable[[], bool],
        pause_s: Callable[[], float],
        on_stop: Callable[[str | None], None],
    ) -> None:
        self._advance = advance
        self._pause_s = pause_s
        self._on_stop = on_stop
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        """Play from the current month, in a thread bound to the caller's session."""
        self.stop()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(_session_context(), self._stop), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self, context, stop: threading.Event) -> None:
        """Advance until stopped from outside, the run's end or an error; only the last
        two call ``on_stop`` (a Pause or Reset has already updated the page)."""
        error, ended = None, False
        try:
            while not stop.wait(self._pause_s()):
                with context:
                    if not self._advance():
                        ended = True
                        break
        except Exception as err:  # shown on the page, and logged with its traceback
            traceback.print_exc()
            error, ended = f"the run stopped: {err}", True
        if ended and not stop.is_set():
            stop.set()
            with context:
                self._on_stop(error)


def _session_context():
    """The Solara server's context of the calling session (a no-op context outside a
    server, e.g. in a notebook, where there is one session)."""
    from solara.server.kernel_context import get_current_context

    try:
        return get_current_context()
    except RuntimeError:
        return contextlib.nullcontext()


@solara.component
def PlayButtons(
    model: solara.Reactive[DashboardModel],
    values: solara.Reactive[dict],
    months_per_step: solara.Reactive[int],
    pause_ms: solara.Reactive[int],
):
    """Reset (a new run with the settings), Play/Pause, Step (months per step)."""
    update_counter.get()
    playing = solara.use_reactive(False)
    error = solara.use_reactive(None)

    def advance() -> bool:
        current = model.value
        for _ in range(months_per_step.value):
            current.step()
        force_update()
        return current.running

    def stopped(message: str | None) -> None:
        playing.set(False)
        error.set(message)

    player = solara.use_memo(
        lambda: Player(advance, lambda: pause_ms.value / 1000, stopped), dependencies=[]
    )
    solara.use_effect(lambda: player.stop, dependencies=[])  # the tab closes: stop

    def play_pause() -> None:
        if player.playing:
            player.stop()
            playing.set(False)
        else:
            error.set(None)
            playing.set(True)
            player.start()

    def reset() -> None:
        player.stop()
        playing.set(False)
        error.set(None)
        model.set(DashboardModel(**values.value))
        force_update()

    running = model.value.running
    button = "min-width: 0; padding: 0 10px;"
    with solara.Row(gap="6px", style="flex-wrap: nowrap;"):
        solara.Button("Reset", color="primary", on_click=reset, style=button)
        solara.Button(
            "❚❚ Pause" if playing.value else "▶ Play",
            color="primary",
            on_click=play_pause,
            disabled=not running and not playing.value,
            style=button,
        )
        solara.Button(
            "Step",
            color="primary",
            on_click=advance,
            disabled=playing.value or not running,
            style=button,
        )
    if error.value:
        solara.Error(error.value)
    elif not running:
        solara.Info("The run has reached its last month: press Reset for a new one.")
