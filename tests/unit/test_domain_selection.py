"""Which ticket call_next picks: priority (strict or interleaved), then oldest or counter order."""

from __future__ import annotations

import datetime as dt

from motcua.domain import Assignment, CounterSetup, PriorityMode, SelectionMode
from motcua.domain.selection import select_next

from tests.unit.domain_helpers import (
    MONDAY,
    QueueSite,
    default_counters,
    numbers,
    site_setup,
)


def calls(site: QueueSite, counter: int, times: int) -> list[str]:
    """The numbers ``counter`` calls with ``times`` consecutive call_next presses."""
    return numbers(site.call_next(counter) for _ in range(times))


def test_normal_tickets_are_called_first_in_first_out() -> None:
    """Given A001, A002, A003 waiting, When counter 1 calls next three times,
    Then it calls A001, A002, A003 in that order."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.open(1)

    assert calls(site, 1, 3) == ["A001", "A002", "A003"]


def test_strict_mode_calls_a_priority_ticket_before_older_normal_ones() -> None:
    """Given A001, A002 normal and A003 elderly (strict mode), When counter 1 calls next,
    Then A003 comes first, then A001, A002."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.issue("ho_tich", priority="elderly")
    site.open(1)

    assert calls(site, 1, 3) == ["A003", "A001", "A002"]


def test_priority_tickets_are_first_in_first_out_among_themselves() -> None:
    """Given A001 normal, A002 disabled, A003 pregnant, When counter 1 calls next,
    Then A002, A003 (priority by issue order), then A001."""
    site = QueueSite()
    site.issue("ho_tich")
    site.issue("ho_tich", priority="disabled")
    site.issue("ho_tich", priority="pregnant")
    site.open(1)

    assert calls(site, 1, 3) == ["A002", "A003", "A001"]


def test_interleaved_mode_takes_one_priority_after_every_n_normal() -> None:
    """Given interleave_every=2, A001..A004 normal then A005, A006 elderly,
    When counter 1 calls next six times,
    Then A001, A002, A005, A003, A004, A006."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=2))
    site.issue_many("ho_tich", 4)
    site.issue_many("ho_tich", 2, priority="elderly")
    site.open(1)

    assert calls(site, 1, 6) == ["A001", "A002", "A005", "A003", "A004", "A006"]


def test_interleaved_mode_takes_priority_when_no_normal_ticket_waits() -> None:
    """Given interleaved mode (every 3) and only A001 elderly waiting on a fresh counter,
    When counter 1 calls next, Then it calls A001 although no normal ticket was served."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=3))
    site.issue("ho_tich", priority="elderly")
    site.open(1)

    assert calls(site, 1, 1) == ["A001"]


def test_interleaved_mode_serves_normal_first_on_a_fresh_counter() -> None:
    """Given interleaved mode (every 3), A001 elderly then A002 normal,
    When counter 1 calls next twice, Then A002 then A001."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=3))
    site.issue("ho_tich", priority="elderly")
    site.issue("ho_tich")
    site.open(1)

    assert calls(site, 1, 2) == ["A002", "A001"]


def test_interleave_streak_is_counted_per_counter() -> None:
    """Given interleave_every=1 and counter 3 just served one normal ticket,
    When counter 1 (which served nobody) calls next with normal and priority waiting,
    Then counter 1 calls the normal one; counter 3 then calls the priority one."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=1))
    site.issue_many("ho_tich", 3)
    site.issue("ho_tich", priority="merit")
    site.open(1, 3)
    assert site.call_next(3).number == "A001"

    assert site.call_next(1).number == "A002"
    assert site.call_next(3).number == "A004"
    assert site.state.counters[1].normal_streak == 1
    assert site.state.counters[3].normal_streak == 0


def test_oldest_first_picks_across_the_counters_services() -> None:
    """Given B001 (dat_dai) at 08:00 and A001 (ho_tich) at 08:05, and counter 1 serving
    ho_tich then dat_dai in oldest-first mode, When it calls next twice, Then B001, A001."""
    site = QueueSite()
    site.issue("dat_dai")
    site.clock.advance(minutes=5)
    site.issue("ho_tich")
    site.open(1)

    assert calls(site, 1, 2) == ["B001", "A001"]


def test_counter_order_picks_the_first_service_of_the_counter() -> None:
    """Given B001 at 08:00, A001 at 08:05 and counter 1 serving ho_tich then dat_dai in
    counter-order mode, When it calls next twice, Then A001 (its first service), then B001."""
    site = QueueSite(site_setup(selection=SelectionMode.COUNTER_ORDER))
    site.issue("dat_dai")
    site.clock.advance(minutes=5)
    site.issue("ho_tich")
    site.open(1)

    assert calls(site, 1, 2) == ["A001", "B001"]


def test_counter_order_still_puts_priority_first() -> None:
    """Given counter-order mode, A001 normal and B001 elderly, When counter 1 calls next,
    Then B001 (priority beats the counter's service order), then A001."""
    site = QueueSite(site_setup(selection=SelectionMode.COUNTER_ORDER))
    site.issue("ho_tich")
    site.issue("dat_dai", priority="elderly")
    site.open(1)

    assert calls(site, 1, 2) == ["B001", "A001"]


def test_priority_class_is_oldest_first_across_services() -> None:
    """Given B001 elderly at 08:00 and A001 elderly at 08:01 (oldest-first), When counter 1
    calls next, Then B001."""
    site = QueueSite()
    site.issue("dat_dai", priority="elderly")
    site.clock.advance(minutes=1)
    site.issue("ho_tich", priority="elderly")
    site.open(1)

    assert calls(site, 1, 2) == ["B001", "A001"]


def test_counter_only_calls_its_own_services() -> None:
    """Given only A001 (ho_tich) waits, When counter 2 (dat_dai only) calls next,
    Then queue_empty and A001 still waits."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(2)

    error = site.refuse("call_next", 2)

    assert error.code == "queue_empty"
    assert site.ticket("A001").status.value == "waiting"


def test_services_chosen_at_open_replace_the_roster() -> None:
    """Given counter 2 is opened for ho_tich only, When B001 and A001 wait and it calls
    next, Then it calls A001 and reports only ho_tich as its services."""
    site = QueueSite()
    site.issue("dat_dai")
    site.issue("ho_tich")
    site.open(2, services=["ho_tich"])

    assert site.call_next(2).number == "A001"
    assert site.state.counter_services(2) == ("ho_tich",)


def test_dated_assignment_beats_the_default_roster_within_its_dates() -> None:
    """Given counter 2 normally serves dat_dai but is assigned ho_tich for Monday's week,
    When Monday and the next Monday are asked, Then ho_tich then dat_dai."""
    counters = default_counters()
    week = Assignment(("ho_tich",), MONDAY, MONDAY + dt.timedelta(days=6))
    counters[2] = CounterSetup(2, "Quầy 2", (Assignment(("dat_dai",)), week))
    site = QueueSite(site_setup(counters=counters))
    site.issue("ho_tich")
    site.open(2)

    assert site.call_next(2).number == "A001"
    assert counters[2].services_on(MONDAY + dt.timedelta(days=7)) == ("dat_dai",)


def test_select_next_returns_none_when_nobody_waits() -> None:
    """Given an open counter and an empty queue, When select_next is asked, Then None."""
    site = QueueSite()
    site.open(1)

    assert select_next(site.state, 1) is None


def test_select_next_does_not_change_the_state() -> None:
    """Given A001 waiting, When select_next is asked twice, Then A001 both times and it
    still waits."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1)

    first, second = select_next(site.state, 1), select_next(site.state, 1)

    assert first.number == second.number == "A001"
    assert site.ticket("A001").status.value == "waiting"
