"""Sớm hạn / đúng hạn / quá hạn from the original appointment date and supplement time."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers.calendar import load_calendar
from motcua.dossiers.lateness import due_date, lateness, supplement_days

CAL = load_calendar()
D = dt.date
DUE = D(2026, 12, 2)  # a Wednesday, no holiday near


def test_unfinished_and_not_yet_due_is_on_time_then_late_the_day_after():
    """Given a dossier in progress due Wednesday 2/12/2026, then it is on time on the
    due date and late on Thursday."""
    history = [(2, D(2026, 11, 27)), (4, D(2026, 11, 30))]
    assert lateness(DUE, history, D(2026, 12, 2), CAL) == "on_time"
    assert lateness(DUE, history, D(2026, 12, 3), CAL) == "late"


def test_finished_compares_the_day_it_reached_ready_with_the_due_date():
    """Given ready (9) on Tuesday, Wednesday or Thursday for a Wednesday due date, then
    early, on time, late; returning (10) later does not change it."""
    base = [(2, D(2026, 11, 27)), (4, D(2026, 11, 30))]
    assert lateness(DUE, base + [(9, D(2026, 12, 1))], D(2026, 12, 20), CAL) == "early"
    assert lateness(DUE, base + [(9, D(2026, 12, 2)), (10, D(2026, 12, 9))],
                    D(2026, 12, 20), CAL) == "on_time"
    assert lateness(DUE, base + [(9, D(2026, 12, 3))], D(2026, 12, 3), CAL) == "late"


def test_supplement_time_pushes_the_due_date_back():
    """Given a supplement request on Monday 30/11 answered on Wednesday 2/12 (2 working
    days), then the due date moves from Wednesday 2/12 to Friday 4/12, and a dossier ready
    on Friday 4/12 is on time."""
    history = [(2, D(2026, 11, 27)), (5, D(2026, 11, 30)), (4, D(2026, 12, 2)),
               (9, D(2026, 12, 4))]
    assert supplement_days(history, D(2026, 12, 4), CAL) == 2
    assert due_date(DUE, history, D(2026, 12, 4), CAL) == D(2026, 12, 4)
    assert lateness(DUE, history, D(2026, 12, 4), CAL) == "on_time"


def test_while_waiting_for_the_supplement_it_never_becomes_late():
    """Given a dossier waiting at status 5 since Monday 30/11, then on Friday 11/12 (past
    the original due date) it is still on time: the wait does not count."""
    history = [(2, D(2026, 11, 27)), (5, D(2026, 11, 30))]
    assert lateness(DUE, history, D(2026, 12, 11), CAL) == "on_time"


def test_a_second_supplement_request_makes_it_late():
    """Given two supplement requests, then late, even when finished early."""
    history = [(2, D(2026, 11, 27)), (5, D(2026, 11, 27)), (4, D(2026, 11, 30)),
               (5, D(2026, 11, 30)), (4, D(2026, 11, 30)), (9, D(2026, 11, 30))]
    assert lateness(DUE, history, D(2026, 11, 30), CAL) == "late"


def test_an_apology_date_does_not_make_a_late_dossier_on_time():
    """Given a dossier still in progress after its original due date (an apology gave a
    new date, which the history does not carry), then it is late."""
    history = [(2, D(2026, 11, 20)), (4, D(2026, 11, 23)), (4, D(2026, 12, 1))]
    assert lateness(DUE, history, D(2026, 12, 7), CAL) == "late"
