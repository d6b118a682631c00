"""The dashboard, used as a student would: in a real (headless) Chromium.

Starts ``ddr-sim dashboard`` on a free port, opens it, moves the initial-trust slider,
presses Reset, Step several times, Play/Pause and Step with a longer render interval, and
checks that the settings, the
running indicators and the plots changed. A screenshot lands in ``test-output/``.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``); skipped
with that message when it is absent. Playwright drives it (no browser download).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("DDR_SIM_CHROMIUM", "/usr/bin/chromium"))
OUTPUT = ROOT / "test-output"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the dashboard exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"the dashboard did not answer at {url} within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def dashboard_url(tmp_path):
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    port = _free_port()
    log = tmp_path / "server.log"
    exe = Path(sys.executable).with_name("ddr-sim")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "ddr_sim.cli.main"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "dashboard", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the server goes with it
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_http(url, process, log, timeout=60)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_page(page, url: str) -> None:
    """Wait for the dashboard to draw; on failure say what the page was missing."""
    try:
        page.get_by_test_id("indicator-date").wait_for(timeout=30_000)
    except Exception as err:
        from ddr_sim.dashboard.assets import missing

        shot = OUTPUT / "dashboard-not-loaded.png"
        page.screenshot(path=str(shot))
        absent = missing()
        hint = (
            f"browser files missing from Solara's cache: {absent} (fetch them with "
            "'python -m ddr_sim.dashboard.assets', which needs npm)"
            if absent
            else "the browser files are all present"
        )
        pytest.fail(f"the dashboard at {url} did not draw within 30 s ({hint}); see {shot}: {err}")


def _text(page, test_id: str) -> str:
    return page.get_by_test_id(test_id).inner_text().strip()


def _month(page) -> int:
    """Months simulated so far, from the date indicator ("2015-05 (5/96)")."""
    return int(_text(page, "indicator-date").split("(")[1].split("/")[0])


def _plot_source(page, test_id: str) -> str:
    return page.get_by_test_id(test_id).locator("img").get_attribute("src") or ""


def _wait_until(predicate, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _press(thumb, key: str, times: int) -> None:
    """Press ``key`` on a slider's thumb, then give the last value time to reach the server.

    The widget library sends one change at a time and holds back the next until the
    server acknowledges the previous one, so the last value of a quick series arrives a
    moment after the key press; a student's next click comes later than a test's.
    """
    thumb.focus()
    for _ in range(times):
        thumb.press(key)
    time.sleep(1.0)


def _reset_until(page, trust: str, tries: int = 5) -> None:
    """Press Reset until the settings of the run show ``trust`` (as a student would)."""
    for _ in range(tries):
        page.get_by_role("button", name="Reset").click()
        try:
            _wait_until(lambda: _text(page, "setting-trust-change") == trust, timeout=3)
            return
        except AssertionError:
            continue
    raise AssertionError(f"initial trust never became {trust!r} after Reset")


def test_student_moves_trust_slider_resets_and_steps(dashboard_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extra)")
    started = time.monotonic()
    OUTPUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        # launch() gives Chromium a fresh temporary profile of its own
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(dashboard_url)
            _wait_for_page(page, dashboard_url)
            for test_id in ("plot-status", "plot-trust", "plot-where"):
                page.get_by_test_id(test_id).locator("img").wait_for(timeout=15_000)
            assert _text(page, "indicator-date").endswith("(0/96)")
            trust_before = _text(page, "setting-trust-change")
            assert trust_before == "Hills 0.40, Plains 0.50"
            before = {
                "with-groups": _text(page, "indicator-with-groups"),
                "plot-status": _plot_source(page, "plot-status"),
                "plot-trust": _plot_source(page, "plot-trust"),
                "plot-where": _plot_source(page, "plot-where"),
            }

            # Move the trust slider up four steps (+0.20) with the keyboard, then Reset.
            slider = page.locator(".v-slider", has=page.get_by_text("Trust +/-", exact=True))
            thumb = slider.get_by_role("slider")
            _press(thumb, "ArrowRight", 4)
            assert thumb.get_attribute("aria-valuenow") == "0.2"
            _reset_until(page, "Hills 0.60, Plains 0.70")
            assert _text(page, "indicator-mean-trust") == "0.65"

            # Step five months, one press at a time.
            step = page.get_by_role("button", name="Step")
            per_month = []
            for month in range(1, 6):
                clicked = time.monotonic()
                step.click()
                _wait_until(lambda m=month: _month(page) == m, what=f"month {month}")
                per_month.append(time.monotonic() - clicked)
            assert _text(page, "indicator-date") == "2015-05 (5/96)"
            for test_id in ("plot-status", "plot-trust", "plot-where"):
                _wait_until(
                    lambda t=test_id: _plot_source(page, t) not in ("", before[t]),
                    what=f"{test_id} to be redrawn",
                )
            assert _text(page, "indicator-with-groups") != before["with-groups"]

            # Play for a moment, then pause: the run moves on by itself.
            page.get_by_role("button", name="▶").click()
            _wait_until(lambda: _month(page) >= 8, what="play to advance the months")
            page.get_by_role("button", name="❚❚").click()
            _wait_until(lambda: step.is_enabled(), what="Step to be enabled after pausing")

            # Ten months per Step (Mesa's render interval), five times: the story unfolds.
            interval = page.locator(".v-slider", has=page.get_by_text("Render Interval (steps)"))
            interval_thumb = interval.get_by_role("slider")
            _press(interval_thumb, "ArrowRight", 5)  # 1 -> 11 in steps of 2
            assert interval_thumb.get_attribute("aria-valuenow") == "11"
            for _ in range(5):
                month = _month(page)  # read once play has stopped (the wait above)
                step.click()
                _wait_until(lambda m=month: _month(page) == m + 11, what=f"month {month + 11}")
            indicators = {
                t: _text(page, f"indicator-{t}")
                for t in ("date", "stall-months", "defections", "integrated", "in-moc")
            }
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            shutil.copy(shot, OUTPUT / "dashboard.png")
        finally:
            browser.close()
    per_month.sort()
    report = (
        f"Step to new indicators in the browser: median {1000 * per_month[2]:.0f} ms, "
        f"slowest {1000 * per_month[-1]:.0f} ms (5 steps, teaching scenario)"
    )
    (OUTPUT / "dashboard_browser_timing.txt").write_text(report + "\n", encoding="utf-8")
    seconds = time.monotonic() - started
    print(f"{report}\nafter the run: {indicators}; {seconds:.0f} s; screenshot in {OUTPUT}")
