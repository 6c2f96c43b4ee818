"""Import rows checked field by field: every refusal names its row and field."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.records import FIELDS, derived_event_id, parse_record

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.12.H42-261127-0001"
GOOD = {"code": CODE, "procedure": "1.000234", "applicant_name": "Nguyễn Văn An",
        "phone": "0912345123", "received_at": "27/11/2026 09:15", "status": "2",
        "status_at": "2026-11-27 09:15", "note": "", "event_id": ""}


def test_a_good_row_gives_its_dossier_and_its_event():
    """Given a full row with Vietnamese date order and an ISO time, then one dossier and
    one event, times in the site's zone, and a derived stable event id."""
    record = parse_record(2, GOOD, VN)
    assert record.errors == []
    assert record.dossier.code == CODE and record.dossier.applicant_name == "Nguyễn Văn An"
    assert record.dossier.received_at == dt.datetime(2026, 11, 27, 9, 15, tzinfo=VN)
    assert record.event.status == 2
    assert record.event.at == dt.datetime(2026, 11, 27, 9, 15, tzinfo=VN)
    assert record.event.event_id == derived_event_id(CODE, 2, record.event.at, "")
    assert record.event.event_id.startswith("auto-") and len(record.event.event_id) == 37


def test_an_event_row_needs_only_the_code_and_the_status():
    """Given a later row of the same dossier with only code, status, time and event id,
    then an event and no dossier part; a lower-case code is made canonical."""
    record = parse_record(3, {"code": CODE.lower(), "status": 4,
                              "status_at": dt.datetime(2026, 11, 30, 8, 0),
                              "event_id": "tinh-991"}, VN)
    assert record.errors == [] and record.dossier is None
    assert (record.event.code, record.event.status, record.event.event_id) == (CODE, 4, "tinh-991")


@pytest.mark.parametrize("field, value, code", [
    ("code", "<script>alert(1)</script>", "bad_code"),
    ("code", "", "missing"),
    ("received_at", "31/02/2026", "bad_datetime"),
    ("status", "11", "bad_status"),
    ("status", "đang xử lý", "bad_status"),
    ("status_at", "hôm qua", "bad_datetime"),
    ("appointment_date", "2026-12-32", "bad_date"),
    ("applicant_name", "A" * 201, "too_long"),
    ("note", "xin\x00lỗi", "bad_text"),
])
def test_a_bad_field_is_a_row_error_naming_it(field, value, code):
    """Given a row with one bad field, then exactly one error with the row number, the
    field, the code and Vietnamese + English messages; the row gives nothing."""
    record = parse_record(7, {**GOOD, field: value}, VN)
    assert [(e.row, e.field, e.code) for e in record.errors] == [(7, field, code)]
    assert record.dossier is None and record.event is None
    assert record.errors[0].message and record.errors[0].message_en
    assert len(record.errors[0].message) < 120  # a refused value is echoed cut short


def test_the_messages_of_an_unknown_status_are_vietnamese_then_english():
    """Given status 11, then the exact two messages, the value echoed."""
    error = parse_record(4, {**GOOD, "status": "11"}, VN).errors[0]
    assert error.message == "Trạng thái phải là số từ 1 đến 10: 11"
    assert error.message_en == "The status must be a number from 1 to 10: 11"


def test_a_missing_applicant_of_a_new_dossier_is_named():
    """Given dossier columns without the applicant's name, then 'applicant_name'."""
    record = parse_record(5, {**GOOD, "applicant_name": " "}, VN)
    assert [(e.field, e.code) for e in record.errors] == [("applicant_name", "missing")]


@given(st.dictionaries(st.sampled_from(FIELDS),
                       st.one_of(st.text(max_size=80), st.integers(), st.floats(),
                                 st.none(), st.booleans(), st.binary(max_size=20).map(str)),
                       max_size=len(FIELDS)))
def test_garbage_never_raises_and_a_refused_row_gives_nothing(raw):
    """For any mapping of garbage, parse_record returns; a row with errors has neither a
    dossier nor an event, and an accepted event has a status 1–10."""
    record = parse_record(9, raw, VN)
    if record.errors:
        assert record.dossier is None and record.event is None
    if record.event is not None:
        assert 1 <= record.event.status <= 10
