"""Transfers: the same ticket goes to another service's queue or is reserved for a counter."""

from __future__ import annotations

from motcua.domain import PriorityMode, TicketStatus

from tests.unit.domain_helpers import MONDAY, QueueSite, kinds, site_setup, vietnam_time


def site_with_a001_at_counter_1() -> QueueSite:
    """A001 (ho_tich, issued 08:00) serving at counter 1; counters 1, 2, 3 open."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1, 2, 3)
    site.call_next(1)
    site.do("start", 1)
    return site


def test_transfer_to_service_keeps_id_number_and_issue_time() -> None:
    """Given A001 serving at counter 1, When transferred to dat_dai at 08:20,
    Then one ticket_transferred event (ho_tich -> dat_dai), and the same ticket A001
    waits in dat_dai with its 08:00 issue time, no counter and no call times."""
    site = site_with_a001_at_counter_1()
    site.clock.set(vietnam_time(MONDAY, 8, 20))

    decision = site.do("transfer", 1, to_service="dat_dai")

    assert kinds(decision) == ["ticket_transferred"]
    assert decision.events[0].data == {
        "from_service": "ho_tich", "to_service": "dat_dai", "to_counter": None,
    }
    ticket = site.state.tickets["t0001"]
    assert (ticket.number, ticket.service, ticket.status) == (
        "A001", "dat_dai", TicketStatus.WAITING,
    )
    assert ticket.issued_at == vietnam_time(MONDAY, 8, 0)
    assert (ticket.counter, ticket.called_at, ticket.started_at) == (None, None, None)
    assert site.state.counters[1].current is None
    assert len(site.state.tickets) == 1


def test_transferred_ticket_is_ordered_by_its_original_issue_time() -> None:
    """Given A001 (issued 08:00) transferred to dat_dai at 08:20 while B001 (08:05) waits
    and B002 (08:30) comes later, When counter 2 calls next three times,
    Then A001, B001, B002."""
    site = site_with_a001_at_counter_1()
    site.clock.set(vietnam_time(MONDAY, 8, 5))
    site.issue("dat_dai")
    site.clock.set(vietnam_time(MONDAY, 8, 20))
    site.do("transfer", 1, to_service="dat_dai")
    site.clock.set(vietnam_time(MONDAY, 8, 30))
    site.issue("dat_dai")

    called = [site.call_next(2).number for _ in range(3)]

    assert called == ["A001", "B001", "B002"]


def test_transfer_resets_recalls() -> None:
    """Given A001 called and recalled twice, When transferred to dat_dai, Then recalls is 0."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1)
    site.call_next(1)
    site.do("recall", 1)
    site.do("recall", 1)

    site.do("transfer", 1, to_service="dat_dai")

    assert site.ticket("A001").recalls == 0


def test_transfer_to_counter_reserves_the_ticket_for_that_counter_only() -> None:
    """Given A001 (ho_tich) transferred from counter 1 to counter 2 (which serves dat_dai
    only), When counter 3 (serves ho_tich) calls next, Then queue_empty; When counter 2
    calls next, Then it gets A001."""
    site = site_with_a001_at_counter_1()

    site.do("transfer", 1, to_counter=2)

    ticket = site.ticket("A001")
    assert (ticket.status, ticket.service, ticket.reserved_counter) == (
        TicketStatus.WAITING, "ho_tich", 2,
    )
    assert site.refuse("call_next", 3).code == "queue_empty"
    assert site.refuse("call_next", 1).code == "queue_empty"
    assert site.call_next(2).number == "A001"
    assert site.ticket("A001").reserved_counter is None


def test_reserved_ticket_comes_before_priority_tickets_at_its_counter() -> None:
    """Given C001 elderly and A002 waiting at counter 3 (strict priority), When A001 is
    transferred from counter 1 to counter 3 and counter 3 calls next,
    Then A001 comes first, then C001."""
    site = site_with_a001_at_counter_1()
    site.issue("chung_thuc", priority="elderly")
    site.issue("ho_tich")

    site.do("transfer", 1, to_counter=3)

    assert [site.call_next(3).number for _ in range(2)] == ["A001", "C001"]


def test_reserved_ticket_comes_first_in_interleaved_mode_too() -> None:
    """Given interleaved mode, A001 elderly and A003 normal waiting, When A002 is
    transferred from counter 1 to a fresh counter 3 and counter 3 calls next,
    Then A002 (reserved) comes before both."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED))
    site.issue("ho_tich", priority="elderly")
    site.issue_many("ho_tich", 2)
    site.open(1, 3)
    assert site.call_next(1).number == "A002"  # a fresh interleaved counter: normal first

    site.do("transfer", 1, to_counter=3)

    assert site.call_next(3).number == "A002"


def test_closing_the_target_counter_returns_the_ticket_to_its_service_queue() -> None:
    """Given A001 reserved for counter 2, When counter 2 closes,
    Then ticket_unreserved then counter_closed, and counter 3 (ho_tich) can call A001."""
    site = site_with_a001_at_counter_1()
    site.do("transfer", 1, to_counter=2)

    decision = site.do("close", 2)

    assert kinds(decision) == ["ticket_unreserved", "counter_closed"]
    assert decision.events[0].ticket_id == "t0001"
    assert site.ticket("A001").reserved_counter is None
    assert site.call_next(3).number == "A001"


def test_pausing_the_target_counter_keeps_the_reservation() -> None:
    """Given A001 reserved for counter 2, When counter 2 pauses and resumes,
    Then it is still reserved and counter 2 gets it."""
    site = site_with_a001_at_counter_1()
    site.do("transfer", 1, to_counter=2)

    site.do("pause", 2)
    site.do("resume", 2)

    assert site.ticket("A001").reserved_counter == 2
    assert site.call_next(2).number == "A001"


def test_transfer_to_a_closed_counter_is_refused() -> None:
    """Given counter 2 is closed, When A001 is transferred to counter 2,
    Then counter_closed naming counter 2 (else nobody could call it until someone opens 2)."""
    site = site_with_a001_at_counter_1()
    site.do("close", 2)

    error = site.refuse("transfer", 1, to_counter=2)

    assert (error.code, error.params) == ("counter_closed", {"counter": 2})


def test_transfer_to_an_unknown_service_is_refused() -> None:
    """Given A001 at counter 1, When transferred to service "visa", Then unknown_service."""
    site = site_with_a001_at_counter_1()

    error = site.refuse("transfer", 1, to_service="visa")

    assert (error.code, error.params) == ("unknown_service", {"service": "visa"})


def test_transfer_to_an_unknown_counter_is_refused() -> None:
    """Given A001 at counter 1, When transferred to counter 9, Then unknown_counter 9."""
    site = site_with_a001_at_counter_1()

    error = site.refuse("transfer", 1, to_counter=9)

    assert (error.code, error.params) == ("unknown_counter", {"counter": 9})


def test_transfer_to_the_same_counter_is_refused() -> None:
    """Given A001 at counter 1, When transferred to counter 1, Then same_counter."""
    site = site_with_a001_at_counter_1()

    assert site.refuse("transfer", 1, to_counter=1).code == "same_counter"


def test_transfer_with_both_targets_is_refused() -> None:
    """Given A001 at counter 1, When transferred to a service and a counter at once,
    Then invalid_argument on to_service|to_counter."""
    site = site_with_a001_at_counter_1()

    error = site.refuse("transfer", 1, to_service="dat_dai", to_counter=2)

    assert (error.code, error.params) == ("invalid_argument", {"field": "to_service|to_counter"})


def test_transfer_without_a_target_is_refused() -> None:
    """Given A001 at counter 1, When transfer names no target, Then invalid_argument."""
    site = site_with_a001_at_counter_1()

    error = site.refuse("transfer", 1)

    assert (error.code, error.params) == ("invalid_argument", {"field": "to_service|to_counter"})


def test_transfer_with_nobody_at_the_counter_is_no_active_ticket() -> None:
    """Given counter 2 idle, When it transfers to dat_dai, Then no_active_ticket."""
    site = site_with_a001_at_counter_1()

    assert site.refuse("transfer", 2, to_service="dat_dai").code == "no_active_ticket"
