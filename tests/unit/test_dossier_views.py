"""The public view: masked, labelled, lateness computed, apology shown only when late."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from motcua.dossiers.calendar import load_calendar
from motcua.dossiers.procedures import Procedure
from motcua.dossiers.views import public_view

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = load_calendar()
PROCEDURE = Procedure("1.000234", "Đăng ký kết hôn", "Hộ tịch", processing_days=3)


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=VN)


def row(status: int, new_date: dt.date | None = None) -> dict:
    return {"code": "000.00.12.H42-261120-0001", "procedure_code": "1.000234",
            "applicant_name": "Nguyễn Văn An", "applicant_phone": "0912345123",
            "received_at": at(20), "appointment_date": dt.date(2026, 11, 25),
            "new_appointment_date": new_date, "status": status}


def event(status: int, when: dt.datetime, note: str = "", new_date=None) -> dict:
    return {"status": status, "at": when, "note": note, "new_appointment_date": new_date}


def test_a_dossier_ready_for_return_is_returnable_with_the_return_service():
    """Given a dossier ready (9) on its due date, then status 9 labelled "Đã xử lý
    xong", stage ready, on time, returnable with the return service, masked applicant."""
    events = [event(2, at(20)), event(4, at(23)), event(9, at(25, 15))]
    view = public_view(row(9), events, PROCEDURE, CAL, at(26), "tra-kq", tz=VN)
    assert (view.status, view.label, view.stage) == (9, "Đã xử lý xong", "ready")
    assert (view.lateness, view.returnable, view.return_service) == ("on_time", True, "tra-kq")
    assert (view.applicant, view.phone) == ("Nguyễn V. A.", "09xx xxx 123")
    assert [step.label for step in view.timeline] == ["Được tiếp nhận", "Đang xử lý",
                                                      "Đã xử lý xong"]
    assert view.procedure.name == "Đăng ký kết hôn" and view.procedure.field == "Hộ tịch"


def test_a_late_dossier_shows_the_apology_and_the_new_date():
    """Given a dossier past its date with an apology event giving 2/12, then late, the
    apology note, the new date, and not returnable (no return service)."""
    new = dt.date(2026, 12, 2)
    events = [event(2, at(20)), event(4, at(23)),
              event(4, at(26), "Xin lỗi, cần xác minh thêm", new)]
    view = public_view(row(4, new), events, PROCEDURE, CAL, at(27), "tra-kq", tz=VN)
    assert (view.lateness, view.apology, view.new_appointment) == (
        "late", "Xin lỗi, cần xác minh thêm", new)
    assert (view.returnable, view.return_service) == (False, None)


def test_an_apology_is_not_shown_while_the_dossier_is_on_time():
    """Given the same apology event but a day before the due date, then on time and no
    apology text."""
    events = [event(2, at(20)), event(4, at(23), "Xin lỗi", dt.date(2026, 12, 2))]
    view = public_view(row(4, dt.date(2026, 12, 2)), events, PROCEDURE, CAL, at(24),
                       None, tz=VN)
    assert (view.lateness, view.apology) == ("on_time", None)


def test_a_procedure_gone_from_the_catalog_shows_its_code():
    """Given no procedure row, then the procedure's code stands for its name."""
    view = public_view(row(2), [event(2, at(20))], None, CAL, at(20), None, tz=VN)
    assert (view.procedure.code, view.procedure.name, view.procedure.field) == (
        "1.000234", "1.000234", "")
