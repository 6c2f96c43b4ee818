"""The web board /display in headless Chromium, against the real hub on a real Mosquitto.

Kiosks and counters are played over MQTT (``MqttProbe``); the lobby TV is a 1920×1080
Chromium page. Nothing is reloaded unless the test says so: every change arrives through
the board's event stream. The page exposes what it queued for the voice in
``window.motcuaBoard.announced`` (every announcement with its clips) and ``outcomes``
(played, stale, muted, failed). With ``MOTCUA_UPDATE_SCREENS=1`` the screenshot is written
to ``docs/screens/`` (else under the test's temporary folder).
"""

from __future__ import annotations

import statistics
import time

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None

from motcua.hub import Hub
from motcua.hub_config import HubConfig
from motcua.server import create_app
from motcua.server.board_voice import MANIFEST_NAME, default_sounds_dir
from motcua.server.serve import serve
from motcua.speech import parse_manifest, plan_announcement
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

TV = (1920, 1080)
#: How long a pushed change may take to show (it is milliseconds when healthy).
LIVE_TIMEOUT_MS = 5000


@pytest.fixture
def hub(tmp_path, mosquitto_broker):
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0, kiosk_issue_per_minute=0)
    with Hub(config, clock=ManualClock()) as running:
        yield running


def issue(hub, devices, service: str = "dat-dai") -> str:
    reply = devices.request(hub.topics.kiosk_cmd("1"), {"action": "issue", "service": service})
    assert reply["ok"], reply
    return reply["ticket"]["number"]


def counter(hub, devices, number: int, action: str, **args) -> dict:
    reply = devices.request(hub.topics.counter_cmd(number), {"action": action, **args})
    assert reply["ok"], reply
    return reply


def committed_manifest():
    return parse_manifest((default_sounds_dir() / MANIFEST_NAME).read_text("utf-8"))


def expected_clips(ticket: str, counter_number: int, recall: int = 0) -> list[str]:
    """What motcua.speech plans for the call, with every committed clip available."""
    manifest = committed_manifest()
    return list(plan_announcement(ticket, counter_number, manifest, recall=recall).clips)


def wait_true(page, expression: str, timeout_ms: float = LIVE_TIMEOUT_MS) -> None:
    """Poll ``expression`` in the page until it is true. (``wait_for_function`` evaluates
    a string with ``new Function``, which the page's Content-Security-Policy forbids.)"""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_ms} ms: {expression}")
        time.sleep(0.02)


def open_board(page_factory, hub, size=TV):
    page = page_factory(*size)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.errors = errors
    page.goto(f"http://127.0.0.1:{hub.http_port}/display")
    # Connected: the stream's first frame came on top of the one inlined in the page.
    wait_true(page, "window.motcuaBoard.frames >= 2")
    return page


def announced(page) -> list[dict]:
    return page.evaluate("window.motcuaBoard.announced")


def wait_announced(page, count: int) -> list[dict]:
    wait_true(page, f"window.motcuaBoard.announced.length >= {count}")
    return announced(page)


def test_a_call_shows_live_and_is_announced_once_recalls_as_recalls(
        hub, devices, page_factory):
    """Given the board open at 1920×1080 with the sound turned on and A001 issued,
    when counter 1 opens and calls next, then recalls,
    then without a reload counter 1 shows A001, the big panel "Mời số A001 đến quầy 1",
    and the page queued two announcements with exactly motcua.speech's clips: the call,
    then the recall (recall template, "Gọi lại lần 1" shown); both are played in full.
    After a reload nothing is announced again."""
    page = open_board(page_factory, hub)
    expect(page.locator("#sound")).to_be_visible()  # audio is blocked until a gesture
    assert page.text_content("#sound") == "Bật âm thanh (Turn sound on)"
    page.click("#sound")
    assert page.evaluate("localStorage.getItem('motcua.board.sound')") == "on"
    expect(page.locator("#sound")).to_be_hidden()
    clip_count = len(committed_manifest().clips)
    wait_true(page, f"window.motcuaBoard.decoded() === {clip_count}")  # all preloaded
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    assert issue(hub, devices) == "A001"

    counter(hub, devices, 1, "open", clerk="Nguyễn Thị Lan")
    sent_ms = time.time() * 1000
    assert counter(hub, devices, 1, "call_next")["ticket"]["number"] == "A001"

    tile = page.locator("[data-counter='1'] .tile-number")
    expect(tile).to_have_text("A001", timeout=LIVE_TIMEOUT_MS)
    assert page.text_content("#call-number") == "A001"
    assert page.text_content("#call-counter") == "đến quầy 1"
    assert page.get_attribute("[data-counter='1']", "class") == "tile status-open called"
    first = wait_announced(page, 1)
    assert first == [{"ticket": "A001", "counter": 1, "recall": 0,
                      "text": "Xin mời công dân có số thứ tự A một đến quầy số một",
                      "clips": expected_clips("A001", 1)}]

    counter(hub, devices, 1, "recall")
    both = wait_announced(page, 2)
    assert both[1]["recall"] == 1
    assert both[1]["text"] == "Xin mời lần nữa công dân có số thứ tự A một đến quầy số một"
    assert both[1]["clips"] == expected_clips("A001", 1, recall=1)
    assert both[1]["clips"] != both[0]["clips"]
    assert page.text_content("#call-recall") == "Gọi lại lần 1"
    # Chime + 2 × phrase is about 12 s of audio each; the second waits for the first.
    wait_true(page, "window.motcuaBoard.outcomes.length >= 2", 45_000)
    outcomes = page.evaluate("window.motcuaBoard.outcomes")
    assert [(o["ticket"], o["recall"], o["outcome"]) for o in outcomes] == [
        ("A001", 0, "played"), ("A001", 1, "played")]
    # Back to back, never overlapping: chime + two phrases last 8 s or more each.
    assert outcomes[0]["end"] - outcomes[0]["start"] > 8
    assert outcomes[1]["start"] >= outcomes[0]["end"]
    queued_ms = outcomes[0]["scheduled_at"] - sent_ms
    print(f"\ncall sent -> its audio queued in the browser: {queued_ms:.0f} ms; "
          f"announcement {outcomes[0]['end'] - outcomes[0]['start']:.1f} s, "
          f"recall {outcomes[1]['end'] - outcomes[1]['start']:.1f} s")
    assert 0 < queued_ms < 1000
    assert navigations == []
    # The blinking lasted BOARD_BLINK_S (10 s) after the recall: over by now.
    assert page.get_attribute("[data-counter='1']", "class") == "tile status-open"
    assert page.get_attribute("#calling", "class") == "calling"

    page.reload()
    wait_true(page, "window.motcuaBoard.frames >= 2")
    expect(page.locator("[data-counter='1'] .tile-number")).to_have_text("A001")
    page.wait_for_timeout(1000)
    assert announced(page) == []
    assert page.evaluate("window.motcuaBoard.calls") == []
    assert "called" not in page.get_attribute("[data-counter='1']", "class")


def test_with_the_kiosk_autoplay_flag_no_button_is_needed(hub, devices, browser):
    """Given Chromium started with --autoplay-policy=no-user-gesture-required (kiosk TVs)
    and nothing remembered in localStorage,
    when the board opens, then audio runs without any tap, the sound button stays hidden,
    and a call is queued for the voice."""
    from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path

    kiosk = browser.browser_type.launch(
        executable_path=chromium_path(), headless=True,
        args=CHROMIUM_ARGS + ["--autoplay-policy=no-user-gesture-required"])
    try:
        page = kiosk.new_page(viewport={"width": TV[0], "height": TV[1]})
        page.goto(f"http://127.0.0.1:{hub.http_port}/display")
        wait_true(page, "window.motcuaBoard.frames >= 2")
        wait_true(page, f"window.motcuaBoard.decoded() === {len(committed_manifest().clips)}")
        assert page.is_hidden("#sound")
        assert page.evaluate("localStorage.getItem('motcua.board.sound')") is None

        issue(hub, devices)
        counter(hub, devices, 1, "open", clerk="Lan")
        counter(hub, devices, 1, "call_next")
        assert [entry["clips"] for entry in wait_announced(page, 1)] == [
            expected_clips("A001", 1)]
        wait_true(page, "window.motcuaBoard.outcomes.length === 0 && "
                        "window.motcuaBoard.announced.length === 1")  # playing, not muted
    finally:
        kiosk.close()


def test_a_burst_of_calls_is_said_in_order_one_at_a_time(hub, page_factory):
    """Given the board with the sound on,
    when 20 short announcements (one clip each) are submitted at once to the page's
    announcer, the sixth one 90 s old,
    then they finish in order, the sixth dropped as stale, every other one played after
    the previous one ended (no overlap)."""
    page = open_board(page_factory, hub)
    page.click("#sound")
    page.evaluate("""() => {
        const clips = JSON.parse(document.getElementById('page-data').textContent).clips;
        const announcer = window.motcuaAnnouncer.create({clips: clips, maxAgeS: 60});
        announcer.enable();
        window.burst = announcer;
        for (let i = 1; i <= 20; i++) {
            announcer.submit({ticket: 'B' + String(i).padStart(3, '0'), counter: 2, recall: 0,
                              plan: {text: '', steps: [{clip: 'digit_' + (i % 10), pause_ms: 50}]},
                              ageS: i === 6 ? 90 : 0});
        }
    }""")
    wait_true(page, "window.burst.outcomes.length === 20", 30_000)
    outcomes = page.evaluate("window.burst.outcomes")

    assert [o["ticket"] for o in outcomes] == [f"B{i:03d}" for i in range(1, 21)]
    assert [o["outcome"] for o in outcomes] == ["played"] * 5 + ["stale"] + ["played"] * 14
    played = [o for o in outcomes if o["outcome"] == "played"]
    for before, after in zip(played, played[1:]):
        assert after["start"] >= before["end"] + 0.05 - 1e-6  # the 50 ms pause, no overlap


def test_the_banner_shows_only_when_the_hubs_stream_is_gone(
        hub, devices, page_factory, mosquitto_broker):
    """Given the board open, when the broker stops, then no banner (the hub's HTTP is up);
    when the hub's HTTP server stops, then "Mất kết nối máy chủ — đang thử lại" shows;
    when it serves again on the same port, the banner goes by itself and a call made
    meanwhile reaches the board."""
    page = open_board(page_factory, hub)

    mosquitto_broker.stop()
    page.wait_for_timeout(3000)
    assert page.is_hidden("#offline")
    mosquitto_broker.start()
    deadline = time.monotonic() + 20
    while not hub.bus.connected and time.monotonic() < deadline:
        time.sleep(0.1)

    port = hub.http_port
    hub.http_server.close()
    page.wait_for_selector("#offline", state="visible", timeout=LIVE_TIMEOUT_MS)
    assert page.text_content("#offline") == "Mất kết nối máy chủ — đang thử lại"
    # The first probe's subscription went with the broker (clean start): a new one.
    later = MqttProbe(mosquitto_broker.url())
    try:
        later.subscribe(hub.topics.site_filter())
        assert issue(hub, later) == "A001"
        counter(hub, later, 1, "open", clerk="Lan")
        counter(hub, later, 1, "call_next")
    finally:
        later.close()

    hub.http_server = serve(create_app(hub), "127.0.0.1", port, 4)
    hub.http_server.start()
    page.wait_for_selector("#offline", state="hidden", timeout=15_000)
    expect(page.locator("[data-counter='1'] .tile-number")).to_have_text("A001",
                                                                          timeout=LIVE_TIMEOUT_MS)


def test_call_to_screen_latency_and_screenshot(hub, devices, page_factory, screens_dir):
    """Given the board open at 1920×1080 and six counters open,
    when each counter calls its next ticket in turn (12 calls),
    then each call shows on the board well under a second after it is sent (the figures
    are printed), and the screenshot shows every counter's number with the last call
    highlighted."""
    page = open_board(page_factory, hub)
    page.click("#sound")  # as a TV in kiosk mode (autoplay allowed) shows no button
    services = {1: "dat-dai", 2: "dang-ky-kinh-doanh", 3: "ho-tich", 4: "chung-thuc",
                5: "tra-ket-qua", 6: "xay-dung"}
    for number, service in services.items():
        for _ in range(3):
            issue(hub, devices, service)
        counter(hub, devices, number, "open", clerk=f"Cán bộ {number}")
    for code in ("lao-dong-tbxh", "ho-tich", "dat-dai"):
        issue(hub, devices, code)

    latencies = []
    last = {}
    for _round in range(2):
        for number in services:
            sent = time.time() * 1000
            ticket = last[number] = counter(hub, devices, number,
                                            "call_next")["ticket"]["number"]
            tile = page.locator(f"[data-counter='{number}'] .tile-number")
            expect(tile).to_have_text(ticket, timeout=LIVE_TIMEOUT_MS)
            shown = page.evaluate(
                f"window.motcuaBoard.shown[{number}] && window.motcuaBoard.shown[{number}]"
                f"['{ticket}']")
            latencies.append(shown - sent)
    print(f"\ncall -> board shows it: p50 {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms over {len(latencies)} calls")
    assert max(latencies) < 1000

    assert [page.text_content(f"[data-counter='{n}'] .tile-number") for n in services] == [
        last[n] for n in services]
    assert last[1] == "A002" and last[2] == "B002"
    assert page.text_content("#call-number") == last[6]
    assert page.text_content("#call-counter") == "đến quầy 6"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(screens_dir / "web-board.png"))


@pytest.mark.parametrize("size", [(1280, 720), (1080, 1920)])
def test_the_board_fits_smaller_and_portrait_screens(hub, devices, page_factory, size,
                                                    tmp_path):
    """Given six counters, when the board opens at 1280×720 or 1080×1920 (portrait),
    then every tile and the side panel are inside the screen (nothing scrolls away)."""
    page = open_board(page_factory, hub, size)
    page.screenshot(path=str(tmp_path / f"web-board-{size[0]}x{size[1]}.png"))

    boxes = page.evaluate("""Array.from(document.querySelectorAll('.tile, .calling, .waiting'))
        .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    assert len(boxes) == 6 + 2
    width, height = size
    for left, top, right, bottom in boxes:
        assert 0 <= left < right <= width and 0 <= top < bottom <= height
