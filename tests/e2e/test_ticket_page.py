"""The live ticket page in headless Chromium, against the real hub on a real Mosquitto.

A kiosk and a counter are played over MQTT (``MqttProbe``); the citizen's phone is a
390×844 Chromium page on ``/t/{id}``. Nothing is reloaded: every change arrives through
the page's event stream. Waits use Playwright's ``expect``: the page's Content-Security-
Policy forbids the string evaluation ``wait_for_function`` needs. With
``MOTCUA_UPDATE_SCREENS=1`` the screenshots are written to ``docs/screens/`` (else under
the test's temporary folder).
"""

from __future__ import annotations


import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None

from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.sites import ManualClock

PHONE = (390, 844)
#: How long a pushed change may take to show (it is milliseconds when healthy).
LIVE_TIMEOUT_MS = 5000
#: Records the vibration patterns instead of vibrating (headless has no motor), and
#: counts the chime's tones (one oscillator per tone).
VIBRATION_SPY = """
window.__vibrations = [];
navigator.vibrate = function (pattern) { window.__vibrations.push(pattern); return true; };
window.__tones = 0;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return createOscillator.call(this);
};
"""


@pytest.fixture
def hub(tmp_path, mosquitto_broker):
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    with Hub(config, clock=ManualClock()) as running:
        yield running


def kiosk_issue(hub, devices, service: str = "dat-dai") -> dict:
    reply = devices.request(hub.topics.kiosk_cmd("1"), {"action": "issue", "service": service})
    assert reply["ok"], reply
    return reply["ticket"]


def counter(hub, devices, action: str, **args) -> dict:
    reply = devices.request(hub.topics.counter_cmd(1), {"action": action, **args})
    assert reply["ok"], reply
    return reply


def open_phone(page_factory, hub, ticket: dict):
    """The ticket's page on a phone-sized page, with navigations counted."""
    page = page_factory(*PHONE)
    page.add_init_script(VIBRATION_SPY)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.goto(f"http://127.0.0.1:{hub.http_port}/t/{ticket['id']}")
    return page, navigations


def test_the_page_follows_the_ticket_until_the_counter_calls_it(
        hub, devices, page_factory, screens_dir):
    """Given A001 and A002 issued by kiosk 1 over MQTT,
    when A002's holder opens /t/{id} on a phone, and counter 1 opens and calls next twice,
    then the page shows A002, Đất đai, "Đang chờ", 1 ahead; the sound button turns the
    chime on; 0 ahead once A001 is called; then "Mời đến quầy 1" with a vibration and a
    chime once A002 is called, all without a reload."""
    kiosk_issue(hub, devices)
    ticket = kiosk_issue(hub, devices)
    page, navigations = open_phone(page_factory, hub, ticket)
    page.evaluate("window.__sameDocument = true")

    assert page.text_content("#number") == "A002"
    assert page.text_content("#service") == "Đất đai"
    assert page.text_content("#status") == "Đang chờ"
    assert page.text_content("#ahead") == "1"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(screens_dir / "ticket-page-waiting.png"), full_page=True)
    page.click("#sound")
    assert page.text_content("#sound") == "Đã bật âm báo"
    assert page.evaluate("window.__tones") == 3  # the tap plays the chime once

    counter(hub, devices, "open", clerk="Nguyễn Thị Lan")
    assert counter(hub, devices, "call_next")["ticket"]["number"] == "A001"
    expect(page.locator("#ahead")).to_have_text("0", timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.__vibrations.length") == 0

    assert counter(hub, devices, "call_next")["ticket"]["number"] == "A002"
    expect(page.locator("#status")).to_have_text("Mời đến quầy 1", timeout=LIVE_TIMEOUT_MS)

    assert page.text_content("#hint") == "Vui lòng đến quầy ngay."
    assert page.is_hidden("#queue") and page.is_hidden("#cancel")
    assert page.evaluate("window.__vibrations") == [[400, 200, 400, 200, 400]]
    assert page.evaluate("window.__tones") == 6
    assert page.evaluate("window.__sameDocument") is True
    assert len(navigations) == 1  # the first load only
    page.screenshot(path=str(screens_dir / "ticket-page-called.png"), full_page=True)


def test_the_holder_cancels_a_waiting_ticket_after_confirming(hub, devices, page_factory):
    """Given A001 waiting and its page open,
    when the holder taps "Hủy số", answers "Không", then taps it again and confirms,
    then the first answer keeps it waiting, the second shows "Đã hủy" and the hub has
    it cancelled."""
    ticket = kiosk_issue(hub, devices)
    page, _ = open_phone(page_factory, hub, ticket)

    page.click("#cancel")
    assert page.text_content("#confirm-text") == (
        "Bạn chắc chắn muốn hủy số A001? Không thể hoàn tác.")
    page.click("#confirm-no")
    assert page.is_hidden("#confirm") and page.text_content("#status") == "Đang chờ"
    page.click("#cancel")
    page.click("#confirm-yes")
    expect(page.locator("#status")).to_have_text("Đã hủy", timeout=LIVE_TIMEOUT_MS)

    assert page.text_content("#hint") == "Số này đã kết thúc."
    assert page.is_hidden("#cancel") and page.is_hidden("#sound")
    api = page.request.get(f"http://127.0.0.1:{hub.http_port}/api/v1/tickets/{ticket['id']}")
    assert api.json()["status"] == "cancelled"


def test_a_refused_stream_shows_the_banner_until_it_reconnects(hub, devices, page_factory):
    """Given the event stream answering 503 live_busy (every slot taken),
    when A001's page opens, then "Mất kết nối, đang thử lại…" shows; once the stream is
    served again the banner goes by itself and a call still reaches the page."""
    ticket = kiosk_issue(hub, devices)
    page = page_factory(*PHONE)
    busy = {"error": {"code": "live_busy", "message": "", "message_en": "", "params": {}}}
    page.route("**/events", lambda route: route.fulfill(status=503, json=busy,
                                                        headers={"Retry-After": "5"}))
    page.goto(f"http://127.0.0.1:{hub.http_port}/t/{ticket['id']}")
    page.wait_for_selector("#offline", state="visible", timeout=LIVE_TIMEOUT_MS)
    assert page.text_content("#offline") == "Mất kết nối, đang thử lại…"

    page.unroute("**/events")
    page.wait_for_selector("#offline", state="hidden", timeout=10_000)
    counter(hub, devices, "open", clerk="Lan")
    counter(hub, devices, "call_next")
    expect(page.locator("#status")).to_have_text("Mời đến quầy 1", timeout=LIVE_TIMEOUT_MS)


def test_the_english_button_switches_language_without_reloading(hub, devices, page_factory):
    """Given A001's page open in Vietnamese,
    when the holder taps "English", then it reads "Waiting" / "People ahead of you" and
    the button offers "Tiếng Việt"; a reload keeps English (remembered), with no other
    navigation than those two loads."""
    ticket = kiosk_issue(hub, devices)
    page, navigations = open_phone(page_factory, hub, ticket)

    page.click("#language")

    assert page.text_content("#status") == "Waiting"
    assert page.text_content("[data-text=ahead]") == "People ahead of you"
    assert page.text_content("#language") == "Tiếng Việt"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert len(navigations) == 1
    page.reload()
    expect(page.locator("#status")).to_have_text("Waiting")
