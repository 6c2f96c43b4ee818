"""Sớm hạn / đúng hạn / quá hạn: computed from the appointment date, never stored.

The rules (DOMAIN.md section 3, as national reporting counts):

- lateness is measured against the **original** appointment date (ngày hẹn trả as first
  set); the new date of an apology (Mẫu 04) is shown to the citizen, it does not make a
  late dossier on time;
- the citizen's supplement time does not count: the working days from a "needs
  supplement" status (5) to the next status (or to today while still waiting) push the
  due date back by as many working days;
- a **second** supplement request makes the dossier late, whatever the dates;
- a finished dossier (ready 9, returned 10, or ended by 3, 7 or 8) compares the day it
  first reached that status with the due date: before → early, on it → on time, after →
  late;
- an unfinished dossier is late once today is past the due date, on time until then.

Days are local dates of the site's time zone. Stdlib only.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Sequence

from .calendar import WorkCalendar
from .status import DossierStatus

Lateness = Literal["early", "on_time", "late"]
#: Statuses that end the processing time: reached on or before the due date = in time.
FINISHED: frozenset[int] = frozenset({DossierStatus.READY, DossierStatus.RETURNED,
                                      DossierStatus.REFUSED, DossierStatus.WITHDRAWN,
                                      DossierStatus.STOPPED})
SUPPLEMENT = int(DossierStatus.NEEDS_SUPPLEMENT)


def supplement_days(history: Sequence[tuple[int, dt.date]], today: dt.date,
                    calendar: WorkCalendar) -> int:
    """Working days the dossier waited for the citizen's supplement (status 5 until the
    next status, or until ``today`` while it still waits). ``history`` is oldest first."""
    waited = 0
    for index, (status, day) in enumerate(history):
        if status != SUPPLEMENT:
            continue
        until = history[index + 1][1] if index + 1 < len(history) else today
        waited += max(0, calendar.working_days_between(day, until))
    return waited


def due_date(appointment: dt.date, history: Sequence[tuple[int, dt.date]], today: dt.date,
             calendar: WorkCalendar) -> dt.date:
    """The appointment date pushed back by the supplement time."""
    return calendar.shift_working_days(appointment, supplement_days(history, today, calendar))


def finished_on(history: Sequence[tuple[int, dt.date]]) -> dt.date | None:
    """The day the dossier first reached a finishing status, or None."""
    return next((day for status, day in history if status in FINISHED), None)


def lateness(appointment: dt.date, history: Sequence[tuple[int, dt.date]], today: dt.date,
             calendar: WorkCalendar) -> Lateness:
    """Early, on time or late as of ``today``; ``history`` is ``(status, local day)``
    oldest first, ``appointment`` the original ngày hẹn trả."""
    if sum(1 for status, _day in history if status == SUPPLEMENT) >= 2:
        return "late"
    ended = finished_on(history)
    due = due_date(appointment, history, ended or today, calendar)
    if ended is not None:
        if ended < due:
            return "early"
        return "on_time" if ended == due else "late"
    return "late" if today > due else "on_time"
