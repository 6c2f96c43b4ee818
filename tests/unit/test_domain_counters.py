"""Counter life and desk actions: open, pause, resume, close, walk_in, set_priority, rate."""

from __future__ import annotations

import copy

import pytest

from motcua.domain import CounterStatus, TicketStatus

from tests.unit.domain_helpers import QueueSite, kinds, site_setup


def site_with_served(finished: bool = True) -> QueueSite:
    """Counter 1 open; A001 called, started and (if ``finished``) finished; A002 waiting."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.open(1)
    site.call_next(1)
    site.do("start", 1)
    if finished:
        site.do("finish", 1)
    return site


# --- open ------------------------------------------------------------------------------


def test_open_makes_the_counter_open_for_its_clerk() -> None:
    """Given counter 1 closed, When clerk Lan opens it, Then counter_opened by Lan,
    counter 1 is open with Lan and serves its roster ho_tich, dat_dai."""
    site = QueueSite()

    decision = site.do("open", 1, clerk="Lan")

    assert kinds(decision) == ["day_started", "counter_opened"]
    event = decision.events[1]
    assert (event.counter, event.clerk, event.data) == (1, "Lan", {"services": []})
    counter = site.state.counters[1]
    assert (counter.status, counter.clerk) == (CounterStatus.OPEN, "Lan")
    assert site.state.counter_services(1) == ("ho_tich", "dat_dai")


def test_clerk_name_is_recorded_on_later_events() -> None:
    """Given counter 1 opened by Lan, When it calls next, Then the event names clerk Lan."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1, clerk="Lan")

    assert site.do("call_next", 1).events[0].clerk == "Lan"


def test_open_with_an_unknown_service_is_refused() -> None:
    """Given no service "visa", When counter 1 opens for it, Then unknown_service."""
    site = QueueSite()

    error = site.refuse("open", 1, clerk="Lan", services=["ho_tich", "visa"])

    assert (error.code, error.params) == ("unknown_service", {"service": "visa"})


def test_open_an_unknown_counter_is_refused() -> None:
    """Given counters 1-3, When counter 7 opens, Then unknown_counter 7."""
    site = QueueSite()

    assert site.refuse("open", 7, clerk="Lan").params == {"counter": 7}


def test_open_without_a_clerk_is_invalid() -> None:
    """Given counter 1, When opened with a blank clerk, Then invalid_argument on clerk."""
    site = QueueSite()

    error = site.refuse("open", 1, clerk="   ")

    assert (error.code, error.params) == ("invalid_argument", {"field": "clerk"})


# --- walk_in ---------------------------------------------------------------------------


def test_walk_in_takes_a_number_and_is_served_at_once() -> None:
    """Given counter 2 open, When a dat_dai walk-in is served,
    Then ticket_issued, ticket_called, ticket_started; B001 is serving at counter 2."""
    site = QueueSite()
    site.open(2)

    decision = site.do("walk_in", 2, service="dat_dai")

    assert kinds(decision) == ["ticket_issued", "ticket_called", "ticket_started"]
    ticket = site.state.tickets[decision.ticket_id]
    assert (ticket.number, ticket.origin, ticket.status, ticket.counter) == (
        "B001", "walk_in", TicketStatus.SERVING, 2,
    )
    assert site.state.counters[2].current == ticket.id


def test_walk_in_without_a_service_uses_the_counters_first_service() -> None:
    """Given A001 from the kiosk and counter 1 (ho_tich first), When a walk-in comes
    without a service, Then it gets A002 in ho_tich."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1)

    decision = site.do("walk_in", 1)

    ticket = site.state.tickets[decision.ticket_id]
    assert (ticket.number, ticket.service) == ("A002", "ho_tich")


def test_walk_in_while_serving_finishes_the_current_ticket() -> None:
    """Given A001 serving at counter 1, When a walk-in is served, Then ticket_finished first."""
    site = site_with_served(finished=False)

    decision = site.do("walk_in", 1, service="ho_tich")

    assert kinds(decision) == [
        "ticket_finished", "ticket_issued", "ticket_called", "ticket_started",
    ]
    assert site.ticket("A001").status is TicketStatus.DONE
    assert site.state.tickets[decision.ticket_id].number == "A003"


def test_walk_in_at_a_closed_counter_is_refused() -> None:
    """Given counter 2 closed, When a walk-in is asked there, Then counter_closed."""
    site = QueueSite()

    assert site.refuse("walk_in", 2, service="dat_dai").code == "counter_closed"


def test_walk_in_for_an_unknown_service_is_refused() -> None:
    """Given counter 2 open, When a walk-in names service "visa", Then unknown_service."""
    site = QueueSite()
    site.open(2)

    assert site.refuse("walk_in", 2, service="visa").code == "unknown_service"


# --- set_priority ----------------------------------------------------------------------


def test_set_priority_moves_a_waiting_ticket_into_the_priority_class() -> None:
    """Given A001, A002 waiting, When A002 is set to disabled with a reason,
    Then ticket_priority_set and counter 1 calls A002 before A001."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.open(1)

    decision = site.do("set_priority", 1, ticket="A002", priority="disabled", reason="xe lăn")

    assert kinds(decision) == ["ticket_priority_set"]
    ticket = site.ticket("A002")
    assert (ticket.priority.value, ticket.priority_reason) == ("disabled", "xe lăn")
    assert site.call_next(1).number == "A002"


def test_set_priority_of_a_called_ticket_is_refused() -> None:
    """Given A001 called at counter 1, When its priority is set, Then ticket_not_waiting."""
    site = site_with_served(finished=False)

    error = site.refuse("set_priority", 1, ticket="A001", priority="elderly")

    assert (error.code, error.params) == (
        "ticket_not_waiting", {"ticket": "A001", "status": "serving"},
    )


# --- pause and resume ------------------------------------------------------------------


def test_pause_keeps_the_waiting_queue_untouched() -> None:
    """Given A002 waiting and counter 1 idle, When paused, Then only counter_paused is
    emitted, the counter is paused and every ticket is exactly as before."""
    site = site_with_served()
    tickets_before = copy.deepcopy(site.state.tickets)

    decision = site.do("pause", 1)

    assert kinds(decision) == ["counter_paused"]
    assert site.state.counters[1].status is CounterStatus.PAUSED
    assert site.state.tickets == tickets_before


def test_pause_while_serving_finishes_the_current_ticket() -> None:
    """Given A001 serving at counter 1, When paused, Then ticket_finished, counter_paused."""
    site = site_with_served(finished=False)

    decision = site.do("pause", 1)

    assert kinds(decision) == ["ticket_finished", "counter_paused"]
    assert site.state.counters[1].current is None


def test_pause_twice_is_refused() -> None:
    """Given counter 1 paused, When paused again, Then counter_paused."""
    site = site_with_served()
    site.do("pause", 1)

    assert site.refuse("pause", 1).code == "counter_paused"


def test_resume_reopens_with_the_same_clerk() -> None:
    """Given counter 1 paused by Lan with A002 waiting, When resumed, Then counter_resumed,
    open with Lan, and call_next gives A002."""
    site = site_with_served()
    site.do("pause", 1)

    decision = site.do("resume", 1)

    assert kinds(decision) == ["counter_resumed"]
    counter = site.state.counters[1]
    assert (counter.status, counter.clerk) == (CounterStatus.OPEN, "Lan")
    assert site.call_next(1).number == "A002"


def test_resume_of_an_open_counter_is_refused() -> None:
    """Given counter 1 open, When resumed, Then counter_not_paused."""
    site = site_with_served()

    assert site.refuse("resume", 1).code == "counter_not_paused"


# --- close -----------------------------------------------------------------------------


def test_close_forgets_clerk_and_session_services() -> None:
    """Given counter 2 opened by Minh for ho_tich, When closed, Then counter_closed and
    it is closed with no clerk, back to its roster."""
    site = QueueSite()
    site.open(2, clerk="Minh", services=["ho_tich"])

    decision = site.do("close", 2)

    assert kinds(decision) == ["counter_closed"]
    counter = site.state.counters[2]
    assert (counter.status, counter.clerk, counter.session_services) == (
        CounterStatus.CLOSED, None, (),
    )
    assert site.state.counter_services(2) == ("dat_dai",)


def test_close_while_serving_finishes_the_current_ticket() -> None:
    """Given A001 serving at counter 1, When closed, Then ticket_finished, counter_closed."""
    site = site_with_served(finished=False)

    decision = site.do("close", 1)

    assert kinds(decision) == ["ticket_finished", "counter_closed"]
    assert decision.events[0].data["reason"] == "close"


def test_close_a_closed_counter_is_refused() -> None:
    """Given counter 3 closed, When closed again, Then counter_closed."""
    site = QueueSite()

    assert site.refuse("close", 3).code == "counter_closed"


def test_close_a_paused_counter() -> None:
    """Given counter 1 paused, When closed, Then it is closed."""
    site = site_with_served()
    site.do("pause", 1)

    site.do("close", 1)

    assert site.state.counters[1].status is CounterStatus.CLOSED


# --- rate ------------------------------------------------------------------------------


def test_rate_the_last_served_ticket() -> None:
    """Given A001 finished at counter 1, When the citizen rates 3, Then ticket_rated 3."""
    site = site_with_served()

    decision = site.do("rate", 1, score=3)

    assert kinds(decision) == ["ticket_rated"]
    assert (decision.ticket_id, decision.events[0].data) == ("t0001", {"score": 3})
    assert site.ticket("A001").rating == 3


def test_rate_the_ticket_being_served() -> None:
    """Given A001 still serving, When the citizen rates 1, Then A001 gets rating 1."""
    site = site_with_served(finished=False)

    site.do("rate", 1, score=1)

    assert site.ticket("A001").rating == 1


def test_a_rating_after_the_next_call_goes_to_the_ticket_just_served() -> None:
    """Given A001 finished at counter 1 and A002 called there right after,
    When the citizen of A001 presses the pad (rate 3),
    Then A001 is rated 3 and A002, only called, is not rated."""
    site = site_with_served()
    site.call_next(1)

    decision = site.do("rate", 1, score=3)

    assert decision.ticket_id == site.ticket("A001").id
    assert (site.ticket("A001").rating, site.ticket("A002").rating) == (3, None)


def test_a_named_rating_after_the_next_citizen_started_still_rates_the_one_it_names() -> None:
    """Given A001 finished at counter 1 and A002 called and already started there,
    When the pad, which knows the visit it lit for, sends rate 3 for A001,
    Then A001 is rated 3 and A002 is not (without the name, A002 would be)."""
    site = site_with_served()
    site.call_next(1)
    site.do("start", 1)

    decision = site.do("rate", 1, score=3, ticket="A001")

    assert decision.ticket_id == site.ticket("A001").id
    assert (site.ticket("A001").rating, site.ticket("A002").rating) == (3, None)


def test_a_rating_naming_another_visit_is_refused() -> None:
    """Given A001 finished at counter 1 and A002 waiting,
    When a rating names A002 (not served here), Then not_rateable_here and nothing rated."""
    site = site_with_served()
    site.issue("ho_tich")

    error = site.refuse("rate", 1, score=2, ticket="A002")

    assert (error.code, error.params) == ("not_rateable_here", {"ticket": "A002", "counter": 1})
    assert (site.ticket("A001").rating, site.ticket("A002").rating) == (None, None)


def test_a_called_ticket_with_nothing_served_before_cannot_be_rated() -> None:
    """Given A001 only called at counter 1 (nothing served there yet today),
    When the pad sends rate 2, Then nothing_to_rate and A001 stays unrated."""
    site = QueueSite()
    site.issue("ho_tich")
    site.open(1)
    site.call_next(1)

    error = site.refuse("rate", 1, score=2)

    assert error.code == "nothing_to_rate"
    assert site.ticket("A001").rating is None


@pytest.mark.parametrize("score", [0, 4, -1, "3", True, 2.0, None])
def test_rate_outside_the_three_levels_or_not_an_integer_is_invalid(score: object) -> None:
    """Given A001 served, When rated with a score not in 1..3 or not an int, Then
    invalid_argument on score."""
    site = site_with_served()

    error = site.refuse("rate", 1, score=score)

    assert (error.code, error.params) == ("invalid_argument", {"field": "score"})


def test_rating_levels_are_configurable() -> None:
    """Given rating_levels=5, When A001 is rated 5, Then it is accepted."""
    site = QueueSite(site_setup(rating_levels=5))
    site.issue("ho_tich")
    site.open(1)
    site.call_next(1)
    site.do("start", 1)

    site.do("rate", 1, score=5)

    assert site.ticket("A001").rating == 5


def test_rating_twice_is_refused() -> None:
    """Given A001 rated 3, When rated again, Then already_rated A001."""
    site = site_with_served()
    site.do("rate", 1, score=3)

    error = site.refuse("rate", 1, score=2)

    assert (error.code, error.params) == ("already_rated", {"ticket": "A001"})


def test_rating_before_anyone_was_served_is_refused() -> None:
    """Given counter 1 open and nobody served, When rated, Then nothing_to_rate."""
    site = QueueSite()
    site.open(1)

    assert site.refuse("rate", 1, score=2).code == "nothing_to_rate"
