"""Calling citizens: call_next, call, recall, start, finish, no_show and hold."""

from __future__ import annotations

from motcua.domain import TicketStatus

from tests.unit.domain_helpers import MONDAY, QueueSite, kinds, numbers, site_setup, vietnam_time


def serving_site(waiting: int = 3) -> QueueSite:
    """Counter 1 open with A001..A00n waiting (n = ``waiting``)."""
    site = QueueSite()
    site.issue_many("ho_tich", waiting)
    site.open(1)
    return site


# --- call_next -------------------------------------------------------------------------


def test_call_next_calls_the_ticket_at_the_counter() -> None:
    """Given A001 waiting and counter 1 open by clerk Lan, When call_next at 08:10,
    Then one ticket_called event at counter 1 by Lan, and A001 is called there."""
    site = serving_site(1)
    site.clock.set(vietnam_time(MONDAY, 8, 10))

    decision = site.do("call_next", 1)

    assert kinds(decision) == ["ticket_called"]
    event = decision.events[0]
    assert (event.ticket_id, event.counter, event.clerk) == ("t0001", 1, "Lan")
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.counter, ticket.called_at) == (
        TicketStatus.CALLED, 1, vietnam_time(MONDAY, 8, 10),
    )
    assert site.state.counters[1].current == "t0001"


def test_call_next_on_an_empty_queue_is_queue_empty() -> None:
    """Given counter 1 open and nobody waiting, When call_next, Then queue_empty."""
    site = serving_site(0)

    error = site.refuse("call_next", 1)

    assert error.code == "queue_empty"
    assert "Không còn công dân chờ" in error.message_vi


def test_call_next_at_a_closed_counter_is_counter_closed() -> None:
    """Given A001 waiting and counter 1 never opened, When call_next at 1, Then counter_closed."""
    site = QueueSite()
    site.issue("ho_tich")

    error = site.refuse("call_next", 1)

    assert (error.code, error.params) == ("counter_closed", {"counter": 1})


def test_call_next_at_a_paused_counter_is_counter_paused() -> None:
    """Given counter 1 paused with A001 waiting, When call_next at 1, Then counter_paused."""
    site = serving_site(1)
    site.do("pause", 1)

    error = site.refuse("call_next", 1)

    assert (error.code, error.params) == ("counter_paused", {"counter": 1})


def test_call_next_at_an_unknown_counter_is_unknown_counter() -> None:
    """Given counters 1-3, When call_next at counter 9, Then unknown_counter 9."""
    site = serving_site(1)

    error = site.refuse("call_next", 9)

    assert (error.code, error.params) == ("unknown_counter", {"counter": 9})


def test_call_next_while_serving_finishes_the_current_ticket_first() -> None:
    """Given A001 serving at counter 1 since 08:00 and A002 waiting, When call_next at 08:07,
    Then ticket_finished (A001) then ticket_called (A002); A001 is done after 420 s."""
    site = serving_site(2)
    site.call_next(1)
    site.do("start", 1)
    site.clock.advance(minutes=7)

    decision = site.do("call_next", 1)

    assert kinds(decision) == ["ticket_finished", "ticket_called"]
    assert [e.ticket_id for e in decision.events] == ["t0001", "t0002"]
    assert decision.events[0].data["reason"] == "call_next"
    assert site.ticket("A001").status is TicketStatus.DONE
    assert site.state.service_durations == {"ho_tich": [420.0]}
    assert site.state.counters[1].current == "t0002"


def test_call_next_on_an_empty_queue_leaves_the_current_ticket_alone() -> None:
    """Given A001 serving and nobody waiting, When call_next, Then queue_empty and A001
    is still serving at counter 1."""
    site = serving_site(1)
    site.call_next(1)
    site.do("start", 1)

    assert site.refuse("call_next", 1).code == "queue_empty"
    assert site.ticket("A001").status is TicketStatus.SERVING


def test_call_next_without_finish_on_call_next_refuses_while_serving() -> None:
    """Given finish_on_call_next is off and A001 is serving, When call_next,
    Then ticket_in_progress naming the counter and A001 (the clerk must finish first) and
    A001 keeps its place at the counter."""
    site = QueueSite(site_setup(finish_on_call_next=False))
    site.issue_many("ho_tich", 2)
    site.open(1)
    site.call_next(1)

    error = site.refuse("call_next", 1)

    assert error.code == "ticket_in_progress"
    assert error.message_vi == (
        "Quầy số 1 còn đang phục vụ số A001: hãy kết thúc số này trước")
    assert site.ticket("A001").status is TicketStatus.CALLED


# --- call (a specific ticket) ----------------------------------------------------------


def test_call_specific_ticket_out_of_order() -> None:
    """Given A001, A002, A003 waiting, When counter 1 calls "A003", Then A003 is called
    and the next call_next still takes A001."""
    site = serving_site(3)

    decision = site.do("call", 1, ticket="A003")

    assert kinds(decision) == ["ticket_called"]
    assert site.ticket("A003").status is TicketStatus.CALLED
    assert site.call_next(1).number == "A001"


def test_call_accepts_a_loosely_typed_number() -> None:
    """Given A003 waiting, When counter 1 calls "a3", Then A003 is called."""
    site = serving_site(3)

    decision = site.do("call", 1, ticket="a3")

    assert site.state.tickets[decision.ticket_id].number == "A003"


def test_call_of_an_unknown_ticket_is_unknown_ticket() -> None:
    """Given A001..A003, When counter 1 calls "A042", Then unknown_ticket A042."""
    site = serving_site(3)

    error = site.refuse("call", 1, ticket="A042")

    assert (error.code, error.params) == ("unknown_ticket", {"ticket": "A042"})


def test_call_of_a_done_ticket_is_not_callable() -> None:
    """Given A001 finished, When counter 1 calls "A001" again, Then ticket_not_callable (done)."""
    site = serving_site(2)
    site.call_next(1)
    site.do("finish", 1)

    error = site.refuse("call", 1, ticket="A001")

    assert (error.code, error.params) == (
        "ticket_not_callable", {"ticket": "A001", "status": "done"},
    )


def test_a_ticket_called_elsewhere_cannot_be_called_again() -> None:
    """Given A001 called at counter 1, When counter 3 calls "A001",
    Then ticket_not_callable (called) and counter 1 keeps it."""
    site = serving_site(1)
    site.open(3)
    site.call_next(1)

    error = site.refuse("call", 3, ticket="A001")

    assert (error.code, error.params["status"]) == ("ticket_not_callable", "called")
    assert site.state.counters[1].current == "t0001"
    assert site.state.counters[3].current is None


def test_call_brings_back_a_no_show_of_the_same_day() -> None:
    """Given A001 was a no-show, When counter 1 calls "A001", Then it is called again there."""
    site = serving_site(2)
    site.call_next(1)
    site.do("no_show", 1)

    site.do("call", 1, ticket="A001")

    ticket = site.ticket("A001")
    assert (ticket.status, ticket.counter) == (TicketStatus.CALLED, 1)


def test_call_while_serving_finishes_the_current_ticket_first() -> None:
    """Given A001 serving, When counter 1 calls "A003", Then ticket_finished then ticket_called."""
    site = serving_site(3)
    site.call_next(1)
    site.do("start", 1)

    decision = site.do("call", 1, ticket="A003")

    assert kinds(decision) == ["ticket_finished", "ticket_called"]
    assert site.ticket("A001").status is TicketStatus.DONE


# --- recall ----------------------------------------------------------------------------


def test_recall_keeps_the_ticket_and_counts() -> None:
    """Given A001 called, When recalled twice, Then two ticket_recalled events (1 then 2)
    and A001 is still called at counter 1."""
    site = serving_site(1)
    site.call_next(1)

    first, second = site.do("recall", 1), site.do("recall", 1)

    assert kinds(first) == kinds(second) == ["ticket_recalled"]
    assert (first.events[0].data["recall"], second.events[0].data["recall"]) == (1, 2)
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.recalls, ticket.counter) == (TicketStatus.CALLED, 2, 1)


def test_recall_after_max_recalls_makes_a_no_show() -> None:
    """Given max_recalls=3 and A001 recalled three times, When recalled once more,
    Then ticket_no_show (recall_limit) and counter 1 is free."""
    site = serving_site(1)
    site.call_next(1)
    for _ in range(3):
        site.do("recall", 1)

    decision = site.do("recall", 1)

    assert kinds(decision) == ["ticket_no_show"]
    assert decision.events[0].data["reason"] == "recall_limit"
    assert site.ticket("A001").status is TicketStatus.NO_SHOW
    assert site.state.counters[1].current is None


def test_recall_limit_is_configurable() -> None:
    """Given max_recalls=1, When A001 is recalled twice, Then recalled, then no_show."""
    site = QueueSite(site_setup(max_recalls=1))
    site.issue("ho_tich")
    site.open(1)
    site.call_next(1)

    assert kinds(site.do("recall", 1)) == ["ticket_recalled"]
    assert kinds(site.do("recall", 1)) == ["ticket_no_show"]


def test_recall_of_a_serving_ticket_is_refused() -> None:
    """Given A001 serving, When recalled, Then ticket_not_called."""
    site = serving_site(1)
    site.call_next(1)
    site.do("start", 1)

    assert site.refuse("recall", 1).code == "ticket_not_called"


def test_recall_with_nobody_at_the_counter_is_no_active_ticket() -> None:
    """Given counter 1 open with no current ticket, When recall, Then no_active_ticket."""
    site = serving_site(1)

    error = site.refuse("recall", 1)

    assert (error.code, error.params) == ("no_active_ticket", {"counter": 1})


# --- start, finish, no_show ------------------------------------------------------------


def test_start_makes_the_called_ticket_serving() -> None:
    """Given A001 called at 08:00, When start at 08:02, Then serving with started_at 08:02."""
    site = serving_site(1)
    site.call_next(1)
    site.clock.advance(minutes=2)

    decision = site.do("start", 1)

    assert kinds(decision) == ["ticket_started"]
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.started_at) == (TicketStatus.SERVING, vietnam_time(MONDAY, 8, 2))


def test_start_twice_is_refused() -> None:
    """Given A001 serving, When start again, Then ticket_not_called."""
    site = serving_site(1)
    site.call_next(1)
    site.do("start", 1)

    assert site.refuse("start", 1).code == "ticket_not_called"


def test_finish_marks_done_frees_the_counter_and_records_the_duration() -> None:
    """Given A001 started at 08:00, When finished at 08:12,
    Then done, counter 1 free with A001 as last served, and 720 s recorded for ho_tich."""
    site = serving_site(1)
    site.call_next(1)
    site.do("start", 1)
    site.clock.advance(minutes=12)

    decision = site.do("finish", 1)

    assert kinds(decision) == ["ticket_finished"]
    assert decision.events[0].data["reason"] == "finish"
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.finished_at) == (TicketStatus.DONE, vietnam_time(MONDAY, 8, 12))
    counter = site.state.counters[1]
    assert (counter.current, counter.last_served) == (None, "t0001")
    assert site.state.service_durations == {"ho_tich": [720.0]}


def test_finish_with_nobody_at_the_counter_is_no_active_ticket() -> None:
    """Given counter 1 open and idle, When finish, Then no_active_ticket."""
    site = serving_site(1)

    assert site.refuse("finish", 1).code == "no_active_ticket"


def test_no_show_of_a_called_ticket() -> None:
    """Given A001 called, When no_show, Then ticket_no_show (clerk) and the counter is free."""
    site = serving_site(1)
    site.call_next(1)

    decision = site.do("no_show", 1)

    assert kinds(decision) == ["ticket_no_show"]
    assert decision.events[0].data["reason"] == "clerk"
    assert site.ticket("A001").status is TicketStatus.NO_SHOW
    assert site.state.counters[1].current is None


def test_no_show_of_a_serving_ticket_is_refused() -> None:
    """Given A001 serving (the citizen is there), When no_show, Then ticket_not_called."""
    site = serving_site(1)
    site.call_next(1)
    site.do("start", 1)

    error = site.refuse("no_show", 1)

    assert (error.code, error.params) == ("ticket_not_called", {"ticket": "A001"})


def test_no_show_with_nobody_at_the_counter_is_no_active_ticket() -> None:
    """Given counter 1 idle, When no_show, Then no_active_ticket."""
    site = serving_site(1)

    assert site.refuse("no_show", 1).code == "no_active_ticket"


# --- hold ------------------------------------------------------------------------------


def test_hold_sets_the_ticket_aside_and_frees_the_counter() -> None:
    """Given A001 serving, When hold, Then ticket_held with hold_calls 3, A001 is held with
    no counter, and counter 1 is free."""
    site = serving_site(2)
    site.call_next(1)
    site.do("start", 1)

    decision = site.do("hold", 1)

    assert kinds(decision) == ["ticket_held"]
    assert decision.events[0].data == {"hold_calls": 3}
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.counter, ticket.hold_remaining) == (TicketStatus.HELD, None, 3)
    assert site.state.counters[1].current is None


def test_held_ticket_alone_in_its_service_is_called_back_by_call_next() -> None:
    """Given the only ticket A001 is held (nobody else waits), When call_next,
    Then A001 is called back at once instead of queue_empty."""
    site = serving_site(1)
    site.call_next(1)
    site.do("hold", 1)

    decision = site.do("call_next", 1)

    assert kinds(decision) == ["ticket_called"]
    assert decision.ticket_id == site.ticket("A001").id
    assert site.ticket("A001").status is TicketStatus.CALLED


def test_held_ticket_comes_back_at_the_front_after_hold_calls_calls() -> None:
    """Given A006 was called out of order and held (hold_calls=3), A001..A005 waiting,
    When counter 1 calls next three times, Then the third call's events end with
    ticket_released for A006, and the fourth call takes A006 before the older A004."""
    site = serving_site(6)
    site.do("call", 1, ticket="A006")
    site.do("hold", 1)

    first_three = [site.do("call_next", 1) for _ in range(3)]
    fourth = site.call_next(1)

    assert [kinds(d) for d in first_three] == [
        ["ticket_called"],
        ["ticket_finished", "ticket_called"],
        ["ticket_finished", "ticket_called", "ticket_released"],
    ]
    assert first_three[2].events[2].ticket_id == site.ticket("A006").id
    assert numbers(site.state.tickets[d.ticket_id] for d in first_three) == [
        "A001", "A002", "A003",
    ]
    assert fourth.number == "A006"
    assert site.call_next(1).number == "A004"


def test_hold_counts_only_calls_of_the_same_service() -> None:
    """Given A001 held (hold_calls=1) and B001 waiting, When counter 1 calls B001,
    Then A001 is still held with one call to go."""
    site = QueueSite(site_setup(hold_calls=1))
    site.issue("ho_tich")
    site.issue("dat_dai")
    site.open(1)
    site.do("call", 1, ticket="A001")
    site.do("hold", 1)

    decision = site.do("call_next", 1)

    assert kinds(decision) == ["ticket_called"]
    assert (site.ticket("A001").status, site.ticket("A001").hold_remaining) == (
        TicketStatus.HELD, 1,
    )


def test_held_ticket_can_be_called_back_at_once() -> None:
    """Given A001 held, When counter 1 calls "A001", Then it is called there again with no
    hold left."""
    site = serving_site(2)
    site.call_next(1)
    site.do("hold", 1)

    decision = site.do("call", 1, ticket="A001")

    assert kinds(decision) == ["ticket_called"]
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.counter, ticket.hold_remaining) == (TicketStatus.CALLED, 1, 0)


def test_calling_a_held_ticket_on_its_last_hold_call_does_not_release_it() -> None:
    """Given A001 held with one call to go (hold_calls=1), When counter 1 calls "A001"
    itself, Then only ticket_called is emitted and A001 stays called at counter 1
    (it must not be "released" back to waiting while a counter holds it)."""
    site = QueueSite(site_setup(hold_calls=1))
    site.issue_many("ho_tich", 2)
    site.open(1)
    site.call_next(1)
    site.do("hold", 1)

    decision = site.do("call", 1, ticket="A001")

    assert kinds(decision) == ["ticket_called"]
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.counter) == (TicketStatus.CALLED, 1)
    assert site.state.counters[1].current == ticket.id


def test_walk_in_counts_as_a_call_for_held_tickets() -> None:
    """Given A001 held with hold_calls=1, When counter 3 serves a ho_tich walk-in,
    Then the walk-in's events include ticket_released for A001 and A001 waits at the front."""
    site = QueueSite(site_setup(hold_calls=1))
    site.issue_many("ho_tich", 2)
    site.open(1, 3)
    site.call_next(1)
    site.do("hold", 1)

    decision = site.do("walk_in", 3, service="ho_tich")

    assert kinds(decision) == [
        "ticket_issued", "ticket_called", "ticket_released", "ticket_started",
    ]
    ticket = site.ticket("A001")
    assert (ticket.status, ticket.front) == (TicketStatus.WAITING, True)
    assert site.call_next(1).number == "A001"


def test_hold_with_nobody_at_the_counter_is_no_active_ticket() -> None:
    """Given counter 1 idle, When hold, Then no_active_ticket."""
    site = serving_site(1)

    assert site.refuse("hold", 1).code == "no_active_ticket"
