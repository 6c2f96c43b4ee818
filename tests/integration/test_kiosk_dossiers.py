"""The kiosk process's dossier side against a real Mosquitto and the real hub: lookups
and return-of-results tickets as contract commands, codes checked before they leave the
kiosk, scans in the live view, and the retained procedure catalog. The printer is a
recording fake (the hardware edge)."""

from __future__ import annotations

import json

import pytest

from kiosk.config import DEFAULT_PRIORITIES
from kiosk.runtime import HubKiosk, KioskIdentity
from motcua.contract import ProcedureCatalog, ProcedureInfo, Topics
from motcua.dossiers.demo import load_demo_dossiers
from motcua.store.dossier_store import submit_dossier_batch
from tests.integration.test_kiosk_runtime import hub, hub_config, printer  # noqa: F401
from tests.support.hub_fixtures import eventually
from tests.support.mqtt_probe import MqttProbe

pytestmark = pytest.mark.mosquitto

TOPICS = Topics("van-lam")
CODE = "000.00.12.H42-261110-0012"
IDENTITY = KioskIdentity(kiosk_id="1", site="van-lam", center_name="Trung tâm Văn Lâm",
                         public_url="http://hub.example:8080", priorities=DEFAULT_PRIORITIES)


@pytest.fixture
def kiosk(mosquitto_broker, printer):
    backend = HubKiosk(IDENTITY, mqtt_url=mosquitto_broker.url(), printer=printer,
                       command_expiry_s=3)
    backend.start()
    yield backend
    backend.close()


@pytest.fixture
def probe(mosquitto_broker):
    probe = MqttProbe(mosquitto_broker.url())
    probe.subscribe(TOPICS.kiosk_cmd("1"))
    yield probe
    probe.close()


def commands(probe: MqttProbe) -> list[dict]:
    found = []
    while not probe.messages.empty():
        message = probe.messages.get()
        if message.topic == TOPICS.kiosk_cmd("1"):
            found.append(json.loads(message.payload))
    return found


def test_a_code_the_rule_refuses_never_leaves_the_kiosk(hub, kiosk, probe):
    """Given an online kiosk, When HTML is looked up and a return ticket is asked for SQL,
    Then both are refused invalid_code at once and no command reaches the broker."""
    eventually(lambda: kiosk.live().online, what="kiosk online")
    refused = kiosk.lookup("req-html-0001", "<script>alert(1)</script>")
    assert (refused.ok, refused.error_code) == (False, "invalid_code")
    ticket = kiosk.issue("tap-sql-00001", "dat-dai", "normal", dossier="1' OR '1'='1")
    assert (ticket.ok, ticket.error_code) == (False, "invalid_code")
    kiosk.issue("tap-control-1", "dat-dai", "normal")  # a marker the probe must see
    eventually(lambda: not probe.messages.empty(), what="the marker command")
    sent = commands(probe)
    assert [c["action"] for c in sent] == ["issue"]
    assert "dossier" not in sent[0]


def test_a_lookup_is_one_contract_command_with_the_canonical_code(hub, kiosk, probe):
    """Given the hub with an empty dossier store, When a lower-case code with a trailing
    CR is looked up twice with the same request id, Then one lookup command carries the
    canonical code and the hub's dossier_not_found comes back, with its Vietnamese text."""
    eventually(lambda: kiosk.live().online, what="kiosk online")
    first = kiosk.lookup("req-lookup-01", CODE.lower() + "\r")
    again = kiosk.lookup("req-lookup-01", CODE.lower() + "\r")
    assert first == again
    assert (first.ok, first.error_code) == (False, "dossier_not_found")
    assert first.message_vi
    sent = commands(probe)
    assert [(c["action"], c["code"]) for c in sent] == [("lookup", CODE)]


def demo_dossiers(hub) -> list[str]:
    """The four demo dossiers (ready, late, supplement, in progress) stored through the
    hub's writer thread, as of the hub's clock."""
    now = hub.clock()
    return submit_dossier_batch(hub.dispatcher, lambda: load_demo_dossiers(
        hub.store.engine, hub.setup.site_id, now)).result(30)


def test_stored_dossiers_are_looked_up_masked_with_their_lateness(hub, kiosk):
    """Given the demo dossiers stored in the real hub, When the kiosk looks up the ready
    one and the late one, Then the ready one is returnable for tra-ket-qua with a timeline
    ending "ready" and a masked applicant, and the late one carries its apology and new
    date."""
    ready, late, _, _ = demo_dossiers(hub)
    eventually(lambda: kiosk.live().online, what="kiosk online")

    found = kiosk.lookup("req-ready-001", ready.lower())
    delayed = kiosk.lookup("req-late-0001", late)

    assert found.ok and delayed.ok
    view = found.dossier
    assert (view["code"], view["returnable"], view["return_service"]) == (
        ready, True, "tra-ket-qua")
    assert view["applicant"] == "Nguyễn V. A." and "Nguyễn Văn An" not in str(view)
    assert view["timeline"][-1]["stage"] == "ready"
    assert delayed.dossier["lateness"] == "late"
    assert delayed.dossier["apology"] and delayed.dossier["new_appointment"]


def test_a_return_ticket_is_issued_once_for_a_ready_dossier(hub, kiosk, printer):
    """Given the demo dossiers in the real hub, When the kiosk takes a return-of-results
    ticket for the ready one twice (two taps) and one for the dossier in progress,
    Then the first prints K001 with the dossier code, the second answers the same K001
    (printed again: no second number joins the queue), and the third is refused
    dossier_not_ready."""
    ready, _, _, in_progress = demo_dossiers(hub)
    eventually(lambda: kiosk.live().online and kiosk.live().services, what="services")

    first = kiosk.issue("tap-return-01", "tra-ket-qua", "normal", dossier=ready)
    second = kiosk.issue("tap-return-02", "tra-ket-qua", "normal", dossier=ready)
    early = kiosk.issue("tap-return-03", "tra-ket-qua", "normal", dossier=in_progress)

    assert first.ok and (first.ticket["number"], first.ticket["dossier"]) == ("K001", ready)
    assert second.ok and second.ticket["number"] == "K001"
    assert (early.ok, early.error_code) == (False, "dossier_not_ready")
    assert [(t.number, t.dossier) for t in printer.printed] == [("K001", ready)] * 2
    assert hub.dispatcher.state.tickets[first.ticket["id"]].dossier == ready


def test_a_return_ticket_sends_the_dossier_with_its_issue(hub, kiosk, probe, printer):
    """Given an online kiosk, When a return-of-results ticket is taken for a lower-case
    code, Then the issue command carries the service and the canonical dossier code; if
    the hub issues it, the printed ticket carries the code under TRẢ KẾT QUẢ."""
    eventually(lambda: kiosk.live().online and kiosk.live().services, what="services")
    outcome = kiosk.issue("tap-return-01", "dat-dai", "normal", dossier=CODE.lower())
    (sent,) = commands(probe)
    assert (sent["action"], sent["service"], sent["dossier"]) == ("issue", "dat-dai", CODE)
    if outcome.ok:
        assert outcome.dossier == CODE
        assert [ticket.dossier for ticket in printer.printed] == [CODE]
    else:
        assert printer.printed == []


def test_the_retained_catalog_is_kept_and_a_bad_one_ignored(hub, kiosk, mosquitto_broker,
                                                            caplog):
    """Given a kiosk, When the hub's retained procedure catalog arrives, Then the kiosk
    holds its procedures and version; a payload that does not fit the contract afterwards
    leaves the catalog as it was."""
    catalog = ProcedureCatalog(at="2026-11-30T08:00:00+07:00", version="cat-1", procedures=[
        ProcedureInfo(code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch",
                      documents=["Tờ khai đăng ký kết hôn"], processing_days=0, fee="Miễn",
                      service="ho-tich")])
    publisher = MqttProbe(mosquitto_broker.url())
    try:
        publisher.client.publish(TOPICS.procedures(), catalog.model_dump_json(), qos=1,
                                 retain=True).wait_for_publish(5)
        eventually(lambda: kiosk.live().procedures_version == "cat-1", what="catalog")
        assert [p.name for p in kiosk.procedures()] == ["Đăng ký kết hôn"]
        with caplog.at_level("WARNING", logger="kiosk.runtime"):
            publisher.client.publish(TOPICS.procedures(), b'{"at": 1, "procedures": "x"}',
                                     qos=1, retain=True).wait_for_publish(5)
            eventually(lambda: any("does not fit the contract" in r.getMessage()
                                   for r in caplog.records), what="the bad catalog read")
        assert kiosk.live().procedures_version == "cat-1"
        assert [p.code for p in kiosk.procedures()] == ["1.000894"]
    finally:
        publisher.client.publish(TOPICS.procedures(), b"", qos=1, retain=True).wait_for_publish(5)
        publisher.close()


def test_a_scan_is_checked_and_shown_in_the_live_view(kiosk):
    """Given a kiosk, When a serial scan of a code and one of noise arrive, Then each bumps
    the view's version and the view's scan is the latest, checked by the code rule."""
    before = kiosk.live().version
    event = kiosk.scanned(CODE.lower(), "serial")
    assert (event.code, event.source) == (CODE, "serial")
    assert kiosk.live().version > before and kiosk.live().scan == event
    noise = kiosk.scanned("\x00" * 300, "serial")
    assert kiosk.live().scan == noise and noise.code is None and noise.seq == event.seq + 1
