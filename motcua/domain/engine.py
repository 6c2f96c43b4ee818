"""The queue engine: decides a command against the state of a site.

:func:`decide` is pure: it reads the state, the command and the time it is given and
returns the events that would happen, or raises :class:`DomainError` having changed
nothing. :func:`execute` decides and then applies the events. Every rule of DESIGN.md's
"Queue rules" is here (counter and holder actions), in :mod:`.issuing` (issuing and
expiry) or in :mod:`.selection` (who is next, people ahead).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Callable, Mapping

from . import arguments
from .context import Command, Context, Decision, NewId
from .errors import DomainError
from .events import Event, apply_event
from .issuing import issue, issue_refusal, issue_ticket, serving_over, tick
from .model import FINAL_STATUSES, CounterStatus, Priority, SiteState, Ticket, TicketStatus
from .numbering import business_day
from .selection import select_next

__all__ = ["ACTIONS", "COUNTER_ACTIONS", "HOLDER_ACTIONS", "INTERNAL_ACTIONS", "KIOSK_ACTIONS",
           "Command", "Decision", "NewId", "decide", "execute", "issue_refusal",
           "serving_over"]


# --- the day ---------------------------------------------------------------------------


def _roll_day(ctx: Context) -> dt.date:
    """Start a new business day if the clock crossed local midnight; refuse a clock gone back."""
    state = ctx.state
    today = business_day(ctx.now, state.setup.timezone)
    if state.business_day is not None and today < state.business_day:
        raise DomainError("clock_backwards", today=today, business_day=state.business_day)
    if state.business_day != today:
        for ticket in state.tickets.values():
            if ticket.status not in FINAL_STATUSES:
                ctx.emit("ticket_expired", ticket.id, counter=ticket.counter, reason="day_end")
        for number, counter in state.counters.items():
            if counter.status is not CounterStatus.CLOSED:
                ctx.emit("counter_closed", counter=number, reason="day_end")
        ctx.emit("day_started", counter=None, business_day=today.isoformat())
    return today


# --- helpers shared by counter actions -------------------------------------------------


def _counter_number(ctx: Context) -> int:
    number = ctx.command.counter
    if isinstance(number, bool) or not isinstance(number, int):
        raise DomainError("invalid_argument", field="counter")
    if number not in ctx.state.counters:
        raise DomainError("unknown_counter", counter=number)
    return number


def _open_counter(ctx: Context) -> int:
    """The command's counter, which must be open (not closed, not paused)."""
    number = _counter_number(ctx)
    status = ctx.state.counters[number].status
    if status is CounterStatus.CLOSED:
        raise DomainError("counter_closed", counter=number)
    if status is CounterStatus.PAUSED:
        raise DomainError("counter_paused", counter=number)
    return number


def _current_ticket(ctx: Context, number: int) -> Ticket:
    current = ctx.state.counters[number].current
    if current is None:
        raise DomainError("no_active_ticket", counter=number)
    return ctx.state.tickets[current]


def _finish_current(ctx: Context, number: int, reason: str) -> None:
    """Finish the counter's ticket before it moves on: clerks often skip the finish key."""
    current = ctx.state.counters[number].current
    if current is not None:
        ctx.emit("ticket_finished", current, counter=number, reason=reason)


def _free_counter(ctx: Context, number: int, reason: str) -> None:
    """Before the counter calls someone else: finish its ticket, or, when the site does not
    finish on call (``finish_on_call_next = false``), refuse while it still has one."""
    current = ctx.state.counters[number].current
    if current is None:
        return
    if not ctx.state.setup.rules.finish_on_call_next:
        ticket = ctx.state.tickets[current]
        raise DomainError("ticket_in_progress", counter=number, ticket=ticket.number)
    _finish_current(ctx, number, reason)


def _find_ticket(ctx: Context, reference: str) -> Ticket:
    """A ticket of today by id, or by number (``a15``, ``A015`` and ``A0015`` all match)."""
    state = ctx.state
    if reference in state.tickets:
        return state.tickets[reference]
    ref = reference.strip().upper()
    prefix = ref.rstrip("0123456789")
    digits = ref[len(prefix):]
    if prefix and digits:
        ticket_id = state.index.numbers.get((prefix, int(digits)))
        if ticket_id is not None:
            return state.tickets[ticket_id]
    raise DomainError("unknown_ticket", ticket=reference)


def _call(ctx: Context, number: int, ticket: Ticket) -> Decision:
    """Emit the call of ``ticket`` at ``number`` plus the releases of holds it completes."""
    ctx.emit("ticket_called", ticket.id, counter=number, service=ticket.service)
    _release_holds(ctx, ticket.id, ticket.service)
    return Decision(ctx.events, ticket.id)


def _release_holds(ctx: Context, called_id: str, service: str) -> None:
    """Release the held tickets of ``service`` for which this call is the last one waited.

    The called ticket itself is skipped: calling a held ticket back occupies the counter,
    and releasing it too would leave a waiting ticket that a second counter could call.
    """
    state = ctx.state
    for other_id in sorted(state.index.held_in(service)):
        if other_id != called_id and state.tickets[other_id].hold_remaining <= 1:
            ctx.emit("ticket_released", other_id, counter=None)


# --- counter actions --------------------------------------------------------------------


def _open(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    clerk = arguments.required_str(ctx.command.args, "clerk")
    services = arguments.optional_str_list(ctx.command.args, "services")
    for code in services or ():
        if code not in ctx.state.setup.services:
            raise DomainError("unknown_service", service=code)
    ctx.events.append(
        Event("counter_opened", ctx.now, None, number, clerk, {"services": list(services or ())})
    )
    return Decision(ctx.events)


def _call_next(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    ticket = select_next(ctx.state, number)
    if ticket is None:
        raise DomainError("queue_empty")
    _free_counter(ctx, number, "call_next")
    return _call(ctx, number, ticket)


def _call_specific(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    ticket = _find_ticket(ctx, arguments.required_str(ctx.command.args, "ticket"))
    callable_statuses = (TicketStatus.WAITING, TicketStatus.HELD, TicketStatus.NO_SHOW)
    if ticket.status not in callable_statuses:
        raise DomainError("ticket_not_callable", ticket=ticket.number, status=ticket.status.value)
    _free_counter(ctx, number, "call")
    return _call(ctx, number, ticket)


def _recall(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    ticket = _current_ticket(ctx, number)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", ticket=ticket.number)
    if ticket.recalls >= ctx.state.setup.rules.max_recalls:
        ctx.emit("ticket_no_show", ticket.id, reason="recall_limit")
    else:
        ctx.emit("ticket_recalled", ticket.id, recall=ticket.recalls + 1, service=ticket.service)
    return Decision(ctx.events, ticket.id)


def _start(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    ticket = _current_ticket(ctx, number)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", ticket=ticket.number)
    ctx.emit("ticket_started", ticket.id)
    return Decision(ctx.events, ticket.id)


def _finish(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    ticket = _current_ticket(ctx, number)
    ctx.emit("ticket_finished", ticket.id, reason="finish")
    return Decision(ctx.events, ticket.id)


def _no_show(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    ticket = _current_ticket(ctx, number)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", ticket=ticket.number)
    ctx.emit("ticket_no_show", ticket.id, reason="clerk")
    return Decision(ctx.events, ticket.id)


def _hold(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    ticket = _current_ticket(ctx, number)
    ctx.emit("ticket_held", ticket.id, hold_calls=ctx.state.setup.rules.hold_calls)
    return Decision(ctx.events, ticket.id)


def _transfer(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    args = ctx.command.args
    to_service = arguments.optional_str(args, "to_service", 64)
    to_counter = arguments.optional_int(args, "to_counter", 1, 10_000)
    if (to_service is None) == (to_counter is None):
        raise DomainError("invalid_argument", field="to_service|to_counter")
    ticket = _current_ticket(ctx, number)
    if to_service is not None and to_service not in ctx.state.setup.services:
        raise DomainError("unknown_service", service=to_service)
    if to_counter is not None:
        if to_counter not in ctx.state.counters:
            raise DomainError("unknown_counter", counter=to_counter)
        if to_counter == number:
            raise DomainError("same_counter")
        # Only closing a counter hands its reserved tickets back to the service queue, so a
        # ticket reserved for a counter that is already closed could never be called next.
        if ctx.state.counters[to_counter].status is CounterStatus.CLOSED:
            raise DomainError("counter_closed", counter=to_counter)
    ctx.emit(
        "ticket_transferred",
        ticket.id,
        from_service=ticket.service,
        to_service=to_service or ticket.service,
        to_counter=to_counter,
    )
    return Decision(ctx.events, ticket.id)


def _walk_in(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    code = arguments.optional_str(ctx.command.args, "service", 64)
    if code is None:
        services = ctx.state.counter_services(number)
        if not services:
            raise DomainError("invalid_argument", field="service")
        code = services[0]
    service = ctx.state.setup.services.get(code)
    if service is None:
        raise DomainError("unknown_service", service=code)
    # Hours and caps are the clerk's call; an inactive or foreign service is not.
    if not service.active:
        raise DomainError("service_inactive", service=code)
    if code not in ctx.state.counter_services(number):
        raise DomainError("service_not_served", counter=number, service=code)
    _free_counter(ctx, number, "walk_in")
    ticket_id = issue_ticket(ctx, code, Priority.NORMAL, None, origin="walk_in")
    # walk_in: not a turn of the queue, so interleaving does not count it.
    ctx.emit("ticket_called", ticket_id, counter=number, service=code, walk_in=True)
    # A walk-in is a call of the service like any other: it counts for held tickets.
    _release_holds(ctx, ticket_id, code)
    ctx.emit("ticket_started", ticket_id, counter=number)
    return Decision(ctx.events, ticket_id)


def _set_priority(ctx: Context) -> Decision:
    args = ctx.command.args
    ticket = _find_ticket(ctx, arguments.required_str(args, "ticket"))
    priority = arguments.priority(args)
    reason = arguments.optional_str(args, "reason")
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.HELD):
        raise DomainError("ticket_not_waiting", ticket=ticket.number, status=ticket.status.value)
    ctx.emit("ticket_priority_set", ticket.id, priority=priority.value, reason=reason)
    return Decision(ctx.events, ticket.id)


def _pause(ctx: Context) -> Decision:
    number = _open_counter(ctx)
    current = ctx.state.counters[number].current
    if current is not None and ctx.state.tickets[current].status is TicketStatus.CALLED:
        # Called but not yet at the desk: the citizen keeps their turn, on hold.
        ctx.emit("ticket_held", current, hold_calls=ctx.state.setup.rules.hold_calls,
                 reason="pause")
    else:
        _finish_current(ctx, number, "pause")
    ctx.emit("counter_paused")
    return Decision(ctx.events)


def _resume(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    if ctx.state.counters[number].status is not CounterStatus.PAUSED:
        raise DomainError("counter_not_paused", counter=number)
    ctx.emit("counter_resumed")
    return Decision(ctx.events)


def _close(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    if ctx.state.counters[number].status is CounterStatus.CLOSED:
        raise DomainError("counter_closed", counter=number)
    _finish_current(ctx, number, "close")
    # Citizens sent to this counter go back to their service's queue.
    for key in list(ctx.state.index.reserved_for(number)):
        ctx.emit("ticket_unreserved", key[-1])
    ctx.emit("counter_closed", reason="clerk")
    return Decision(ctx.events)


def _rate(ctx: Context) -> Decision:
    number = _counter_number(ctx)
    score = arguments.required_int(
        ctx.command.args, "score", 1, ctx.state.setup.rules.rating_levels
    )
    counter = ctx.state.counters[number]
    current = ctx.state.tickets.get(counter.current) if counter.current else None
    # The ticket being served, else the last one finished here. A ticket only called is
    # not rated: the pad lights after FINISH, and the clerk may call the next citizen
    # before the last one has pressed a key; that press is about the last visit.
    if current is not None and current.status is TicketStatus.SERVING:
        ticket_id: str | None = current.id
    else:
        ticket_id = counter.last_served
    # A device that knows which visit the press is about names it: a press arriving after
    # the clerk has already started the next citizen must not rate that citizen.
    reference = arguments.optional_str(ctx.command.args, "ticket", 64)
    if reference is not None:
        named = _find_ticket(ctx, reference)
        rateable = {counter.last_served} | ({current.id} if current is not None
                                            and current.status is TicketStatus.SERVING else set())
        if named.id not in rateable:
            raise DomainError("not_rateable_here", ticket=named.number, counter=number)
        ticket_id = named.id
    if ticket_id is None:
        raise DomainError("nothing_to_rate")
    ticket = ctx.state.tickets[ticket_id]
    if ticket.rating is not None:
        raise DomainError("already_rated", ticket=ticket.number)
    ctx.emit("ticket_rated", ticket.id, score=score)
    return Decision(ctx.events, ticket.id)


def _cancel(ctx: Context) -> Decision:
    """A clerk cancels a ticket: waiting, held, or called at this very counter."""
    number = _counter_number(ctx)
    ticket = _find_ticket(ctx, arguments.required_str(ctx.command.args, "ticket"))
    called_here = ticket.status is TicketStatus.CALLED and ticket.counter == number
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.HELD) and not called_here:
        raise DomainError("ticket_not_cancellable", ticket=ticket.number,
                          status=ticket.status.value)
    ctx.emit("ticket_cancelled", ticket.id, reason="clerk")
    return Decision(ctx.events, ticket.id)


# --- actions of the ticket's holder (public ticket page) --------------------------------


def _cancel_by_holder(ctx: Context) -> Decision:
    """The holder cancels their own ticket. Only the ticket's id token proves it is theirs
    (never a printed number, which anyone can read), and only while it waits or is held."""
    reference = arguments.required_str(ctx.command.args, "ticket", 64)
    ticket = ctx.state.tickets.get(reference)
    if ticket is None:
        raise DomainError("unknown_ticket", ticket=reference)
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.HELD):
        raise DomainError("ticket_not_cancellable", ticket=ticket.number,
                          status=ticket.status.value)
    ctx.emit("ticket_cancelled", ticket.id, counter=None, reason="holder")
    return Decision(ctx.events, ticket.id)


COUNTER_ACTIONS: dict[str, Callable[[Context], Decision]] = {
    "open": _open,
    "call_next": _call_next,
    "call": _call_specific,
    "recall": _recall,
    "start": _start,
    "finish": _finish,
    "no_show": _no_show,
    "hold": _hold,
    "transfer": _transfer,
    "walk_in": _walk_in,
    "set_priority": _set_priority,
    "pause": _pause,
    "resume": _resume,
    "close": _close,
    "rate": _rate,
    "cancel": _cancel,
}
KIOSK_ACTIONS: dict[str, Callable[[Context], Decision]] = {"issue": issue}
#: Actions of a ticket's holder (the public ticket page), authorised by the ticket token.
HOLDER_ACTIONS: dict[str, Callable[[Context], Decision]] = {
    "cancel_by_holder": _cancel_by_holder,
}
INTERNAL_ACTIONS: dict[str, Callable[[Context], Decision]] = {"tick": tick}
ACTIONS = {**COUNTER_ACTIONS, **KIOSK_ACTIONS, **HOLDER_ACTIONS, **INTERNAL_ACTIONS}


def decide(state: SiteState, command: Command, now: dt.datetime, new_id: NewId) -> Decision:
    """Return the events ``command`` causes at ``now``; raise DomainError and change nothing.

    The state is not modified. If the clock crossed local midnight since the last
    command, the day's leftovers expire and a ``day_started`` event comes first.
    """
    handler = ACTIONS.get(command.action)
    if handler is None:
        raise DomainError("unknown_action", action=command.action)
    if not isinstance(command.args, Mapping):
        raise DomainError("invalid_argument", field="args")
    ctx = Context(state, command, now, new_id)
    _roll_day(ctx)
    if ctx.events:
        # Decide the command against the new day; the roll events stay first in the list.
        scratch = _scratch_copy(state, ctx.events)
        inner = Context(scratch, command, now, new_id)
        inner.events = list(ctx.events)
        rolled = handler(inner)
        return Decision(inner.events, rolled.ticket_id)
    return handler(ctx)


def _scratch_copy(state: SiteState, events: list[Event]) -> SiteState:
    scratch = copy.deepcopy(state)
    for event in events:
        apply_event(scratch, event)
    return scratch


def execute(state: SiteState, command: Command, now: dt.datetime, new_id: NewId) -> Decision:
    """Decide ``command`` and apply its events to ``state``; on refusal nothing changes."""
    decision = decide(state, command, now, new_id)
    for event in decision.events:
        apply_event(state, event)
    return decision
