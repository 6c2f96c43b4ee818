"""The kiosk process's core against a real Mosquitto and the real hub; the printer is a
recording fake (the hardware edge)."""

from __future__ import annotations

import json
import time

import pytest

from kiosk.config import DEFAULT_PRIORITIES
from kiosk.runtime import HubKiosk, KioskIdentity
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.fake_printer import RecordingPrinter
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock
from tests.support.hub_fixtures import eventually  # noqa: F401

ROOT = "motcua/v1/van-lam"
PUBLIC_URL = "http://hub.example:8080"
IDENTITY = KioskIdentity(kiosk_id="1", site="van-lam", center_name="Trung tâm Văn Lâm",
                         public_url=PUBLIC_URL, priorities=DEFAULT_PRIORITIES,
                         footer=("Xin cảm ơn!",))


@pytest.fixture
def hub_config(tmp_path, mosquitto_broker):
    return HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                     http_port=0)


@pytest.fixture
def hub(hub_config):
    with Hub(hub_config, clock=ManualClock(), serve_http=False) as running:
        yield running


@pytest.fixture
def printer():
    return RecordingPrinter()


@pytest.fixture
def kiosk(mosquitto_broker, printer):
    backend = HubKiosk(IDENTITY, mqtt_url=mosquitto_broker.url(), printer=printer,
                       printer_poll_s=0.2, command_expiry_s=3)
    backend.start()
    yield backend
    backend.close()


def online_with_services(kiosk: HubKiosk) -> bool:
    view = kiosk.live()
    return view.online and len(view.services) == 7


def test_the_kiosk_lists_the_hubs_services_grouped_by_field_with_live_counts(hub, kiosk):
    """Given the example center's hub, when the kiosk connects, then it is online and lists
    every service with its field, prefix and waiting count; an issue raises the count."""
    eventually(lambda: online_with_services(kiosk), what="kiosk online with 7 services")
    view = kiosk.live()
    land = next(s for s in view.services if s.code == "dat-dai")
    assert (land.name, land.prefix, land.field, land.waiting, land.issuing) == (
        "Đất đai", "A", "Đất đai", 0, True)
    assert [p.code for p in view.priorities] == ["elderly", "disabled", "pregnant", "merit",
                                                 "child"]
    before = view.version
    assert kiosk.issue("tap-1", "dat-dai", "normal").ok
    eventually(lambda: next(s for s in kiosk.live().services if s.code == "dat-dai").waiting == 1,
               what="waiting count 1")
    assert kiosk.live().version > before


def test_one_tap_issues_and_prints_one_ticket_however_often_it_is_repeated(hub, kiosk, printer):
    """Given an online kiosk, when the same tap comes three times, then one ticket A001 is
    issued and printed once, all three answers are the same, and the next tap gets A002."""
    eventually(lambda: online_with_services(kiosk))
    outcomes = [kiosk.issue("tap-same", "dat-dai", "normal") for _ in range(3)]
    assert outcomes[0] == outcomes[1] == outcomes[2]
    first = outcomes[0]
    assert (first.ok, first.printed, first.printer, first.ticket["number"]) == (
        True, True, "ok", "A001")
    assert first.ticket_url == f"{PUBLIC_URL}/t/{first.ticket['id']}"
    assert [t.number for t in printer.printed] == ["A001"]
    ticket = printer.printed[0]
    assert (ticket.center_name, ticket.service_name, ticket.priority_label, ticket.waiting_ahead,
            ticket.url, ticket.footer) == ("Trung tâm Văn Lâm", "Đất đai", None, 0,
                                           first.ticket_url, ("Xin cảm ơn!",))
    assert ticket.issued_at.isoformat() == "2026-11-23T08:00:00+07:00"
    assert kiosk.issue("tap-next", "dat-dai", "elderly").ticket["number"] == "A002"
    assert printer.printed[1].priority_label == "Người cao tuổi"


def test_an_unknown_service_is_refused_with_the_hubs_vietnamese_message(hub, kiosk, printer):
    """Given an online kiosk, when a tap asks for a service the hub does not have, then the
    outcome carries the hub's error code and Vietnamese text, and nothing is printed."""
    eventually(lambda: online_with_services(kiosk))
    outcome = kiosk.issue("tap-x", "khong-co", "normal")
    assert (outcome.ok, outcome.ticket, outcome.error_code) == (False, None, "unknown_service")
    assert outcome.message_vi and "khong-co" in outcome.message_vi
    assert printer.printed == []


def test_paper_out_keeps_the_ticket_and_reports_the_printer_to_everyone(
        hub, kiosk, printer, mosquitto_broker):
    """Given a printer out of paper, when a citizen takes a number, then the hub issued it
    (ok, not printed, paper_out), the kiosk's retained presence says paper_out and the hub
    keeps paper_out for this kiosk."""
    eventually(lambda: online_with_services(kiosk))
    printer.state = "paper_out"
    outcome = kiosk.issue("tap-paper", "ho-tich", "normal")
    assert (outcome.ok, outcome.printed, outcome.printer, outcome.ticket["number"]) == (
        True, False, "paper_out", "C001")
    assert printer.printed == []
    probe = MqttProbe(mosquitto_broker.url())
    try:
        probe.subscribe(f"{ROOT}/device/kiosk/1/status")
        status = probe.wait_for(f"{ROOT}/device/kiosk/1/status",
                                predicate=lambda body: (body or {}).get("printer") == "paper_out")
        assert json.loads(status.payload)["online"] is True
    finally:
        probe.close()
    eventually(lambda: any(d.get("id") == "1" and d.get("printer") == "paper_out"
                           for d in hub.device_list()), what="hub keeps paper_out")
    printer.state = "ok"
    eventually(lambda: kiosk.live().printer == "ok", what="poll sees paper back")


def test_without_the_hub_a_tap_is_retried_then_reported_and_the_kiosk_is_offline(
        mosquitto_broker, kiosk, printer):
    """Given a broker but no hub, when a citizen taps, then the kiosk is offline, the
    command is answered hub_unreachable after its 3 s expiry, and nothing is printed."""
    time.sleep(0.5)
    assert kiosk.live().online is False
    started = time.monotonic()
    outcome = kiosk.issue("tap-lonely", "dat-dai", "normal")
    assert (outcome.ok, outcome.error_code) == (False, "hub_unreachable")
    assert outcome.message_vi == "Không liên lạc được máy chủ, vui lòng thử lại sau"
    assert 2.5 <= time.monotonic() - started <= 6
    assert printer.printed == []


def test_a_broker_restart_takes_the_kiosk_offline_and_back(hub, kiosk, mosquitto_broker):
    """Given an online kiosk, when the broker stops, then the kiosk is offline; when it
    starts again, the kiosk comes back online by itself and can issue."""
    eventually(lambda: online_with_services(kiosk))
    mosquitto_broker.stop()
    eventually(lambda: not kiosk.live().online, what="offline after the broker stopped")
    mosquitto_broker.start()
    eventually(lambda: online_with_services(kiosk), timeout=20, what="online again")
    # The broker keeps the hub's retained presence, so the kiosk may be back first: the
    # 3 s command life of this test is shorter than the hub's reconnect (30 s in service).
    eventually(lambda: hub.bus.connected, timeout=20, what="hub reconnected")
    assert kiosk.issue("tap-after", "dat-dai", "normal").ok


def test_the_kiosk_announces_itself_online_with_its_printer_as_it_connects(
        mosquitto_broker, kiosk):
    """Given a kiosk that just started (printer ok), when a late subscriber reads its
    retained presence, then it is online with its version and printer ok (published from
    the connect itself, before any printer change)."""
    probe = MqttProbe(mosquitto_broker.url())
    try:
        probe.subscribe(f"{ROOT}/device/kiosk/1/status")
        status = probe.wait_for(f"{ROOT}/device/kiosk/1/status",
                                predicate=lambda body: (body or {}).get("online") is True)
        body = json.loads(status.payload)
        assert (body["online"], body["printer"]) == (True, "ok")
        assert body["version"]
    finally:
        probe.close()


def test_a_printer_driver_that_raises_never_loses_the_issued_number(hub, kiosk, printer):
    """Given a printer driver that raises (a bug, not a reported fault), when a citizen taps,
    then the hub's number still comes back (ok, not printed) for the screen and its QR."""
    eventually(lambda: online_with_services(kiosk))

    def broken(ticket):
        raise RuntimeError("driver bug")

    printer.print_ticket = broken
    outcome = kiosk.issue("tap-bug", "dat-dai", "normal")
    assert (outcome.ok, outcome.printed, outcome.ticket["number"]) == (True, False, "A001")
    assert outcome.ticket_url.endswith("/t/" + outcome.ticket["id"])
