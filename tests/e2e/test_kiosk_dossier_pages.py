"""The kiosk's dossier and procedure screens in headless Chromium, against the fake kiosk
backend, with the real dummy printer for return-of-results tickets.

A keyboard-wedge scanner is played by Playwright's keyboard: the code typed with a few
milliseconds between keys, then Enter; a person is the same keys a third of a second
apart. ``KIOSK_SCREENSHOTS_DIR=docs/screens`` refreshes the committed screenshots of the
scan, timeline (on time, late, ready) and procedure screens.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.printing import PrinterSettings, open_printer
from kiosk.web import KioskWebSettings, create_kiosk_app
from motcua.server.serve import HttpServer, serve
from tests.e2e.test_kiosk_pages import ORIENTATIONS, PORTRAIT, WAIT_MS, open_page, wait_screen
from tests.support.fake_kiosk_backend import SAMPLE_SERVICES, FakeKioskBackend
from tests.support.sample_dossiers import (
    LATE,
    ON_TIME,
    READY,
    RETURN_SERVICE,
    SUPPLEMENT,
    sample_dossiers,
    sample_procedures,
)

pytestmark = pytest.mark.slow

#: A wedge burst here: keys 5 ms apart, judged against a 250 ms limit (generous for a
#: loaded two-core machine; real scanners send a key every 1–10 ms, the default limit
#: is 50 ms). A person: a key every 700 ms.
GAP_MS = 250
SETTINGS = KioskWebSettings(sse_keepalive_s=1.0, sse_retry_ms=300, wedge=True,
                            wedge_max_gap_ms=GAP_MS, wedge_min_chars=8)
SCANNER_DELAY_MS = 5
PERSON_DELAY_MS = 700


@dataclass
class Kiosk:
    backend: FakeKioskBackend
    server: HttpServer
    tickets: Path

    @property
    def url(self) -> str:
        return self.server.url + "/"


@pytest.fixture
def kiosk_factory(tmp_path) -> Iterator[Callable[..., Kiosk]]:
    servers: list[HttpServer] = []

    def make(settings: KioskWebSettings = SETTINGS) -> Kiosk:
        tickets = tmp_path / "tickets"
        printer = open_printer(PrinterSettings(profile="generic-80mm", transport="dummy",
                                               output_dir=tickets,
                                               timezone="Asia/Ho_Chi_Minh"),
                               base_dir=tmp_path)
        backend = FakeKioskBackend(services=SAMPLE_SERVICES + (RETURN_SERVICE,),
                                   dossiers=sample_dossiers(), procedures=sample_procedures(),
                                   ticket_printer=printer)
        server = serve(create_kiosk_app(backend, settings), "127.0.0.1", 0, threads=8)
        server.start()
        servers.append(server)
        return Kiosk(backend, server, tickets)

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def kiosk(kiosk_factory) -> Kiosk:
    return kiosk_factory()


def text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def wedge_scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: the code as fast keystrokes, then Enter."""
    page.keyboard.type(code, delay=SCANNER_DELAY_MS)
    page.keyboard.press("Enter")


def tap_code(page, code: str) -> None:
    for symbol in code:
        page.click(f"#code-keyboard [data-key='{symbol}']")


# ---- scan → timeline → return-of-results ticket ----------------------------------------

def test_a_wedge_scan_opens_the_timeline_and_one_tap_prints_the_return_ticket(
        page_factory, kiosk):
    """Given the home screen, When a wedge scanner types the ready dossier's code and
    Enter, Then its timeline shows (procedure, masked name, dates dd/mm/yyyy, step 3 of
    4 current, "Lấy số trả kết quả"); When that button is tapped, Then the ticket R001 is
    issued for the return service with the dossier, the result says "Trả kết quả hồ sơ
    …", and the dummy printer wrote R001.bin with TRẢ KẾT QUẢ's code and its preview."""
    page = open_page(page_factory, kiosk)
    wedge_scan(page, READY.lower())
    wait_screen(page, "dossier")
    assert text(page, "#dossier-procedure") == "Đăng ký thành lập hộ kinh doanh"
    assert text(page, "#dossier-code") == READY
    assert text(page, "#dossier-applicant") == "Lê H. C."
    assert text(page, "#dossier-received") == "10/11/2026 08:05"
    assert text(page, "#dossier-appointment") == "13/11/2026"
    assert text(page, "#dossier-status") == "Đã xử lý xong"
    assert text(page, ".step-current .step-label") == "Chờ trả kết quả"
    assert page.locator(".step-done").count() == 2
    assert text(page, "#dossier-notice") == (
        "Đã có kết quả. Mời quý khách lấy số để nhận kết quả.")
    assert page.locator("#dossier-history li").count() == 3
    assert [call.code for call in kiosk.backend.lookup_calls] == [READY]
    assert kiosk.backend.live().scan.source == "wedge"

    page.click("#return-button")
    wait_screen(page, "result")
    assert text(page, "#result-number") == "R001"
    assert text(page, "#result-service") == "Trả kết quả"
    assert text(page, "#result-return") == f"Trả kết quả hồ sơ {READY}"
    (call,) = kiosk.backend.issue_calls
    assert (call.service, call.priority, call.dossier) == ("tra-ket-qua", "normal", READY)
    printed = (kiosk.tickets / "R001.bin").read_bytes()
    assert printed.startswith(b"\x1b@")
    assert b"\x1bE\x01\x1ba\x01" + READY.encode() + b"\n" in printed
    assert (kiosk.tickets / "R001.png").read_bytes().startswith(b"\x89PNG")


def test_a_person_typing_slowly_is_not_a_scan(page_factory, kiosk):
    """Given the home screen, When the same code is typed a key every 700 ms and Enter,
    Then nothing is scanned or looked up; on the scan screen the same slow keys go into
    the code field and Enter looks the code up."""
    page = open_page(page_factory, kiosk)
    page.keyboard.type(ON_TIME[:10], delay=PERSON_DELAY_MS)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.body.dataset.screen") == "home"
    assert kiosk.backend.live().scan is None and kiosk.backend.lookup_calls == []

    page.click("#open-scan")
    wait_screen(page, "scan")
    page.keyboard.type("000.", delay=PERSON_DELAY_MS)
    page.wait_for_timeout(GAP_MS * 3 + 400)  # the last slow key is kept that long
    assert text(page, "#code-field") == "000."
    tap_code(page, ON_TIME[4:])
    page.keyboard.press("Enter")
    wait_screen(page, "dossier")
    assert text(page, "#dossier-code") == ON_TIME
    assert kiosk.backend.live().scan is None


def test_a_code_typed_on_the_screen_shows_a_late_dossier_kindly(page_factory, kiosk):
    """Given the late dossier, When its code is typed on the on-screen keyboard and Tra cứu
    tapped, Then the apology, its reason and the new date show, in Vietnamese, and the
    English toggle says them in English."""
    page = open_page(page_factory, kiosk)
    page.click("#open-scan")
    wait_screen(page, "scan")
    assert text(page, ".scan-instruction") == "Đưa mã vạch trên giấy hẹn vào máy quét"
    tap_code(page, LATE)
    assert text(page, "#code-field") == LATE
    page.click("#code-submit")
    wait_screen(page, "dossier")
    assert page.locator("#dossier-lateness").is_visible()
    assert page.locator("#dossier-lateness p").all_inner_texts() == [
        "Thành thật xin lỗi quý khách: hồ sơ chưa được giải quyết đúng ngày hẹn.",
        "Lý do: Cần thẩm định lại hiện trạng công trình",
        "Ngày hẹn trả mới: 08/12/2026"]
    assert text(page, "#dossier-appointment") == "13/11/2026"
    assert page.locator("#return-button").is_hidden()
    page.click("#language-toggle")
    assert text(page, "#dossier-lateness .lateness-date") == "New date for your results: 08/12/2026"
    assert text(page, "#dossier-status") == "In progress"


def test_a_rejected_scan_and_an_unknown_code_are_said_calmly(page_factory, kiosk):
    """Given the home screen, When a wedge scanner types HTML, Then the scan screen says
    the scan was not a dossier code; When a well-formed but unknown code is scanned, Then
    the lookup screen says it was not found and Tra cứu lại goes back to scanning."""
    page = open_page(page_factory, kiosk)
    wedge_scan(page, "<b>ABCDEFGH</b>")
    wait_screen(page, "scan")
    assert text(page, "#scan-message") == (
        "Mã vừa quét không phải mã hồ sơ. Vui lòng quét lại mã vạch trên giấy hẹn hoặc "
        "nhập mã bằng bàn phím.")
    assert kiosk.backend.lookup_calls == []
    wedge_scan(page, "000.00.12.H42-261130-9999")
    wait_screen(page, "lookup-error")
    assert text(page, "#lookup-message") == (
        "Chưa tìm thấy hồ sơ có mã này. Vui lòng kiểm tra lại mã, hoặc hỏi cán bộ hướng dẫn.")
    page.click("#lookup-again")
    wait_screen(page, "scan")
    assert page.locator("#scan-message").is_hidden()


def test_a_serial_scan_opens_the_timeline_from_any_screen(page_factory, kiosk):
    """Given the page on the procedure search, When a serial scanner reads the dossier
    needing documents (a scan announced in the live view), Then its timeline opens with
    the supplement notice; a scan made before the page loaded is not acted on."""
    kiosk.backend.scanned(ON_TIME, "serial")  # before the page: not this citizen's
    page = open_page(page_factory, kiosk)
    page.click("#open-procedures")
    wait_screen(page, "procedures")
    page.wait_for_timeout(300)
    assert kiosk.backend.lookup_calls == []
    kiosk.backend.scanned(SUPPLEMENT + "\r\n", "serial")
    wait_screen(page, "dossier")
    assert text(page, "#dossier-code") == SUPPLEMENT
    assert text(page, "#dossier-notice") == (
        "Hồ sơ cần bổ sung giấy tờ. Vui lòng liên hệ quầy tiếp nhận để được hướng dẫn.")
    assert page.locator(".step-attention").count() == 1
    assert [call.code for call in kiosk.backend.lookup_calls] == [SUPPLEMENT]


def test_the_timeline_goes_home_when_left_idle(page_factory, kiosk_factory):
    """Given a 2 s idle timeout and the page in English, When a scanned dossier's timeline
    is left untouched, Then home comes back, in Vietnamese."""
    kiosk = kiosk_factory(KioskWebSettings(sse_keepalive_s=1.0, wedge=True,
                                           wedge_max_gap_ms=GAP_MS, idle_timeout_s=2))
    page = open_page(page_factory, kiosk)
    page.click("#language-toggle")
    # Every screen shown, recorded by the page itself: a loaded machine may take longer
    # than the idle time between two of Playwright's looks.
    page.evaluate("""() => { window.screensShown = [];
        new MutationObserver(() => window.screensShown.push(document.body.dataset.screen))
            .observe(document.body, {attributes: true, attributeFilter: ["data-screen"]}); }""")
    wedge_scan(page, ON_TIME)
    page.wait_for_function("""() => window.screensShown.includes("dossier")
        && document.body.dataset.screen === "home" """, timeout=WAIT_MS)
    assert text(page, "#screen-home h1") == "Xin mời chọn dịch vụ"
    assert [call.code for call in kiosk.backend.lookup_calls] == [ON_TIME]


# ---- procedure search -------------------------------------------------------------------

def type_query(page, query: str) -> None:
    for symbol in query.upper():
        key = "space" if symbol == " " else symbol
        page.click(f"#search-keyboard [data-key='{key}']")


def test_search_without_diacritics_then_take_a_number_for_the_procedure(page_factory, kiosk):
    """Given the catalog, When "dang ky ket hon" is typed on the screen keyboard, Then
    Đăng ký kết hôn is the first result with its field, time and fee; its details list the
    documents, and "Lấy số cho thủ tục này" goes through the priority choice to a ticket of
    its service (C001)."""
    page = open_page(page_factory, kiosk)
    page.click("#open-procedures")
    wait_screen(page, "procedures")
    type_query(page, "dang ky ket hon")
    page.wait_for_selector("[data-procedure='1.000894']", timeout=WAIT_MS)
    first = page.locator(".procedure-card").first
    assert first.locator(".procedure-card-name").inner_text() == "Đăng ký kết hôn"
    assert first.locator(".procedure-card-meta").inner_text().split("\n") == [
        "Hộ tịch", "Trong ngày", "Lệ phí: Miễn"]
    first.click()
    wait_screen(page, "procedure")
    assert page.locator("#procedure-documents li").all_inner_texts() == [
        "Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân",
        "Căn cước công dân của hai bên"]
    page.click("#procedure-take")
    wait_screen(page, "priority")
    page.click("#priority-normal")
    wait_screen(page, "result")
    assert text(page, "#result-number") == "C001"
    assert page.locator("#result-return").is_hidden()
    assert kiosk.backend.issue_calls[-1].service == "ho-tich"


def test_a_procedure_whose_service_is_paused_cannot_take_a_number(page_factory, kiosk):
    """Given Chứng thực (its service not issuing), When its details show, Then the button
    is disabled and the page says the service is paused."""
    page = open_page(page_factory, kiosk)
    page.click("#open-procedures")
    wait_screen(page, "procedures")
    type_query(page, "chung thuc")
    page.wait_for_selector("[data-procedure='2.000815']", timeout=WAIT_MS)
    page.click("[data-procedure='2.000815']")
    wait_screen(page, "procedure")
    assert page.locator("#procedure-take").is_disabled()
    assert text(page, "#procedure-take-note") == "Dịch vụ này đang tạm ngừng cấp số."


# ---- layout and screenshots -------------------------------------------------------------

def shoot(page, folder: Path, name: str, orientation: str, saved: list[Path]) -> None:
    page.wait_for_timeout(150)
    path = folder / f"kiosk-{name}-{orientation}.png"
    page.screenshot(path=str(path))
    saved.append(path)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_screenshots_of_the_dossier_and_procedure_screens(page_factory, kiosk_factory,
                                                          tmp_path, orientation):
    """Given each orientation, When the scan, timeline (on time, late, ready) and
    procedure screens are walked, Then none scrolls sideways, every key and the return
    button are at least 80 / 120 px tall, and seven screenshots of the viewport's size
    are written (to KIOSK_SCREENSHOTS_DIR when set)."""
    from PIL import Image

    folder = Path(os.environ.get("KIOSK_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    size = ORIENTATIONS[orientation]
    kiosk = kiosk_factory(KioskWebSettings(sse_keepalive_s=1.0, wedge=True,
                                           wedge_max_gap_ms=GAP_MS, idle_timeout_s=120))
    page = open_page(page_factory, kiosk, size)
    saved: list[Path] = []
    page.click("#open-scan")
    wait_screen(page, "scan")
    tap_code(page, "000.00.12.H42-")
    shoot(page, folder, "scan", orientation, saved)
    assert min(box["height"] for box in (key.bounding_box() for key in
                                         page.locator("#code-keyboard .key").all())) >= 80
    for code, name in ((ON_TIME, "timeline"), (LATE, "timeline-late"),
                       (READY, "timeline-ready")):
        wedge_scan(page, code)
        page.wait_for_selector(f"#dossier-code:text-is('{code}')", timeout=WAIT_MS)
        wait_screen(page, "dossier")
        shoot(page, folder, name, orientation, saved)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size[0]
    assert page.locator("#return-button").bounding_box()["height"] >= 120
    page.click("#screen-dossier .back")
    wait_screen(page, "home")
    page.click("#open-procedures")
    wait_screen(page, "procedures")
    type_query(page, "dang ky")
    page.wait_for_selector(".procedure-card", timeout=WAIT_MS)
    shoot(page, folder, "procedures", orientation, saved)
    page.click("[data-procedure='1.000894']")
    wait_screen(page, "procedure")
    shoot(page, folder, "procedure", orientation, saved)
    page.click("#procedure-back")
    wait_screen(page, "procedures")
    page.click("#screen-procedures .back")
    wait_screen(page, "home")
    shoot(page, folder, "home-tools", orientation, saved)
    assert [path.name for path in saved] == [
        f"kiosk-{name}-{orientation}.png" for name in
        ("scan", "timeline", "timeline-late", "timeline-ready", "procedures", "procedure",
         "home-tools")]
    for path in saved:
        with Image.open(path) as image:
            assert image.size == size, path.name
