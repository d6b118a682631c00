"""The dashboard, used as a class would: in a real (headless) Chromium at 1024 x 768.

Starts ``ddr-sim dashboard`` on a free port (one server for the module, as in a
classroom). One student moves the initial-trust slider (its value shows at once),
presses Reset, Step, Play/Pause and Step with several months per Step, opens the Info
page and follows a person; the pictures must stay clear of the controls. Then eight
students play at once: every session must advance and the server must log no error.
Screenshots land in ``test-output/``.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium``); skipped
with that message when it is absent. Playwright drives it (no browser download).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``(url, log file)`` of a dashboard server of the teaching scenario."""
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
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
        yield url, log
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


PLOTS = ("plot-status", "plot-trust", "plot-regions", "plot-where")


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


def _server_errors(log: Path) -> list[str]:
    """Lines of the server log that report a failure."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [
        line
        for line in text.splitlines()
        if any(word in line for word in ("Traceback", "Error", "error in step", "Exception"))
    ]


def _browser(sync_api, p):
    # launch() gives Chromium a fresh temporary profile of its own
    return p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


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


def _box(page, test_id: str) -> dict:
    return page.get_by_test_id(test_id).bounding_box()


def _check_first_view(page) -> None:
    """Values shown without dragging, help under each control, no Mesa extras; the
    controls never cover the pictures, and pictures are not shrunk."""
    assert _text(page, "value-gold-income") == "130 kFCFA/month"
    assert _text(page, "value-reinsertion-credibility") == "0.30"
    assert "starting trust" in _text(page, "control-trust-change")
    body = page.inner_text("body")
    assert "Use Threads" not in body and "Time:" not in body
    side = _box(page, "control-trust-change")
    for test_id in PLOTS:
        box = _box(page, test_id)
        assert box["x"] >= side["x"] + side["width"], test_id
        natural = page.get_by_test_id(test_id).locator("img").evaluate("i => i.naturalWidth")
        assert box["width"] >= 0.95 * natural, test_id


def _follow_someone_and_read_info(page) -> None:
    """Follow someone at random, then open the Info page."""
    page.get_by_role("button", name="Follow a person").click()
    page.get_by_role("button", name="Anyone at random").click()
    page.get_by_test_id("follow-summary").wait_for(timeout=15_000)
    assert _text(page, "follow-summary").startswith("Person ")
    assert page.get_by_test_id("follow-table").locator("tr").count() >= 2
    page.screenshot(path=str(OUTPUT / "dashboard-follow.png"))
    page.get_by_role("button", name="Info").click()
    info = page.get_by_test_id("info")
    info.wait_for(timeout=15_000)
    for heading in ("WHAT IS IT?", "HOW TO USE IT", "THINGS TO TRY"):
        assert heading in info.inner_text()


def test_student_moves_trust_slider_resets_and_steps(server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extra)")
    url, log = server
    started = time.monotonic()
    OUTPUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = _browser(sync_api, p)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(url)
            _wait_for_page(page, url)
            for test_id in PLOTS:
                page.get_by_test_id(test_id).locator("img").wait_for(timeout=15_000)
            assert _text(page, "indicator-date") == "2015-01 (0/96)"
            assert _text(page, "setting-trust-change") == "Hills 0.40, Plains 0.50"
            _check_first_view(page)
            page.screenshot(path=str(OUTPUT / "dashboard-1024x768.png"))
            before = {t: _plot_source(page, t) for t in PLOTS}

            # Move the trust slider up four steps (+0.20) with the keyboard, then Reset.
            thumb = page.get_by_test_id("control-trust-change").get_by_role("slider")
            _press(thumb, "ArrowRight", 4)
            assert _text(page, "value-trust-change") == "+0.20"
            _reset_until(page, "Hills 0.60, Plains 0.70")
            assert _text(page, "indicator-mean-trust") == "0.65"

            # The first Step moves the date and redraws every picture.
            step = page.get_by_role("button", name="Step")
            per_month = []
            for month in range(1, 6):
                clicked = time.monotonic()
                step.click()
                _wait_until(lambda m=month: _month(page) == m, what=f"month {month}")
                per_month.append(time.monotonic() - clicked)
                if month == 1:
                    assert _text(page, "indicator-date") == "2015-02 (1/96)"
                    for test_id in PLOTS:
                        _wait_until(
                            lambda t=test_id: _plot_source(page, t) not in ("", before[t]),
                            what=f"{test_id} to be redrawn after the first Step",
                        )

            # Play for a moment, then pause: the run moves on by itself.
            page.get_by_role("button", name="▶ Play").click()
            _wait_until(lambda: _month(page) >= 8, what="play to advance the months")
            page.get_by_role("button", name="❚❚ Pause").click()
            _wait_until(lambda: step.is_enabled(), what="Step to be enabled after pausing")

            # Twelve months per Step, three times.
            months = page.get_by_test_id("control-months-per-step").get_by_role("slider")
            _press(months, "ArrowRight", 11)
            assert _text(page, "value-months-per-step") == "12"
            for _ in range(3):
                month = _month(page)
                step.click()
                _wait_until(lambda m=month: _month(page) == m + 12, what=f"month {month + 12}")
            page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)

            _follow_someone_and_read_info(page)
        finally:
            browser.close()
    assert _server_errors(log) == []
    per_month.sort()
    report = (
        f"Step to new indicators in the browser: median {1000 * per_month[2]:.0f} ms, "
        f"slowest {1000 * per_month[-1]:.0f} ms (5 steps, teaching scenario)"
    )
    (OUTPUT / "dashboard_browser_timing.txt").write_text(report + "\n", encoding="utf-8")
    print(f"{report}; {time.monotonic() - started:.0f} s; screenshots in {OUTPUT}")


SESSIONS = 8


def test_eight_students_play_at_once(server):
    """Eight tabs press Play together: each advances on its own, nothing fails."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (dev extra)")
    url, log = server
    with sync_api.sync_playwright() as p:
        browser = _browser(sync_api, p)
        try:
            pages = []
            for _ in range(SESSIONS):
                page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
                page.goto(url)
                pages.append(page)
            for page in pages:
                _wait_for_page(page, url)
            for page in pages:
                page.get_by_role("button", name="▶ Play").click()
            deadline = time.monotonic() + 120
            months = [0] * SESSIONS
            shown: list[set[int]] = [set() for _ in pages]  # months each tab displayed
            while time.monotonic() < deadline and min(months) < 6:
                months = [_month(page) for page in pages]
                for seen, month in zip(shown, months, strict=True):
                    seen.add(month)
                time.sleep(0.5)
            for page in pages:
                pause = page.get_by_role("button", name="❚❚ Pause")
                if pause.count():  # not when the run has reached its end
                    pause.click()
            assert min(months) >= 6, f"months reached by the {SESSIONS} sessions: {months}"
            # every tab redrew as its run went on (not stuck, then jumping to the end)
            partway = [sorted(m for m in seen if 0 < m < 96) for seen in shown]
            assert all(len(p) >= 3 for p in partway), f"months shown while playing: {partway}"
            # once the last drawings have arrived, paused tabs stay where they are
            paused = [_month(page) for page in pages]
            settled = time.monotonic() + 60
            while time.monotonic() < settled:
                time.sleep(2.0)
                now = [_month(page) for page in pages]
                if now == paused:
                    break
                paused = now
            assert now == paused, f"paused sessions still moving: {paused} -> {now}"
        finally:
            browser.close()
    assert _server_errors(log) == []
    print(f"{SESSIONS} sessions played at once; months reached: {months}")
