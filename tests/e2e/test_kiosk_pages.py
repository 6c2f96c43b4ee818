"""The kiosk's touch page in headless Chromium, against the fake kiosk backend.

The app is served by waitress exactly as the kiosk process serves it, on a free port;
Playwright taps like a citizen. ``KIOSK_SCREENSHOTS_DIR=docs/screens`` makes the
screenshot test refresh the committed screenshots (by default they go to a temporary
folder and are only checked for size).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.web import KioskWebSettings, create_kiosk_app
from motcua.server.serve import HttpServer, serve
from tests.support.fake_kiosk_backend import FakeKioskBackend

pytestmark = pytest.mark.slow

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
ORIENTATIONS = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
#: A short keep-alive, so closing a test's server never waits on a quiet stream.
TEST_SETTINGS = KioskWebSettings(sse_keepalive_s=1.0, sse_retry_ms=300)
#: Generous waits for a loaded two-core machine; the page itself reacts in milliseconds.
WAIT_MS = 10_000


@dataclass
class Kiosk:
    backend: FakeKioskBackend
    server: HttpServer
    settings: KioskWebSettings

    @property
    def url(self) -> str:
        return self.server.url + "/"


@pytest.fixture
def kiosk_factory() -> Iterator[Callable[..., Kiosk]]:
    """``kiosk_factory(settings=…, backend=…)`` → a served kiosk page, closed after."""
    servers: list[HttpServer] = []

    def make(settings: KioskWebSettings = TEST_SETTINGS,
             backend: FakeKioskBackend | None = None, port: int = 0) -> Kiosk:
        backend = backend or FakeKioskBackend()
        server = serve(create_kiosk_app(backend, settings), "127.0.0.1", port, threads=8)
        server.start()
        servers.append(server)
        return Kiosk(backend, server, settings)

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def kiosk(kiosk_factory) -> Kiosk:
    return kiosk_factory()


def open_page(page_factory, kiosk: Kiosk, size=PORTRAIT):
    page = page_factory(*size)
    page.goto(kiosk.url)
    wait_screen(page, "home")
    return page


def wait_screen(page, screen: str) -> None:
    page.wait_for_selector(f"body[data-screen={screen}]", timeout=WAIT_MS)


def visible_text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def take_ticket(page, service: str = "dat-dai", priority: str = "normal") -> None:
    page.click(f"[data-service={service}]")
    wait_screen(page, "priority")
    if priority == "normal":
        page.click("#priority-normal")
    else:
        page.click(f"[data-priority={priority}]")
        wait_screen(page, "confirm")
        page.click("#confirm-yes")


# ---- taking a ticket ----------------------------------------------------------------

def test_a_service_then_regular_shows_the_backends_number(page_factory, kiosk):
    """Given Đăng ký đất đai with 7 waiting about 14 minutes, When a citizen taps it then
    Thường, Then the result shows the fake's number A001, 7 people ahead, 14 phút and
    Vui lòng nhận phiếu, without a QR (the ticket printed)."""
    page = open_page(page_factory, kiosk)
    take_ticket(page)
    wait_screen(page, "result")
    assert [outcome.ticket["number"] for outcome in kiosk.backend.issued] == ["A001"]
    assert visible_text(page, "#result-number") == "A001"
    assert visible_text(page, "#result-service") == "Đăng ký đất đai"
    assert visible_text(page, "#result-ahead") == "7"
    assert visible_text(page, "#result-wait") == "14 phút"
    assert visible_text(page, "#result-take") == "Vui lòng nhận phiếu"
    assert page.locator("#result-qr-block").is_hidden()
    assert page.locator("#result-priority").is_hidden()


def test_a_triple_tap_issues_exactly_one_ticket(page_factory, kiosk):
    """Given a slow hub (0.8 s), When Thường is tapped three times in a row, and its
    click handler fires three times synchronously, Then the buttons are disabled while
    the request is in flight and the backend sees exactly one issue call."""
    kiosk.backend.issue_delay_s = 0.8
    page = open_page(page_factory, kiosk)
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    page.evaluate("""() => { const button = document.getElementById('priority-normal');
                             button.click(); button.click(); button.click(); }""")
    wait_screen(page, "working")
    assert page.locator("#priority-normal").is_disabled()
    assert page.locator("#confirm-yes").is_disabled()
    wait_screen(page, "result")
    assert len(kiosk.backend.issue_calls) == 1

    page.click("#screen-result .done")
    page.click("[data-service=ho-tich]")
    wait_screen(page, "priority")
    page.locator("#priority-normal").click(click_count=3)
    wait_screen(page, "result")
    time.sleep(0.3)  # a stray second request would have reached the backend by now
    assert [call.service for call in kiosk.backend.issue_calls] == ["dat-dai", "ho-tich"]
    assert visible_text(page, "#result-number") == "C001"


def test_a_priority_group_needs_its_confirmation(page_factory, kiosk):
    """Given the priority screen, When Người cao tuổi is tapped, Then a confirmation asks
    "Bạn thuộc đối tượng ưu tiên: Người cao tuổi?" and nothing is issued; When Quay lại,
    Then back to the choice, still nothing; When confirmed, Then one elderly ticket whose
    result carries the priority mark."""
    page = open_page(page_factory, kiosk)
    page.click("[data-service=dat-dai]")
    page.click("[data-priority=elderly]")
    wait_screen(page, "confirm")
    assert visible_text(page, "#confirm-question") == "Bạn thuộc đối tượng ưu tiên: Người cao tuổi?"
    assert kiosk.backend.issue_calls == []
    page.click("#confirm-back")
    wait_screen(page, "priority")
    assert kiosk.backend.issue_calls == []
    page.click("[data-priority=elderly]")
    page.click("#confirm-yes")
    wait_screen(page, "result")
    assert [(c.service, c.priority) for c in kiosk.backend.issue_calls] == [("dat-dai", "elderly")]
    assert visible_text(page, "#result-priority") == "Ưu tiên: Người cao tuổi"


def test_a_ticket_not_printed_shows_a_large_qr(page_factory, kiosk):
    """Given a printer out of paper, When a ticket is taken, in portrait and landscape,
    Then the number shows with the printer message and a QR at least 300 px wide, and
    no "take your ticket" line."""
    kiosk.backend.fail_printing()
    for name, size in ORIENTATIONS.items():
        page = open_page(page_factory, kiosk, size)
        take_ticket(page, "ho-tich")
        wait_screen(page, "result")
        assert visible_text(page, ".printer-failed") == (
            "Máy in gặp sự cố — vui lòng chụp ảnh mã QR này để theo dõi số")
        box = page.locator("#result-qr svg").bounding_box()
        assert box["width"] >= 300 and box["height"] >= 300, name
        assert box["x"] >= 0 and box["y"] + box["height"] <= size[1], name
        assert page.locator("#result-take").is_hidden()
    assert [o.ticket["number"] for o in kiosk.backend.issued] == ["C001", "C002"]


def test_a_refusal_shows_the_hubs_message_in_each_language(page_factory, kiosk):
    """Given the hub refuses the next tap, When the citizen takes a ticket, Then the
    refusal screen shows its Vietnamese message, and its English one after the toggle."""
    kiosk.backend.refuse_next("daily_cap_reached", "Dịch vụ đã hết số trong ngày.",
                              "The service has no more numbers today.")
    page = open_page(page_factory, kiosk)
    take_ticket(page)
    wait_screen(page, "refusal")
    assert visible_text(page, "#refusal-message") == "Dịch vụ đã hết số trong ngày."
    page.click("#language-toggle")
    assert visible_text(page, "#refusal-message") == "The service has no more numbers today."
    assert kiosk.backend.issued == []


def test_a_request_lost_on_the_network_is_resent_with_the_same_tap_id(page_factory, kiosk):
    """Given the network drops the first POST, When a ticket is taken, Then the page sends
    it again with the same tap_id and the citizen gets one ticket."""
    page = open_page(page_factory, kiosk)
    bodies: list[dict] = []

    def flaky(route, request):
        bodies.append(json.loads(request.post_data))
        if len(bodies) == 1:
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/api/issue", flaky)
    take_ticket(page)
    wait_screen(page, "result")
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]
    assert bodies[0]["service"] == "dat-dai" and len(bodies[0]["tap_id"]) == 36
    assert [call.tap_id for call in kiosk.backend.issue_calls] == [bodies[0]["tap_id"]]
    assert visible_text(page, "#result-number") == "A001"


def test_live_counts_are_pushed_to_home(page_factory, kiosk):
    """Given the home screen, When the hub's counts for Đăng ký đất đai change and
    Chứng thực bản sao starts issuing again, Then the buttons show it without a reload."""
    page = open_page(page_factory, kiosk)
    page.evaluate("() => { window.sameDocument = 'yes'; }")
    kiosk.backend.set_counts("dat-dai", waiting=12, est_wait_s=1790)
    page.wait_for_function(
        "() => document.querySelector('[data-service=dat-dai] .service-waiting')"
        ".textContent === 'Đang chờ: 12'", timeout=WAIT_MS)
    assert visible_text(page, "[data-service=dat-dai] .service-wait") == "Chờ khoảng 30 phút"
    services = tuple(dataclasses.replace(service, issuing=True)
                     for service in kiosk.backend.live().services)
    kiosk.backend.set_services(services)
    page.wait_for_function(
        "() => !document.querySelector('[data-service=chung-thuc]').disabled",
        timeout=WAIT_MS)
    assert visible_text(page, "[data-service=chung-thuc] .service-wait") == "Chờ khoảng 25 phút"
    assert page.evaluate("() => window.sameDocument") == "yes"


def test_the_clock_shows_the_sites_time_whatever_the_pcs_zone(page_factory, kiosk):
    """Given a kiosk PC whose browser runs in UTC, When the home screen shows its clock,
    Then it reads the time in Asia/Ho_Chi_Minh (UTC+7), as the tickets do."""
    import datetime as dt

    page = page_factory(*PORTRAIT, timezone_id="UTC")
    page.goto(kiosk.url)
    wait_screen(page, "home")
    shown = visible_text(page, "#clock")
    hanoi = dt.datetime.now(dt.timezone(dt.timedelta(hours=7)))
    expected = {(hanoi + dt.timedelta(minutes=delta)).strftime("%H:%M  %d/%m/%Y")
                for delta in (-1, 0, 1)}
    assert shown in expected


def test_the_home_screen_says_when_the_printer_is_low_or_down(page_factory, kiosk):
    """Given the home screen with the printer ok (no notice), When the printer reports
    paper low, then paper out, then ok again, Then the home screen warns in Vietnamese,
    then says the number will show on screen, then drops the notice, without a reload."""
    page = open_page(page_factory, kiosk)
    assert page.locator("#printer-notice").is_hidden()
    kiosk.backend.set_printer("paper_low")
    page.wait_for_selector("#printer-notice:not([hidden])", timeout=WAIT_MS)
    assert visible_text(page, "#printer-notice") == (
        "Máy in sắp hết giấy — vui lòng báo cán bộ hướng dẫn.")
    kiosk.backend.set_printer("paper_out")
    page.wait_for_function(
        "() => document.getElementById('printer-notice').textContent.startsWith("
        "'Máy in đang tạm ngừng')", timeout=WAIT_MS)
    kiosk.backend.set_printer("ok")
    page.wait_for_selector("#printer-notice[hidden]", state="attached", timeout=WAIT_MS)


# ---- out of service ------------------------------------------------------------------

def test_offline_shows_out_of_service_and_online_brings_home_back_without_reload(
        page_factory, kiosk):
    """Given a citizen on the priority screen, When the hub becomes unreachable, Then the
    out-of-service screen shows; When it returns, Then home comes back in the same page
    (no reload) and the half-made choice is gone."""
    page = open_page(page_factory, kiosk)
    page.evaluate("() => { window.sameDocument = 'yes'; }")
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    kiosk.backend.set_online(False)
    wait_screen(page, "offline")
    assert visible_text(page, "#screen-offline h1") == "Tạm ngừng phục vụ"
    assert visible_text(page, ".offline-detail") == "Đang kết nối lại máy chủ…"
    kiosk.backend.set_online(True)
    wait_screen(page, "home")
    assert page.evaluate("() => window.sameDocument") == "yes"
    assert kiosk.backend.issue_calls == []


def test_a_dropped_stream_shows_out_of_service_until_it_reconnects(page_factory,
                                                                  kiosk_factory):
    """Given the kiosk page, When its server goes away, Then out-of-service shows; When a
    server listens again on the same port, Then the page reconnects by itself to home."""
    first = kiosk_factory()
    page = open_page(page_factory, first)
    page.evaluate("() => { window.sameDocument = 'yes'; }")
    port = first.server.effective_port
    first.server.close()
    wait_screen(page, "offline")
    kiosk_factory(backend=first.backend, port=port)
    wait_screen(page, "home")
    assert page.evaluate("() => window.sameDocument") == "yes"


# ---- language and idle ---------------------------------------------------------------

def test_the_language_toggle_changes_the_texts(page_factory, kiosk):
    """Given the Vietnamese home, When English is tapped, Then the heading, the counts,
    the paused service and the priority labels read in English; When Tiếng Việt is
    tapped, Then Vietnamese again."""
    page = open_page(page_factory, kiosk)
    assert visible_text(page, "#screen-home h1") == "Xin mời chọn dịch vụ"
    page.click("#language-toggle")
    assert visible_text(page, "#screen-home h1") == "Please choose a service"
    assert visible_text(page, "#language-toggle") == "Tiếng Việt"
    assert visible_text(page, "[data-service=dat-dai] .service-waiting") == "Waiting: 7"
    assert visible_text(page, "[data-service=chung-thuc] .service-wait") == (
        "No tickets / issuing paused")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.click("[data-service=dat-dai]")
    assert visible_text(page, "[data-priority=elderly]") == "Older people"
    assert visible_text(page, "#priority-normal .choice-label") == "Regular"
    page.click("#language-toggle")
    assert visible_text(page, "[data-priority=elderly]") == "Người cao tuổi"
    assert visible_text(page, "#screen-priority h1") == "Bạn thuộc đối tượng nào?"


def test_idle_goes_home_in_the_default_language(page_factory, kiosk_factory):
    """Given a 1.5 s idle timeout, When a citizen switches to English, opens a service and
    walks away, Then home comes back in Vietnamese without a ticket."""
    kiosk = kiosk_factory(KioskWebSettings(idle_timeout_s=1.5, sse_keepalive_s=1.0))
    page = open_page(page_factory, kiosk)
    page.click("#language-toggle")
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    started = time.monotonic()
    wait_screen(page, "home")
    assert time.monotonic() - started >= 1.0
    assert visible_text(page, "#screen-home h1") == "Xin mời chọn dịch vụ"
    assert kiosk.backend.issue_calls == []


def test_the_result_goes_home_after_its_timeout(page_factory, kiosk_factory):
    """Given a 1 s result timeout, When a ticket is shown, Then home returns by itself."""
    kiosk = kiosk_factory(KioskWebSettings(result_timeout_s=1.0, sse_keepalive_s=1.0))
    page = open_page(page_factory, kiosk)
    take_ticket(page)
    wait_screen(page, "result")
    wait_screen(page, "home")
    assert len(kiosk.backend.issued) == 1


def test_a_paused_service_is_shown_disabled(page_factory, kiosk):
    """Given Chứng thực bản sao not issuing, Then its button is disabled and says
    "Hết số / tạm ngừng cấp số"; a tap on it does nothing."""
    page = open_page(page_factory, kiosk)
    button = page.locator("[data-service=chung-thuc]")
    assert button.is_disabled()
    assert visible_text(page, "[data-service=chung-thuc] .service-wait") == (
        "Hết số / tạm ngừng cấp số")
    button.click(force=True)
    assert page.evaluate("() => document.body.dataset.screen") == "home"


# ---- layout --------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_touch_targets_are_large_and_nothing_overflows(page_factory, kiosk, orientation):
    """Given each screen size, Then every service, priority and confirm button is at least
    120 px tall, the page never scrolls sideways, and services are grouped by field."""
    width, height = ORIENTATIONS[orientation]
    page = open_page(page_factory, kiosk, (width, height))
    assert page.locator(".field-name").all_inner_texts() == [
        "Đất đai", "Tư pháp – Hộ tịch", "Kinh doanh – Đầu tư", "Xây dựng"]
    heights = [box["height"] for box in
               (button.bounding_box() for button in page.locator(".service").all())]
    assert len(heights) == 6 and min(heights) >= 120
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    for button in page.locator("#screen-priority button").all():
        assert button.bounding_box()["height"] >= 120
    page.click("[data-priority=merit]")
    wait_screen(page, "confirm")
    for selector in ("#confirm-yes", "#confirm-back"):
        assert page.locator(selector).bounding_box()["height"] >= 120


# ---- screenshots ---------------------------------------------------------------------

def capture_screens(page, kiosk: Kiosk, orientation: str, folder: Path) -> list[Path]:
    """Walk every screen and save ``kiosk-<screen>-<orientation>.png``; return the paths."""
    saved: list[Path] = []

    def shot(screen: str) -> None:
        path = folder / f"kiosk-{screen}-{orientation}.png"
        page.screenshot(path=str(path))
        saved.append(path)

    backend = kiosk.backend
    shot("home")
    page.click("#language-toggle")
    shot("home-en")
    page.click("#language-toggle")
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    shot("priority")
    page.click("[data-priority=elderly]")
    wait_screen(page, "confirm")
    shot("confirm")
    backend.issue_delay_s = 1.5
    page.click("#confirm-yes")
    wait_screen(page, "working")
    page.wait_for_timeout(200)
    shot("working")
    wait_screen(page, "result")
    backend.issue_delay_s = 0
    shot("result")
    page.click("#screen-result .done")
    backend.fail_printing()
    take_ticket(page, "ho-tich")
    wait_screen(page, "result")
    shot("result-qr")
    backend.fail_printing(False)
    page.click("#screen-result .done")
    backend.refuse_next("daily_cap_reached",
                        "Dịch vụ Đăng ký đất đai đã hết số trong ngày hôm nay.",
                        "Đăng ký đất đai has no more numbers today.")
    take_ticket(page)
    wait_screen(page, "refusal")
    shot("refusal")
    page.click("#screen-refusal .primary")
    backend.set_online(False)
    wait_screen(page, "offline")
    shot("offline")
    backend.set_online(True)
    wait_screen(page, "home")
    return saved


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_screenshots_of_every_screen(page_factory, kiosk_factory, tmp_path, orientation):
    """Given each orientation, When every screen is walked, Then nine screenshots of the
    viewport's exact size are written (to KIOSK_SCREENSHOTS_DIR when set)."""
    from PIL import Image

    folder = Path(os.environ.get("KIOSK_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    kiosk = kiosk_factory(KioskWebSettings(sse_keepalive_s=1.0, idle_timeout_s=120,
                                           result_timeout_s=120))
    size = ORIENTATIONS[orientation]
    page = open_page(page_factory, kiosk, size)
    saved = capture_screens(page, kiosk, orientation, folder)
    assert [path.name for path in saved] == [
        f"kiosk-{screen}-{orientation}.png" for screen in
        ("home", "home-en", "priority", "confirm", "working", "result", "result-qr",
         "refusal", "offline")]
    for path in saved:
        with Image.open(path) as image:
            assert image.size == size, path.name
