"""Dossier rows as they arrive (import file, REST body), checked field by field.

One record is one status event of one dossier, with the dossier's own fields beside it
(see ``docs/dossiers.md``): :func:`parse_record` turns a mapping of raw values (text from
a CSV cell, a datetime from an XLSX cell, a JSON value) into a :class:`DossierInput`
and/or an :class:`EventInput`, or into :class:`RowError` s that name the row and the
field. Nothing here raises for bad input. Stdlib only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .codes import DEFAULT_RULE, CodeRule
from .status import DossierStatus

#: Column / JSON field names of a record, in the order of the example file.
DOSSIER_FIELDS = ("code", "procedure", "applicant_name", "phone", "received_at",
                  "appointment_date")
EVENT_FIELDS = ("status", "status_at", "note", "new_appointment_date", "event_id")
FIELDS = DOSSIER_FIELDS + EVENT_FIELDS
REQUIRED_FOR_DOSSIER = ("procedure", "applicant_name", "received_at")
#: Column widths of the tables (motcua.store.schema).
MAX_CHARS = {"procedure": 64, "applicant_name": 200, "phone": 32, "note": 500,
             "event_id": 64, "source": 128}

#: code -> (Vietnamese, English) messages of row errors.
ROW_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Thiếu giá trị của cột {field}", "{field} is missing"),
    "too_long": ("{field} quá dài (tối đa {limit} ký tự)", "{field} is too long (at most "
                 "{limit} characters)"),
    "bad_code": ("Mã hồ sơ không đúng định dạng: {value}", "Not a dossier code: {value}"),
    "bad_datetime": ("Ngày giờ không hợp lệ ở cột {field}: {value}",
                     "{field} is not a date and time: {value}"),
    "bad_date": ("Ngày không hợp lệ ở cột {field}: {value}", "{field} is not a date: {value}"),
    "bad_status": ("Trạng thái phải là số từ 1 đến 10: {value}",
                   "The status must be a number from 1 to 10: {value}"),
    "bad_text": ("{field} có ký tự điều khiển", "{field} contains control characters"),
    "unknown_procedure": ("Không có thủ tục {value} trong danh mục",
                          "Procedure {value} is not in the catalog"),
    "no_processing_days": (
        "Thủ tục {value} không có thời hạn cố định: cần ghi ngày hẹn trả",
        "Procedure {value} has no fixed time limit: give the appointment date"),
    "dossier_conflict": ("Hồ sơ {value} đã có với {field} khác",
                         "Dossier {value} already exists with a different {field}"),
    "event_conflict": ("Mã sự kiện {value} đã dùng cho một thay đổi khác",
                       "Event id {value} was already used for a different change"),
    "unknown_dossier": ("Không có hồ sơ {value}; cần các cột của hồ sơ ở dòng đầu tiên",
                        "No dossier {value}; its first row needs the dossier's columns"),
    "dossier_refused": ("Hồ sơ {value} không được nhận do lỗi ở dòng khác",
                        "Dossier {value} was refused because of an error in another row"),
    "no_status": ("Hồ sơ mới cần ít nhất một trạng thái", "A new dossier needs a status"),
    "out_of_order": ("Trạng thái cũ hơn trạng thái mới nhất đã lưu ({value})",
                     "Older than the latest stored status ({value})"),
    "transition": ("{value}", "{value_en}"),
    "bad_row": ("Dòng không đọc được: {value}", "Unreadable row: {value}"),
}
#: How much of a refused value an error message repeats.
MAX_ECHO_CHARS = 40


@dataclass(frozen=True, slots=True)
class RowError:
    """A refused row: ``row`` is the line of the file (1 = the header) or the position in
    a REST body (``"dossiers[0].events[1]"``); ``field`` the column or JSON field."""

    row: int | str
    field: str
    code: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code,
                "message": self.message, "message_en": self.message_en}


def row_error(row: int | str, field_name: str, code: str, value: object = "",
              **params: object) -> RowError:
    """A :class:`RowError` with its two messages filled in (values cut to 40 chars)."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in str(value))[:MAX_ECHO_CHARS]
    values = {"field": field_name, "value": shown, "value_en": shown, **params}
    vietnamese, english = ROW_MESSAGES[code]
    return RowError(row, field_name, code, vietnamese.format(**values),
                    english.format(**values))


@dataclass(frozen=True, slots=True)
class DossierInput:
    """A dossier to create (or to find already stored with the same data)."""

    row: int | str
    code: str
    procedure: str
    applicant_name: str
    phone: str
    received_at: dt.datetime
    appointment_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class EventInput:
    """A status event of a dossier; ``event_id`` is the sender's idempotence key (derived
    from code, status, time and note when the sender gives none)."""

    row: int | str
    code: str
    event_id: str
    status: int
    at: dt.datetime
    note: str = ""
    new_appointment_date: dt.date | None = None

    def content(self) -> tuple:
        """What must be equal for a repeated event id to be the same event."""
        return (self.code, self.status, self.at, self.note, self.new_appointment_date)


@dataclass(slots=True)
class Record:
    """What one row gave: its dossier part, its event part and its errors."""

    row: int | str
    dossier: DossierInput | None = None
    event: EventInput | None = None
    errors: list[RowError] = field(default_factory=list)


def derived_event_id(code: str, status: int, at: dt.datetime, note: str) -> str:
    """A stable event id for a sender that gives none: the same row imported twice is
    the same event."""
    digest = hashlib.sha256(f"{code}|{status}|{at.isoformat()}|{note}".encode()).hexdigest()
    return f"auto-{digest[:32]}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """An aware datetime from ISO text (``2026-11-30T08:15:00+07:00``, ``2026-11-30
    08:15``), Vietnamese order (``30/11/2026 08:15``), a date alone (midnight) or a
    datetime/date object; naive values are in ``tz``. None when it is none of these."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str) and len(value) <= 40:
        text = value.strip()
        parsed = None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
                try:
                    parsed = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if parsed is None:
            return None
    else:
        return None
    if not 2000 <= parsed.year <= 2100:
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def parse_date(value: Any) -> dt.date | None:
    """A date from ``2026-12-03``, ``03/12/2026`` or a date/datetime object (at midnight
    only, as XLSX stores dates); None otherwise."""
    if isinstance(value, dt.datetime):
        parsed = value.date() if value.time() == dt.time() else None
    elif isinstance(value, dt.date):
        parsed = value
    elif isinstance(value, str) and len(value) <= 20:
        text = value.strip()
        parsed = None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                parsed = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
    else:
        parsed = None
    if parsed is None or not 2000 <= parsed.year <= 2100:
        return None
    return parsed


def parse_status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 2:
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 10:
        return int(DossierStatus(value))
    return None


def _text(raw: Mapping[str, Any], name: str, row: int | str,
          errors: list[RowError]) -> str:
    value = raw.get(name)
    if _blank(value):
        return ""
    text = " ".join(str(value).split()) if name != "note" else str(value).strip()
    if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        errors.append(row_error(row, name, "bad_text"))
        return ""
    limit = MAX_CHARS.get(name)
    if limit is not None and len(text) > limit:
        errors.append(row_error(row, name, "too_long", limit=limit))
        return ""
    return text


def parse_record(row: int | str, raw: Mapping[str, Any], tz: dt.tzinfo,
                 rule: CodeRule = DEFAULT_RULE) -> Record:
    """Check one record. It has a dossier part when any dossier column besides ``code``
    is filled, and an event part when ``status`` is; every refused field is one error."""
    record = Record(row)
    errors = record.errors
    code = rule.clean(raw.get("code")) if not _blank(raw.get("code")) else None
    if code is None:
        errors.append(row_error(row, "code", "missing" if _blank(raw.get("code"))
                                else "bad_code", raw.get("code")))
    has_dossier = any(not _blank(raw.get(name)) for name in DOSSIER_FIELDS[1:])
    has_event = not _blank(raw.get("status")) or not _blank(raw.get("status_at"))
    if not has_dossier and not has_event:
        errors.append(row_error(row, "status", "missing"))
    dossier = _dossier_part(row, raw, code, tz, errors) if has_dossier else None
    event = _event_part(row, raw, code, tz, errors) if has_event else None
    if not errors:
        record.dossier, record.event = dossier, event
    return record


def _dossier_part(row, raw, code, tz, errors) -> DossierInput | None:
    before = len(errors)
    for name in REQUIRED_FOR_DOSSIER:
        if _blank(raw.get(name)):
            errors.append(row_error(row, name, "missing"))
    procedure = _text(raw, "procedure", row, errors)
    name = _text(raw, "applicant_name", row, errors)
    phone = _text(raw, "phone", row, errors)
    received = None
    if not _blank(raw.get("received_at")):
        received = parse_datetime(raw.get("received_at"), tz)
        if received is None:
            errors.append(row_error(row, "received_at", "bad_datetime", raw.get("received_at")))
    appointment = None
    if not _blank(raw.get("appointment_date")):
        appointment = parse_date(raw.get("appointment_date"))
        if appointment is None:
            errors.append(row_error(row, "appointment_date", "bad_date",
                                    raw.get("appointment_date")))
    if len(errors) > before or code is None or received is None:
        return None
    return DossierInput(row, code, procedure, name, phone, received, appointment)


def _event_part(row, raw, code, tz, errors) -> EventInput | None:
    before = len(errors)
    status = parse_status(raw.get("status"))
    if status is None:
        errors.append(row_error(row, "status", "missing" if _blank(raw.get("status"))
                                else "bad_status", raw.get("status")))
    at = None
    if _blank(raw.get("status_at")):
        errors.append(row_error(row, "status_at", "missing"))
    else:
        at = parse_datetime(raw.get("status_at"), tz)
        if at is None:
            errors.append(row_error(row, "status_at", "bad_datetime", raw.get("status_at")))
    note = _text(raw, "note", row, errors)
    new_date = None
    if not _blank(raw.get("new_appointment_date")):
        new_date = parse_date(raw.get("new_appointment_date"))
        if new_date is None:
            errors.append(row_error(row, "new_appointment_date", "bad_date",
                                    raw.get("new_appointment_date")))
    event_id = _text(raw, "event_id", row, errors)
    if len(errors) > before or code is None or status is None or at is None:
        return None
    return EventInput(row, code, event_id or derived_event_id(code, status, at, note),
                      status, at, note, new_date)


def split_records(records: Iterable[Record]) -> tuple[list[DossierInput], list[EventInput],
                                                      list[RowError]]:
    """The dossiers, events and row errors of ``records``, in row order."""
    dossiers: list[DossierInput] = []
    events: list[EventInput] = []
    errors: list[RowError] = []
    for record in records:
        if record.dossier is not None:
            dossiers.append(record.dossier)
        if record.event is not None:
            events.append(record.event)
        errors.extend(record.errors)
    return dossiers, events, errors
