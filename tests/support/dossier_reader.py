"""A dossier reader over a dict, for the hub's lookup surfaces without the dossier store.

The hub reads dossiers through the port :class:`motcua.dossiers.lookup.DossierReader`;
this is the test side of that seam (the store's ``StoreDossierReader`` is the real one).
Views are built here as the store would return them: masked names and phones, the
timeline oldest first, lateness computed by the caller of :func:`dossier_view`.
"""

from __future__ import annotations

import datetime as dt
import threading

from motcua.contract import DossierStep, DossierView, ProcedureRef
from motcua.dossiers.status import STAGES, DossierStatus

VN = dt.timezone(dt.timedelta(hours=7))
#: Procedure of the demo dossiers: Đăng ký kết hôn (national code 1.000894).
MARRIAGE = ProcedureRef(code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch")
#: The full name behind the masked "Nguyễn V. A." of every view (pages must never show it).
FULL_NAME = "Nguyễn Văn An"
MASKED_NAME = "Nguyễn V. A."
MASKED_PHONE = "09xx xxx 123"
READY_CODE = "000.00.12.H42-261120-0001"
IN_PROGRESS_CODE = "000.00.12.H42-261116-0002"
LATE_CODE = "000.00.12.H42-261102-0003"


def dossier_view(code: str, history: list[tuple[DossierStatus, dt.datetime]], *,
                 appointment: dt.date, lateness: str = "on_time",
                 new_appointment: dt.date | None = None, apology: str | None = None,
                 return_service: str | None = "tra-ket-qua") -> DossierView:
    """The public view of a dossier whose statuses were ``history`` (oldest first)."""
    last = history[-1][0]
    return DossierView(
        code=code, procedure=MARRIAGE, applicant=MASKED_NAME, phone=MASKED_PHONE,
        status=int(last), label=last.label, stage=STAGES[last],
        received_at=history[0][1], appointment=appointment, new_appointment=new_appointment,
        apology=apology, lateness=lateness, returnable=last is DossierStatus.READY,
        return_service=return_service,
        timeline=[DossierStep(status=int(s), label=s.label, stage=STAGES[s], at=at)
                  for s, at in history])


def demo_views() -> dict[str, DossierView]:
    """Three dossiers: one ready for return, one in progress, one late with an apology."""
    def at(day: int, hour: int = 9) -> dt.datetime:
        return dt.datetime(2026, 11, day, hour, 0, tzinfo=VN)

    ready = dossier_view(READY_CODE, [
        (DossierStatus.RECEIVED, at(20)), (DossierStatus.IN_PROGRESS, at(20, 14)),
        (DossierStatus.READY, at(23, 8))], appointment=dt.date(2026, 11, 25),
        lateness="early")
    in_progress = dossier_view(IN_PROGRESS_CODE, [
        (DossierStatus.RECEIVED, at(16)), (DossierStatus.IN_PROGRESS, at(17))],
        appointment=dt.date(2026, 11, 26))
    late = dossier_view(LATE_CODE, [
        (DossierStatus.RECEIVED, at(2)), (DossierStatus.IN_PROGRESS, at(3)),
        (DossierStatus.NEEDS_SUPPLEMENT, at(6)), (DossierStatus.IN_PROGRESS, at(9))],
        appointment=dt.date(2026, 11, 16), lateness="late",
        new_appointment=dt.date(2026, 11, 27),
        apology="Chờ ý kiến của Sở Tư pháp")
    return {view.code: view for view in (ready, in_progress, late)}


class MemoryDossierReader:
    """``view(code, now)`` from a dict of views; counts its reads (thread-safe)."""

    def __init__(self, views: dict[str, DossierView] | None = None) -> None:
        self.views = dict(demo_views() if views is None else views)
        self.reads: list[str] = []
        self._lock = threading.Lock()

    def view(self, code: str, now: dt.datetime) -> DossierView | None:
        with self._lock:
            self.reads.append(code)
        return self.views.get(code)
