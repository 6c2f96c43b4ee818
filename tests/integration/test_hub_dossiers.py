"""Kiosk dossier lookup and return-of-results tickets through a real Mosquitto and hub.

The hub answers from its own database, read by its real ``StoreDossierReader``; the
three dossiers of ``tests/support/dossier_hub.py`` (one ready for return, one in
progress, one late with an apology) are stored there through the hub's writer, as an
import would. ``reader`` only counts the codes that reach the store.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from motcua.store.schema import ticket as ticket_table
from tests.support.dossier_hub import (  # noqa: F401 - pytest fixtures
    FULL_NAME, IN_PROGRESS_CODE, LATE_CODE, READY_CODE, FailingReader, dossier_hub, hub,
    reader, seconds,
)
from tests.support.mqtt_probe import MqttProbe

ROOT = "motcua/v1/van-lam"
KIOSK = f"{ROOT}/kiosk/1/cmd"


@pytest.fixture
def probe(mosquitto_broker):
    device = MqttProbe(mosquitto_broker.url())
    device.subscribe(f"{ROOT}/#")
    yield device
    device.close()


def test_lookup_answers_with_the_masked_dossier(hub, probe, reader):
    """Given a dossier received Friday 20/11 09:00 for a 5-working-day procedure and
    ready on Monday 23/11 08:00,
    when kiosk 1 looks its code up,
    then the reply is ok with no ticket and the whole masked view: due Monday 30/11 (the
    holiday of Tuesday 24/11 skipped), early, returnable at tra-ket-qua, its three steps
    at their UTC times; the full name and the phone are nowhere in it; one store read."""
    reply = probe.request(KIOSK, {"action": "lookup", "code": READY_CODE})

    assert reply["ok"] is True and reply["error"] is None and reply["ticket"] is None
    assert reply["dossier"] == {
        "code": READY_CODE,
        "procedure": {"code": "1.000894", "name": "Đăng ký kết hôn", "field": "Hộ tịch"},
        "applicant": "Nguyễn V. A.", "phone": "09xx xxx 123",
        "status": 9, "label": "Đã xử lý xong", "stage": "ready",
        "received_at": "2026-11-20T09:00:00+07:00", "appointment": "2026-11-30",
        "new_appointment": None, "apology": None, "lateness": "early",
        "returnable": True, "return_service": "tra-ket-qua",
        "timeline": [
            {"status": 2, "label": "Được tiếp nhận", "stage": "received",
             "at": "2026-11-20T09:00:00+07:00", "note": ""},
            {"status": 4, "label": "Đang xử lý", "stage": "in_progress",
             "at": "2026-11-20T14:00:00+07:00", "note": ""},
            {"status": 9, "label": "Đã xử lý xong", "stage": "ready",
             "at": "2026-11-23T08:00:00+07:00", "note": ""}]}
    assert FULL_NAME not in json_text(reply) and "0912345123" not in json_text(reply)
    assert reader.reads == [READY_CODE]


def test_lookup_cleans_what_a_scanner_adds(hub, probe, reader):
    """Given a code typed in lower case with spaces around it (control characters never
    pass the contract: the kiosk strips a scanner's CR LF before sending),
    when kiosk 1 looks it up,
    then the store is asked for the canonical upper-case code and the dossier comes back:
    late (due 09/11, moved to 10/11 by one day waiting for a supplement), with the new
    date and the reason of the apology."""
    reply = probe.request(KIOSK, {"action": "lookup", "code": " " + LATE_CODE.lower() + " "})

    assert reply["ok"] is True
    assert reply["dossier"]["code"] == LATE_CODE
    assert reply["dossier"]["lateness"] == "late"
    assert (reply["dossier"]["appointment"], reply["dossier"]["new_appointment"]) == (
        "2026-11-09", "2026-11-27")
    assert reply["dossier"]["apology"] == "Chờ ý kiến của Sở Tư pháp"
    assert reader.reads == [LATE_CODE]


def test_bad_and_unknown_codes_get_calm_errors(hub, probe, reader):
    """Given HTML typed instead of a code, and a well-formed code nobody stored,
    when kiosk 1 looks them up,
    then the first is invalid_code without reading the store, the second
    dossier_not_found naming the code, both in Vietnamese and English."""
    bad = probe.request(KIOSK, {"action": "lookup", "code": "<script>alert(1)</script>"})
    unknown = probe.request(KIOSK, {"action": "lookup", "code": "000.00.12.H42-261120-0999"})

    assert bad["ok"] is False and "dossier" not in bad
    assert bad["error"] == {
        "code": "invalid_code",
        "message": "Mã hồ sơ không hợp lệ, vui lòng quét lại mã trên giấy hẹn trả kết quả",
        "message_en": "Not a valid dossier code; scan the code on your appointment slip again",
        "params": {}}
    assert unknown["error"]["code"] == "dossier_not_found"
    assert unknown["error"]["params"] == {"dossier": "000.00.12.H42-261120-0999"}
    assert unknown["error"]["message"] == (
        "Không tìm thấy hồ sơ 000.00.12.H42-261120-0999, vui lòng kiểm tra lại mã trên giấy "
        "hẹn hoặc hỏi cán bộ tại quầy")
    assert reader.reads == ["000.00.12.H42-261120-0999"]


def test_wrong_codes_are_rate_limited_per_kiosk(hub, probe, reader, seconds):
    """Given the example site's limit of 10 wrong codes a minute,
    when kiosk 1 sends 10 unknown codes,
    then its next lookup, even of a right code, is refused lookup_rate_limited with a
    6 s wait and the store is not read; kiosk 2 still looks up; 6 s later kiosk 1 can
    again."""
    for serial in range(10):
        code = f"000.00.12.H42-261120-{900 + serial:04d}"
        assert probe.request(KIOSK, {"action": "lookup", "code": code})["error"]["code"] \
            == "dossier_not_found"
    reads_before = len(reader.reads)

    limited = probe.request(KIOSK, {"action": "lookup", "code": READY_CODE})
    other_kiosk = probe.request(f"{ROOT}/kiosk/2/cmd", {"action": "lookup", "code": READY_CODE})
    seconds.now += 6
    later = probe.request(KIOSK, {"action": "lookup", "code": READY_CODE})

    assert limited["error"]["code"] == "lookup_rate_limited"
    assert limited["error"]["params"] == {"retry_s": 6}
    assert limited["error"]["message"] == (
        "Đã nhập sai mã hồ sơ quá nhiều lần, vui lòng chờ 6 giây rồi thử lại")
    assert other_kiosk["ok"] is True
    assert later["ok"] is True
    assert reader.reads[reads_before:] == [READY_CODE, READY_CODE]


def test_a_database_failure_answers_storage_error_and_the_next_lookup_works(hub, probe):
    """Given the database failing on the next read (SQLAlchemy's OperationalError),
    when kiosk 1 looks a stored dossier up, then again,
    then the first reply is storage_error in Vietnamese and English, not a wrong code,
    and the lookup worker lives on: the second reply is the dossier."""
    hub.dossier_lookup.reader = FailingReader(hub.dossier_lookup.reader, failures=1)

    failed = probe.request(KIOSK, {"action": "lookup", "code": READY_CODE})
    again = probe.request(KIOSK, {"action": "lookup", "code": READY_CODE})

    assert failed["ok"] is False and "dossier" not in failed
    assert (failed["error"]["code"], failed["error"]["message"],
            failed["error"]["message_en"]) == (
        "storage_error", "Lỗi lưu dữ liệu, không có thay đổi",
        "Storage error; nothing was changed")
    assert (again["ok"], again["dossier"]["code"], again["dossier"]["stage"]) == (
        True, READY_CODE, "ready")


@pytest.mark.postgres
def test_on_postgresql_the_hub_reads_its_dossiers_and_issues_the_return(
        tmp_path, mosquitto_broker, probe, pg_url):
    """Given a hub whose database is PostgreSQL, holding the three dossiers,
    when kiosk 1 looks the late dossier up and takes a return ticket for the ready one,
    then the late view has the same dates as on SQLite (due 09/11, new date 27/11, late,
    the apology, steps at their UTC times) and the ticket is K001 carrying the code."""
    with dossier_hub(tmp_path, mosquitto_broker.url(), db_url=pg_url):
        late = probe.request(KIOSK, {"action": "lookup", "code": LATE_CODE})
        ticket = probe.request(KIOSK, {"action": "issue", "service": "tra-ket-qua",
                                       "dossier": READY_CODE})

    view = late["dossier"]
    assert (view["appointment"], view["new_appointment"], view["lateness"],
            view["apology"]) == ("2026-11-09", "2026-11-27", "late",
                                 "Chờ ý kiến của Sở Tư pháp")
    assert [(s["status"], s["at"]) for s in view["timeline"]] == [
        (2, "2026-11-02T09:00:00+07:00"), (4, "2026-11-03T09:00:00+07:00"),
        (5, "2026-11-06T09:00:00+07:00"), (4, "2026-11-09T09:00:00+07:00")]
    assert (ticket["ticket"]["number"], ticket["ticket"]["dossier"]) == ("K001", READY_CODE)


def test_a_repeated_lookup_answers_again(hub, probe):
    """Given a lookup already answered,
    when the kiosk sends the same id again,
    then it gets the same answer again (a lookup changes nothing)."""
    body = {"id": "lookup-1", "action": "lookup", "code": IN_PROGRESS_CODE}
    first = probe.request(KIOSK, body)
    second = probe.request(KIOSK, body)

    assert first == second
    assert first["dossier"]["stage"] == "in_progress"


def test_return_ticket_carries_the_dossier_and_is_not_issued_twice(hub, probe):
    """Given a dossier ready for return,
    when kiosk 1 takes a return-of-results ticket for it, then again with a new id,
    then the first reply is K001 of tra-ket-qua carrying the dossier code, the second
    answers with that same ticket, the row stores the code, and counter 5 calling it
    publishes the code in its counter state."""
    first = probe.request(KIOSK, {"action": "issue", "service": "tra-ket-qua",
                                  "dossier": READY_CODE.lower()})
    again = probe.request(KIOSK, {"action": "issue", "service": "tra-ket-qua",
                                  "dossier": READY_CODE})
    probe.request(f"{ROOT}/counter/5/cmd", {"action": "open", "clerk": "Lan"})
    called = probe.request(f"{ROOT}/counter/5/cmd", {"action": "call_next"})

    assert first["ok"] is True
    assert (first["ticket"]["number"], first["ticket"]["service"],
            first["ticket"]["dossier"]) == ("K001", "tra-ket-qua", READY_CODE)
    assert again["ticket"]["id"] == first["ticket"]["id"]
    assert called["ticket"]["dossier"] == READY_CODE
    with hub.store.engine.connect() as conn:
        rows = conn.execute(sa.select(ticket_table.c.number, ticket_table.c.dossier)).all()
    assert [tuple(row) for row in rows] == [("K001", READY_CODE)]


def test_ordinary_tickets_carry_no_dossier_key(hub, probe):
    """Given an ordinary issue,
    when the kiosk takes a number,
    then its ticket has no dossier key at all (payloads stay as they were)."""
    reply = probe.request(KIOSK, {"action": "issue", "service": "dat-dai"})

    assert reply["ok"] is True and "dossier" not in reply["ticket"]


@pytest.mark.parametrize(("args", "code", "params"), [
    ({"service": "tra-ket-qua", "dossier": IN_PROGRESS_CODE}, "dossier_not_ready",
     {"dossier": IN_PROGRESS_CODE}),
    ({"service": "tra-ket-qua", "dossier": "000.00.12.H42-261120-0999"}, "dossier_not_found",
     {"dossier": "000.00.12.H42-261120-0999"}),
    ({"service": "tra-ket-qua", "dossier": "DROP TABLE dossier;"}, "invalid_code", {}),
    ({"service": "dat-dai", "dossier": READY_CODE}, "invalid_argument", {"field": "service"}),
])
def test_return_tickets_are_refused_unless_ready(hub, probe, args, code, params):
    """Given dossiers not ready, unknown, not a code, or the wrong service,
    when the kiosk asks for a return ticket,
    then it is refused with that error and no ticket is issued (the next number of
    tra-ket-qua is still K001)."""
    refused = probe.request(KIOSK, {"action": "issue", **args})
    ready = probe.request(KIOSK, {"action": "issue", "service": "tra-ket-qua",
                                  "dossier": READY_CODE})

    assert refused["ok"] is False and refused["ticket"] is None
    assert (refused["error"]["code"], refused["error"]["params"]) == (code, params)
    assert ready["ticket"]["number"] == "K001"


def json_text(reply: dict) -> str:
    import json

    return json.dumps(reply, ensure_ascii=False)
