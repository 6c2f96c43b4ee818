"""The end of the day: expiry after the last session (tick) and the rollover at midnight."""

from __future__ import annotations

import datetime as dt

from motcua.domain import CounterStatus, TicketStatus

from tests.unit.domain_helpers import MONDAY, QueueSite, kinds, vietnam_time

TUESDAY = MONDAY + dt.timedelta(days=1)
SATURDAY = MONDAY + dt.timedelta(days=5)


def busy_monday() -> QueueSite:
    """Monday 16:00: A001 done, A002 held, A003 serving at counter 1, A004 and B001 waiting;
    counter 1 open, counter 2 paused, counter 3 closed."""
    site = QueueSite(start=vietnam_time(MONDAY, 16, 0))
    site.issue_many("ho_tich", 4)
    site.issue("dat_dai")
    site.open(1, 2)
    site.call_next(1)
    site.do("finish", 1)
    site.call_next(1)
    site.do("hold", 1)
    site.call_next(1)
    site.do("start", 1)
    site.do("pause", 2)
    assert [site.ticket(n).status.value for n in ("A001", "A002", "A003", "A004", "B001")] == [
        "done", "held", "serving", "waiting", "waiting",
    ]
    return site


def test_tick_before_the_last_session_ends_changes_nothing() -> None:
    """Given the busy Monday, When tick at 16:59:59 (the last session ends at 17:00),
    Then no events and A004 still waits."""
    site = busy_monday()
    site.clock.set(vietnam_time(MONDAY, 16, 59, 59))

    decision = site.do("tick")

    assert kinds(decision) == []
    assert site.ticket("A004").status is TicketStatus.WAITING


def test_tick_at_lunch_does_not_expire_the_morning_queue() -> None:
    """Given A001 waiting since 09:00, When tick at 12:00 (after the morning session),
    Then nothing expires: the afternoon session is still to come."""
    site = QueueSite(start=vietnam_time(MONDAY, 9, 0))
    site.issue("ho_tich")

    decision = site.do("tick", at=vietnam_time(MONDAY, 12, 0))

    assert kinds(decision) == []


def test_tick_after_the_last_session_expires_what_no_counter_serves_any_more() -> None:
    """Given the busy Monday after 17:00 and counters 1 and 2 closed (A003 finished),
    When tick at 17:05, Then ticket_expired (serve_end) for A002 (held), A004 and B001
    (waiting) in issue order."""
    site = busy_monday()
    site.clock.set(vietnam_time(MONDAY, 17, 1))
    site.do("close", 1)
    site.do("close", 2)

    decision = site.do("tick", at=vietnam_time(MONDAY, 17, 5))

    assert kinds(decision) == ["ticket_expired"] * 3
    expired = [site.state.tickets[e.ticket_id].number for e in decision.events]
    assert expired == ["A002", "A004", "B001"]
    assert {e.data["reason"] for e in decision.events} == {"serve_end"}
    assert site.ticket("A003").status is TicketStatus.DONE
    assert site.ticket("A004").finished_at == vietnam_time(MONDAY, 17, 5)


def test_a_second_tick_expires_nothing_more() -> None:
    """Given Monday's leftovers expired at 17:00, When tick again at 17:30, Then no events."""
    site = busy_monday()
    site.do("close", 1, at=vietnam_time(MONDAY, 16, 59))
    site.do("close", 2, at=vietnam_time(MONDAY, 16, 59))
    assert len(site.do("tick", at=vietnam_time(MONDAY, 17, 0)).events) == 3

    assert kinds(site.do("tick", at=vietnam_time(MONDAY, 17, 30))) == []


def test_tick_on_a_day_without_sessions_expires_nothing() -> None:
    """Given a Saturday (no issuing session that day) with a walk-in served at counter 1,
    When tick at 18:00, Then no events."""
    site = QueueSite(start=vietnam_time(SATURDAY, 9, 0))
    site.open(1)
    site.do("walk_in", 1, service="ho_tich")

    assert kinds(site.do("tick", at=vietnam_time(SATURDAY, 18, 0))) == []


def test_day_rollover_expires_leftovers_and_closes_counters() -> None:
    """Given the busy Monday, When the first command of Tuesday (an issue at 08:00) runs,
    Then A002, A003, A004, B001 expire (day_end), counters 1 and 2 close, day_started
    comes next and the new ticket is A001 of Tuesday."""
    site = busy_monday()
    site.clock.set(vietnam_time(TUESDAY, 8, 0))

    decision = site.do("issue", service="ho_tich")

    assert kinds(decision) == [
        "ticket_expired", "ticket_expired", "ticket_expired", "ticket_expired",
        "counter_closed", "counter_closed", "day_started", "ticket_issued",
    ]
    assert [e.ticket_id for e in decision.events[:4]] == ["t0002", "t0003", "t0004", "t0005"]
    assert {e.data["reason"] for e in decision.events[:6]} == {"day_end"}
    assert [e.counter for e in decision.events[4:6]] == [1, 2]
    assert decision.events[6].data == {"business_day": "2025-03-04"}


def test_after_rollover_only_the_new_day_remains() -> None:
    """Given the busy Monday rolled into Tuesday by an issue, Then the state holds only
    Tuesday's A001, every counter is closed and idle, and Monday's numbers and service
    times are forgotten."""
    site = busy_monday()
    site.clock.set(vietnam_time(TUESDAY, 8, 0))

    site.do("issue", service="ho_tich")

    state = site.state
    assert [t.number for t in state.tickets.values()] == ["A001"]
    assert state.business_day == TUESDAY
    assert {n: c.status for n, c in state.counters.items()} == {
        1: CounterStatus.CLOSED, 2: CounterStatus.CLOSED, 3: CounterStatus.CLOSED,
    }
    assert [c.current for c in state.counters.values()] == [None, None, None]
    assert state.last_numbers == {"A": 1}
    assert state.service_durations == {}


def test_rollover_by_tick_just_after_midnight() -> None:
    """Given the busy Monday, When tick at Tuesday 00:00:01, Then the day rolls over and
    no ticket is left."""
    site = busy_monday()

    decision = site.do("tick", at=vietnam_time(TUESDAY, 0, 0, 1))

    assert kinds(decision)[-1] == "day_started"
    assert site.state.tickets == {}


def test_rollover_then_refused_command_changes_nothing() -> None:
    """Given the busy Monday, When Tuesday's first command is refused (call_next at a
    counter that the rollover closes), Then counter_closed and Monday's state stays
    as it was: the rollover is part of the refused decision."""
    site = busy_monday()

    error = site.refuse("call_next", 1, at=vietnam_time(TUESDAY, 8, 0))

    assert error.code == "counter_closed"
    assert site.state.business_day == MONDAY
    assert site.ticket("A003").status is TicketStatus.SERVING
