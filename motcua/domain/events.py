"""Events: the only way the state of a site changes.

The engine decides a command into a list of :class:`Event`; :func:`apply_event` folds one
event into a :class:`~motcua.domain.model.SiteState`. The store appends every event to
``ticket_event``, so replaying the log through :func:`replay` rebuilds the same state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .index import QueueIndex
from .model import (
    CounterStatus,
    Priority,
    SiteSetup,
    SiteState,
    Ticket,
    TicketStatus,
)


@dataclass(frozen=True)
class Event:
    """One fact: what happened, when, to which ticket, at which counter, by which clerk."""

    kind: str
    at: dt.datetime
    ticket_id: str | None = None
    counter: int | None = None
    clerk: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _ticket(state: SiteState, event: Event) -> Ticket:
    return state.tickets[event.ticket_id]


def _stamp(ticket: Ticket, at: dt.datetime) -> dt.datetime:
    """``at``, or the ticket's latest stamp if the clock went back: no negative durations."""
    latest = ticket.last_stamp()
    return at if at >= latest else latest


def _occupy(state: SiteState, ticket: Ticket, counter_number: int, at: dt.datetime) -> None:
    ticket.status = TicketStatus.CALLED
    ticket.counter = counter_number
    ticket.reserved_counter = None
    ticket.called_at = _stamp(ticket, at)
    ticket.started_at = None
    ticket.finished_at = None
    ticket.held_at = None
    ticket.front = False
    ticket.hold_remaining = 0
    # A ticket called back (after a no-show or a hold) starts a fresh recall count.
    ticket.recalls = 0
    state.counters[counter_number].current = ticket.id
    state.index.update(ticket)


def _release_counter(state: SiteState, ticket: Ticket) -> None:
    if ticket.counter is not None:
        counter = state.counters.get(ticket.counter)
        if counter is not None and counter.current == ticket.id:
            counter.current = None


def _end(state: SiteState, ticket: Ticket, status: TicketStatus, at: dt.datetime) -> None:
    """Close the visit: the counter is free, the ticket leaves every queue."""
    _release_counter(state, ticket)
    ticket.status = status
    ticket.finished_at = _stamp(ticket, at)
    state.index.update(ticket)


def _day_started(state: SiteState, event: Event) -> None:
    state.business_day = dt.date.fromisoformat(event.data["business_day"])
    state.tickets.clear()
    state.last_numbers.clear()
    state.service_durations.clear()
    state.recent_calls.clear()
    state.index = QueueIndex()
    for counter in state.counters.values():
        counter.current = None
        counter.last_served = None
        counter.normal_streak = 0


def _issued(state: SiteState, event: Event) -> None:
    data = event.data
    issued_at = data.get("issued_at")
    ticket = Ticket(
        id=event.ticket_id,
        number=data["number"],
        prefix=data["prefix"],
        seq_no=data["seq_no"],
        service=data["service"],
        issued_service=data["service"],
        priority=Priority(data["priority"]),
        priority_reason=data.get("priority_reason"),
        status=TicketStatus.WAITING,
        business_day=dt.date.fromisoformat(data["business_day"]),
        # The engine stamps a later issue time than ``at`` when the clock went back.
        issued_at=dt.datetime.fromisoformat(issued_at) if issued_at else event.at,
        origin=data.get("origin", "kiosk"),
        dossier=data.get("dossier"),
    )
    state.tickets[ticket.id] = ticket
    state.last_numbers[ticket.prefix] = ticket.seq_no
    state.index.add_issued(ticket)
    state.index.add(ticket)


def _called(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    _occupy(state, ticket, event.counter, event.at)
    counter = state.counters[event.counter]
    # A walk-in is the clerk's choice, not a turn of the queue: interleaving ignores it.
    if not event.data.get("walk_in"):
        counter.normal_streak = 0 if ticket.is_priority else counter.normal_streak + 1
    # A call in a service moves that service's held tickets one call closer to the front.
    for other_id in state.index.held_in(ticket.service):
        other = state.tickets[other_id]
        other.hold_remaining = max(0, other.hold_remaining - 1)
    _remember_call(state, ticket.id, event.counter, event.data.get("service", ticket.service),
                   event.at)


def _remember_call(state: SiteState, ticket_id: str, counter: int, service: str,
                   at: dt.datetime) -> None:
    """Keep the day's last calls, one entry per ticket (its latest call), newest last."""
    recent = state.recent_calls
    for i, entry in enumerate(recent):  # at most RECENT_CALLS entries
        if entry[0] == ticket_id:
            del recent[i]
            break
    recent.append((ticket_id, counter, service, at))


def _recalled(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    ticket.recalls += 1
    ticket.recalls_total += 1


def _started(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    ticket.status = TicketStatus.SERVING
    ticket.started_at = _stamp(ticket, event.at)


def _finished(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    _end(state, ticket, TicketStatus.DONE, event.at)
    began = ticket.started_at or ticket.called_at
    if began is not None:
        durations = state.service_durations.setdefault(ticket.service, [])
        durations.append(max(0.0, (ticket.finished_at - began).total_seconds()))
        del durations[: -state.setup.rules.rolling_window]
    if ticket.counter is not None:
        state.counters[ticket.counter].last_served = ticket.id


def _no_show(state: SiteState, event: Event) -> None:
    _end(state, _ticket(state, event), TicketStatus.NO_SHOW, event.at)


def _held(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    _release_counter(state, ticket)
    ticket.status = TicketStatus.HELD
    ticket.hold_remaining = event.data["hold_calls"]
    ticket.held_at = _stamp(ticket, event.at)
    ticket.counter = None
    state.index.update(ticket)


def _released(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    ticket.status = TicketStatus.WAITING
    ticket.hold_remaining = 0
    ticket.front = True
    state.index.update(ticket)


def _transferred(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    _release_counter(state, ticket)
    ticket.status = TicketStatus.WAITING
    ticket.service = event.data["to_service"]
    ticket.reserved_counter = event.data.get("to_counter")
    ticket.counter = None
    ticket.called_at = None
    ticket.started_at = None
    ticket.recalls = 0
    state.index.update(ticket)


def _unreserved(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    ticket.reserved_counter = None
    state.index.update(ticket)


def _priority_set(state: SiteState, event: Event) -> None:
    ticket = _ticket(state, event)
    ticket.priority = Priority(event.data["priority"])
    ticket.priority_reason = event.data.get("reason")
    state.index.update(ticket)


def _expired(state: SiteState, event: Event) -> None:
    _end(state, _ticket(state, event), TicketStatus.EXPIRED, event.at)


def _cancelled(state: SiteState, event: Event) -> None:
    _end(state, _ticket(state, event), TicketStatus.CANCELLED, event.at)


def _rated(state: SiteState, event: Event) -> None:
    _ticket(state, event).rating = event.data["score"]


def _counter_opened(state: SiteState, event: Event) -> None:
    counter = state.counters[event.counter]
    counter.status = CounterStatus.OPEN
    counter.clerk = event.clerk
    counter.session_services = tuple(event.data.get("services") or ())


def _counter_status(status: CounterStatus) -> Callable[[SiteState, Event], None]:
    def apply(state: SiteState, event: Event) -> None:
        counter = state.counters[event.counter]
        counter.status = status
        if status is CounterStatus.CLOSED:
            counter.clerk = None
            counter.session_services = ()

    return apply


APPLIERS: dict[str, Callable[[SiteState, Event], None]] = {
    "day_started": _day_started,
    "ticket_issued": _issued,
    "ticket_called": _called,
    "ticket_recalled": _recalled,
    "ticket_started": _started,
    "ticket_finished": _finished,
    "ticket_no_show": _no_show,
    "ticket_held": _held,
    "ticket_released": _released,
    "ticket_transferred": _transferred,
    "ticket_unreserved": _unreserved,
    "ticket_priority_set": _priority_set,
    "ticket_expired": _expired,
    "ticket_cancelled": _cancelled,
    "ticket_rated": _rated,
    "counter_opened": _counter_opened,
    "counter_paused": _counter_status(CounterStatus.PAUSED),
    "counter_resumed": _counter_status(CounterStatus.OPEN),
    "counter_closed": _counter_status(CounterStatus.CLOSED),
}


def touched_tickets(state: SiteState, event: Event) -> list[str]:
    """Ids of the existing tickets ``event`` will change (not counting one it creates)."""
    touched = [event.ticket_id] if event.ticket_id in state.tickets else []
    if event.kind == "ticket_called":
        service = state.tickets[event.ticket_id].service
        touched += [i for i in state.index.held_in(service) if i != event.ticket_id]
    elif event.kind == "day_started":
        touched = list(state.tickets)
    return touched


def apply_event(state: SiteState, event: Event) -> None:
    """Fold ``event`` into ``state`` in place. Unknown kinds are a programming error."""
    APPLIERS[event.kind](state, event)


def replay(setup: SiteSetup, events: Iterable[Event]) -> SiteState:
    """Rebuild the state of a site from its whole event log, oldest first."""
    state = SiteState(setup=setup)
    for event in events:
        apply_event(state, event)
    return state

