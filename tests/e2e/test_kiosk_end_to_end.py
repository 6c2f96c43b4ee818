"""The whole kiosk chain in headless Chromium: touch page → kiosk → Mosquitto → hub →
dummy printer, then the ticket's live page on the hub, then a broker outage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_PRIORITIES
from kiosk.printing import PrinterSettings, open_printer
from kiosk.runtime import HubKiosk, KioskIdentity
from kiosk.web import KioskWebSettings, create_kiosk_app
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from motcua.server.serve import serve
from tests.support.dossier_hub import FULL_NAME, MASKED_NAME, READY_CODE, store_through_writer
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

pytestmark = pytest.mark.slow

ROOT = "motcua/v1/van-lam"
WAIT_MS = 15_000
#: What the phone page says once its ticket is called to counter 1.
CALLED_TEXT = "Mời đến quầy 1"


@dataclass
class Center:
    hub: Hub
    kiosk: HubKiosk
    kiosk_url: str
    tickets: Path


@pytest.fixture
def center(tmp_path, mosquitto_broker) -> Iterator[Center]:
    """A hub (HTTP on a free port), kiosk 1 with the dummy printer, and its touch pages."""
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    tickets = tmp_path / "tickets"
    with Hub(config, clock=ManualClock()) as hub:
        printer = open_printer(PrinterSettings(profile="generic-80mm", transport="dummy",
                                               output_dir=tickets), base_dir=tmp_path)
        identity = KioskIdentity(kiosk_id="1", site="van-lam", center_name="Trung tâm Văn Lâm",
                                 public_url=f"http://127.0.0.1:{hub.http_port}",
                                 priorities=DEFAULT_PRIORITIES)
        kiosk = HubKiosk(identity, mqtt_url=mosquitto_broker.url(), printer=printer)
        kiosk.start()
        server = serve(create_kiosk_app(kiosk, KioskWebSettings(sse_keepalive_s=1.0,
                                                                sse_retry_ms=300,
                                                                wedge=True,
                                                                wedge_max_gap_ms=250)),
                       "127.0.0.1", 0, threads=8)
        server.start()
        try:
            yield Center(hub, kiosk, server.url + "/", tickets)
        finally:
            server.close()
            kiosk.close()


def wait_screen(page, screen: str) -> None:
    page.wait_for_selector(f"body[data-screen={screen}]", timeout=WAIT_MS)


def test_a_tap_prints_the_number_the_page_shows_and_the_phone_page_follows_the_call(
        page_factory, center, mosquitto_broker):
    """Given the example center's hub and kiosk 1 with the dummy printer,
    when a citizen taps Đất đai then Thường on the kiosk page,
    then the page shows A001, the printer wrote A001.bin and A001.png, the ticket's page
    /t/{id} on a phone shows A001 waiting, and when counter 1 calls next it changes to
    the counter without a reload."""
    page = page_factory(1080, 1920)
    page.goto(center.kiosk_url)
    wait_screen(page, "home")
    page.wait_for_selector("[data-service=dat-dai]:not([disabled])", timeout=WAIT_MS)
    page.click("[data-service=dat-dai]")
    wait_screen(page, "priority")
    with page.expect_response("**/api/issue") as answer:
        page.click("#priority-normal")
    issued = answer.value.json()
    wait_screen(page, "result")
    assert page.locator("#result-number").inner_text().strip() == "A001"
    assert (issued["ok"], issued["printed"], issued["ticket"]["number"]) == (True, True, "A001")
    ticket_bytes = (center.tickets / "A001.bin").read_bytes()
    assert ticket_bytes.startswith(b"\x1b@") and b"A001" in ticket_bytes
    assert (center.tickets / "A001.png").read_bytes().startswith(b"\x89PNG")

    phone = page_factory(390, 844)
    phone.goto(issued["ticket_url"])
    phone.wait_for_selector("text=A001", timeout=WAIT_MS)
    probe = MqttProbe(mosquitto_broker.url())
    try:
        probe.subscribe(f"{ROOT}/counter/1/reply")
        assert probe.request(f"{ROOT}/counter/1/cmd", {"action": "open", "clerk": "Lan"})["ok"]
        called = probe.request(f"{ROOT}/counter/1/cmd", {"action": "call_next"})
        assert called["ticket"]["number"] == "A001"
    finally:
        probe.close()
    phone.wait_for_selector(f"text={CALLED_TEXT}", timeout=WAIT_MS)
    assert phone.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_a_wedge_scan_shows_the_stored_timeline_and_prints_the_return_ticket(
        page_factory, center):
    """Given dossiers stored in the hub's database and the kiosk page at home,
    when a keyboard-wedge scanner types the ready dossier's code (lower case) and Enter,
    then the kiosk shows its timeline from the hub (masked name, "Đã xử lý xong", the
    full name nowhere on the page); when "Lấy số trả kết quả" is tapped, then K001 is
    shown, the dummy printer wrote K001.bin with the dossier code, and the hub's ticket
    carries the dossier."""
    hub = center.hub
    store_through_writer(hub.dispatcher, hub.store.engine, hub.setup.site_id)
    page = page_factory(1080, 1920)
    page.goto(center.kiosk_url)
    wait_screen(page, "home")
    page.wait_for_selector("[data-service=dat-dai]:not([disabled])", timeout=WAIT_MS)

    # Keys 5 ms apart against a 250 ms limit: generous for a loaded two-core machine
    # (real scanners send a key every 1-10 ms; the kiosk's default limit is 50 ms).
    page.keyboard.type(READY_CODE.lower(), delay=5)
    page.keyboard.press("Enter")
    wait_screen(page, "dossier")

    assert page.locator("#dossier-code").inner_text().strip() == READY_CODE
    assert page.locator("#dossier-applicant").inner_text().strip() == MASKED_NAME
    assert page.locator("#dossier-status").inner_text().strip() == "Đã xử lý xong"
    assert FULL_NAME not in page.content()
    page.click("#return-button")
    wait_screen(page, "result")
    assert page.locator("#result-number").inner_text().strip() == "K001"
    printed = (center.tickets / "K001.bin").read_bytes()
    assert printed.startswith(b"\x1b@") and READY_CODE.encode() in printed
    (ticket,) = [t for t in hub.dispatcher.state.tickets.values() if t.number == "K001"]
    assert ticket.dossier == READY_CODE


def test_the_kiosk_shows_out_of_service_while_the_broker_is_down_and_comes_back(
        page_factory, center, mosquitto_broker):
    """Given the kiosk page at home, when the broker stops, then the out-of-service screen
    shows; when the broker starts again, home comes back by itself and a tap issues."""
    page = page_factory(1920, 1080)
    page.goto(center.kiosk_url)
    wait_screen(page, "home")
    page.wait_for_selector("[data-service=dat-dai]:not([disabled])", timeout=WAIT_MS)
    mosquitto_broker.stop()
    wait_screen(page, "offline")
    mosquitto_broker.start()
    wait_screen(page, "home")
    deadline = time.monotonic() + 20
    while not center.hub.bus.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    page.click("[data-service=ho-tich]")
    wait_screen(page, "priority")
    page.click("#priority-normal")
    wait_screen(page, "result")
    assert page.locator("#result-number").inner_text().strip() == "C001"
