"""The clerk panel in headless Chromium against the real hub and Mosquitto: login, open,
call next (the panel and the counter's retained MQTT state both show A001), transfer, a
counter the clerk may not use, a POST without the CSRF token; and the screenshot."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from motcua.dispatch import Request
from motcua.domain import Command
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from motcua.store import create_database_engine, upgrade
from motcua.store.users import add_user
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

pytestmark = pytest.mark.slow

ROOT = "motcua/v1/van-lam"
WAIT_MS = 15_000
PASSWORD = "mat-khau-rat-dai"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screens" / "clerk-panel.png"


@dataclass
class Center:
    hub: Hub
    url: str

    def issue(self, service: str, priority: str = "normal") -> str:
        result = self.hub.dispatcher.execute(Request(Command(
            "issue", {"service": service, "priority": priority})))
        assert result.ok, result.error
        return result.ticket["number"]

    def ticket(self, number: str) -> dict:
        state = self.hub.dispatcher.state
        found = next(t for t in state.tickets.values() if t.number == number)
        return {"status": found.status.value, "service": found.service,
                "counter": found.counter}


@pytest.fixture
def center(tmp_path, mosquitto_broker) -> Iterator[Center]:
    """The example center's hub (HTTP on a free port) with canbo1 (counters 1,2)."""
    db_url = f"sqlite:///{tmp_path}/hub.db"
    engine = create_database_engine(db_url)
    upgrade(engine)
    add_user(engine, "van-lam", "canbo1", PASSWORD, display_name="Nguyễn Thị Lan",
             counters="1,2")
    add_user(engine, "van-lam", "truongphong", PASSWORD, display_name="Trần Văn Minh",
             role="manager", counters="1")
    engine.dispose()
    config = HubConfig(db_url=db_url, mqtt_url=mosquitto_broker.url(), http_port=0)
    with Hub(config, clock=ManualClock()) as hub:
        yield Center(hub, f"http://127.0.0.1:{hub.http_port}")


def log_in(page, center: Center, counter: int = 1, username: str = "canbo1") -> None:
    page.goto(f"{center.url}/counter/{counter}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#counter-status.closed", timeout=WAIT_MS)


def wait_text(page, selector: str, expected: str) -> None:
    """Wait until ``selector``'s text is ``expected`` (the page's CSP forbids eval, so no
    wait_for_function)."""
    expect(page.locator(selector)).to_have_text(expected, timeout=WAIT_MS)


def text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_login_open_call_next_and_transfer_live(page_factory, center, mosquitto_broker):
    """Given A001, A002 (đất đai) waiting and canbo1 at counter 1,
    when the clerk logs in, presses O (open) and clicks Gọi số tiếp,
    then the panel shows A001 called with A002 alone waiting, the counter's retained
    MQTT state says A001 and clerk Nguyễn Thị Lan; when A001 is transferred to Hộ tịch
    from the dialog, the panel shows no current ticket and A001 waits for hộ tịch;
    all without a reload."""
    center.issue("dat-dai")
    center.issue("dat-dai")
    page = page_factory(1366, 860)
    log_in(page, center)
    assert page.url == f"{center.url}/counter/1"
    assert [text(page, "#waiting li:nth-child(%d) strong" % n) for n in (1, 2)] == [
        "A001", "A002"]

    page.keyboard.press("o")
    page.wait_for_selector("#counter-status.open", timeout=WAIT_MS)
    assert text(page, "#counter-status") == "Đang mở"
    probe = MqttProbe(mosquitto_broker.url())
    try:
        probe.subscribe(f"{ROOT}/counter/1/state")
        page.click("#act-call_next")
        wait_text(page, "#current-number", "A001")
        message = probe.wait_for(f"{ROOT}/counter/1/state", WAIT_MS / 1000,
                                 lambda body: bool(body) and (body.get("ticket") or {}).get("number") == "A001")
        state = json.loads(message.payload)
    finally:
        probe.close()
    assert (state["clerk"], state["status"]) == ("Nguyễn Thị Lan", "open")
    assert text(page, "#current-status") == "Đã gọi, chờ công dân đến"
    assert text(page, "#message") == "Đã gọi số A001"
    assert text(page, "#waiting-total") == "1"
    assert text(page, "#waiting li strong") == "A002"

    page.keyboard.press("t")
    page.select_option("#ask-transfer", "s:ho-tich")
    page.click("#dialog-ok")
    wait_text(page, "#current-number", "—")
    assert center.ticket("A001") == {"status": "waiting", "service": "ho-tich",
                                     "counter": None}
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    page.click("#language")
    assert (text(page, "#title"), text(page, "#act-call_next span")) == ("Counter 1",
                                                                          "Call next")
    assert text(page, "#counter-status") == "Open"


def test_a_counter_not_the_clerks_and_a_post_without_csrf_are_refused(page_factory, center):
    """Given canbo1 (counters 1,2) logged in and A001 waiting,
    when R (recall) is pressed with nobody called, then the panel shows the hub's
    Vietnamese refusal; when the browser opens /counter/3, then the page says in Vietnamese that canbo1 may
    not operate counter 3; when a call_next is posted to counter 1 with the session
    cookie but without the CSRF token, then 400 csrf_failed and A001 still waits."""
    center.issue("dat-dai")
    page = page_factory(1366, 860)
    log_in(page, center)
    page.keyboard.press("o")
    page.wait_for_selector("#counter-status.open", timeout=WAIT_MS)
    page.keyboard.press("r")  # recall with nobody called: the hub's refusal is shown
    wait_text(page, "#message", "Quầy số 1 không có số đang phục vụ")
    assert "error" in page.locator("#message").get_attribute("class")

    refused = page.goto(f"{center.url}/counter/3")
    assert refused.status == 403
    assert text(page, "#message") == "Tài khoản canbo1 không được thao tác quầy 3."

    forged = page.request.post(f"{center.url}/counter/1/actions/call_next",
                               data='{"id": "no-csrf-1"}',
                               headers={"Content-Type": "application/json"})
    assert forged.status == 400
    assert forged.json()["error"]["code"] == "csrf_failed"
    assert center.ticket("A001")["status"] == "waiting"


def test_the_panel_screenshot(page_factory, center, screens_dir):
    """Given a morning at counter 1 (A001 served, finished and rated, A002 in service,
    then an elderly citizen's A006 issued), when the panel is shown at 1366×860,
    then it shows A002 serving, A006 first in the waiting list before A003-A005, one
    served today, and the screenshot is saved (into docs/screens with
    MOTCUA_UPDATE_SCREENS set, else a temporary folder: the suite never rewrites a
    committed file)."""
    for _ in range(5):
        center.issue("dat-dai")
    page = page_factory(1366, 860)
    log_in(page, center)
    page.click("#act-open")
    page.wait_for_selector("#counter-status.open", timeout=WAIT_MS)
    page.click("#act-call_next")
    wait_text(page, "#current-number", "A001")
    page.click("#act-start")
    wait_text(page, "#current-status", "Đang giải quyết")
    page.click("#act-finish")
    wait_text(page, "#served-today", "1")
    page.click("#rate-3")
    wait_text(page, "#message", "Đã ghi nhận đánh giá")
    page.click("#act-call_next")
    wait_text(page, "#current-number", "A002")
    page.click("#act-start")
    wait_text(page, "#current-status", "Đang giải quyết")
    center.issue("dat-dai", "elderly")
    wait_text(page, "#waiting-total", "4")
    page.wait_for_timeout(2200)  # let the service time tick

    assert [text(page, f"#waiting li:nth-child({n}) strong") for n in (1, 2, 3, 4)] == [
        "A006", "A003", "A004", "A005"]
    # The hub's (manual) clock stands still; the page ticks on from the last view's "now".
    assert re.fullmatch(r"0:0[1-9]", text(page, "#served-for"))
    screenshot = screens_dir / SCREENSHOT.name
    page.screenshot(path=str(screenshot))
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_a_manager_sees_todays_ratings_live(page_factory, center):
    """Given A001 served at counter 1 and the manager's panel of counter 3 open,
    when the citizen rates A001 "rất hài lòng" from counter 1's pad,
    then the manager's ratings table shows Quầy 1 with 1 under Rất hài lòng and total 1,
    without a reload."""
    center.issue("dat-dai")
    for action, args in (("open", {"clerk": "Lan"}), ("call_next", {}), ("start", {}),
                         ("finish", {})):
        assert center.hub.dispatcher.execute(Request(Command(action, args, counter=1))).ok
    page = page_factory(1366, 860)
    log_in(page, center, counter=3, username="truongphong")
    wait_text(page, "#ratings tbody tr:nth-child(1) td:nth-child(5)", "0")

    assert center.hub.dispatcher.execute(Request(Command("rate", {"score": 3}, counter=1))).ok

    wait_text(page, "#ratings tbody tr:nth-child(1) td:nth-child(5)", "1")
    cells = page.locator("#ratings tbody tr:nth-child(1) td").all_inner_texts()
    headers = page.locator("#ratings thead th").all_inner_texts()
    assert headers == ["", "Rất hài lòng", "Hài lòng", "Không hài lòng", "Tổng"]
    assert cells == ["Quầy 1", "1", "0", "0", "1"]
