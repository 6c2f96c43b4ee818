"""Demo dossiers for ``make run`` and ``motcua dossier demo``: one in every stage a citizen
meets at the kiosk, dated relative to today so the timeline always looks current.

- ready for return (9): a return-of-results ticket may be taken for it;
- late with an apology (Mẫu 04) and a new appointment date;
- waiting for the citizen's supplement (5);
- in progress (4), not yet due.

Loading twice on one day changes nothing (same codes, same event ids); another day adds
four new dossiers. Dossiers reference procedures of the site's catalog; when the catalog
has fewer than four procedures, demo procedures are added.

:func:`load_demo_dossiers` writes them straight to the database: call it before the hub
starts (``make run`` does) or through the hub's writer
(:func:`motcua.store.dossier_store.submit_dossier_batch`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from .calendar import WorkCalendar
from .records import DossierInput, EventInput

#: The demo receiving unit (pattern of DOMAIN.md section 4; H99 is no real province).
DEMO_UNIT = "000.00.00.H99"
#: Procedures added when the catalog is (nearly) empty: (code, name, field, days).
FALLBACK_PROCEDURES = (
    ("DEMO.000001", "Đăng ký kết hôn", "Hộ tịch", 5),
    ("DEMO.000002", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 1),
    ("DEMO.000003", "Chứng thực bản sao từ bản chính", "Chứng thực", 2),
    ("DEMO.000004", "Đăng ký thường trú", "Cư trú", 7),
)
#: The applicants (fictitious).
APPLICANTS = (("Nguyễn Văn An", "0912345123"), ("Trần Thị Bình", "0987654321"),
              ("Lê Hoàng Cường", "0903111222"), ("Phạm Thu Dung", "0356789012"))


def _back(calendar: WorkCalendar, day: dt.date, days: int) -> dt.date:
    """``days`` working days before ``day``."""
    for _ in range(days):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    return day


def demo_batch(procedures: Sequence[tuple[str, int | None]], calendar: WorkCalendar,
               now: dt.datetime, tz: dt.tzinfo) -> tuple[list[DossierInput], list[EventInput]]:
    """The four demo dossiers and their events as of ``now`` (all events in the past).

    ``procedures`` are four ``(code, processing_days)`` of the catalog."""
    today = now.astimezone(tz).date()
    dossiers: list[DossierInput] = []
    events: list[EventInput] = []

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tz)

    def add(serial: int, received: dt.date, appointment: dt.date | None,
            steps: list[tuple[int, dt.date, int, str, dt.date | None]]) -> None:
        code = f"{DEMO_UNIT}-{received:%y%m%d}-{serial:04d}"
        name, phone = APPLICANTS[serial - 1]
        procedure = procedures[serial - 1][0]
        dossiers.append(DossierInput(f"demo{serial}", code, procedure, name, phone,
                                     at(received, 8, 30), appointment))
        for index, (status, day, hour, note, new_date) in enumerate(steps, start=1):
            events.append(EventInput(f"demo{serial}.{index}", code, f"demo-{code}-{index}",
                                     status, at(day, hour), note, new_date))

    yesterday = _back(calendar, today, 1)
    # 1. Ready for return: received 4 working days ago, done yesterday.
    received = _back(calendar, today, 4)
    add(1, received, None, [(2, received, 9, "", None), (4, _back(calendar, today, 3), 10, "", None),
                           (9, yesterday, 15, "Đã có kết quả, mời nhận tại quầy trả kết quả",
                            None)])
    # 2. Late with an apology: due 2 working days ago, a new date 3 working days ahead.
    received = _back(calendar, today, 8)
    due = _back(calendar, today, 2)
    new_date = calendar.shift_working_days(today, 3)
    add(2, received, due, [
        (2, received, 9, "", None), (4, _back(calendar, today, 7), 10, "", None),
        (4, _back(calendar, today, 1), 11,
         "Xin lỗi ông/bà: hồ sơ cần xác minh thêm tại cơ quan chuyên môn, "
         "hẹn lại ngày trả kết quả", new_date)])
    # 3. Waiting for a supplement since yesterday.
    received = _back(calendar, today, 2)
    add(3, received, None, [(2, received, 9, "", None),
                           (5, yesterday, 14, "Bổ sung bản sao giấy khai sinh có chứng thực",
                            None)])
    # 4. In progress, received yesterday.
    add(4, yesterday, None, [(2, yesterday, 9, "", None), (4, yesterday, 10, "", None)])
    return dossiers, events


def demo_procedure_rows(existing: Sequence[tuple[str, int | None]],
                        now: dt.datetime, site_id: str) -> tuple[list[tuple[str, int | None]],
                                                                  list[dict[str, Any]]]:
    """Four procedures for the demo: the catalog's own with a fixed time limit, topped up
    with :data:`FALLBACK_PROCEDURES` (returned as rows to insert)."""
    chosen = [(code, days) for code, days in existing if days is not None][:4]
    missing = []
    for code, name, field, days in FALLBACK_PROCEDURES:
        if len(chosen) >= 4:
            break
        if code in {c for c, _ in chosen}:
            continue
        if code in {c for c, _ in existing}:
            chosen.append((code, days))
            continue
        chosen.append((code, days))
        missing.append({"site_id": site_id, "code": code, "name": name, "field": field,
                        "documents": "[]", "processing_days": days, "processing_note": "",
                        "fee": "", "service": None, "active": True, "updated_at": now})
    return chosen, missing


def load_demo_dossiers(engine: Any, site_id: str, now: dt.datetime,
                       calendar: WorkCalendar | None = None) -> list[str]:
    """Store the demo dossiers of :func:`demo_batch` for ``site_id`` and return their
    codes (ready, late, supplement, in progress). ``calendar`` defaults to the shipped one.

    Raises:
        RuntimeError: a demo row was refused (a bug, or a catalog that changed a demo
            procedure's time limit to none).
    """
    import sqlalchemy as sa

    from motcua.store.database import write_transaction
    from motcua.store.dossier_store import apply_dossier_batch, site_timezone
    from motcua.store.schema import procedure

    from .calendar import load_calendar

    calendar = calendar or load_calendar()
    tz = site_timezone(engine, site_id)
    with write_transaction(engine) as conn:
        existing = [(row.code, row.processing_days) for row in conn.execute(
            sa.select(procedure.c.code, procedure.c.processing_days)
            .where(procedure.c.site_id == site_id, procedure.c.active.is_(True))
            .order_by(procedure.c.code))]
        chosen, missing = demo_procedure_rows(existing, now, site_id)
        if missing:
            conn.execute(procedure.insert(), missing)
    dossiers, events = demo_batch(chosen, calendar, now, tz)
    report = apply_dossier_batch(engine, site_id, dossiers, events, calendar, now, tz=tz,
                                 source="demo")
    if report.errors:
        raise RuntimeError("demo dossiers refused: "
                           + "; ".join(e.message_en for e in report.errors[:3]))
    return [item.code for item in dossiers]
