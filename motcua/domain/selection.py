"""Which waiting ticket a counter calls next, and how long a ticket will wait.

Pure functions over a :class:`SiteState`; the rules come from the site's :class:`Rules`.
"""

from __future__ import annotations

from bisect import bisect_left

from .model import CounterStatus, PriorityMode, SelectionMode, SiteState, Ticket, TicketStatus


def select_next(state: SiteState, counter_number: int) -> Ticket | None:
    """The ticket ``call_next`` at ``counter_number`` should call, or None if nobody waits.

    Order: tickets transferred to this very counter; then the priority class (always first
    in strict mode, one after every ``interleave_every`` normal calls in interleaved mode,
    or whenever no normal ticket waits); within the class, the oldest ticket across the
    counter's services, or strictly in the counter's service order. When nothing waits,
    the oldest hold among the counter's services is called back rather than nobody.

    Reads only the heads of the counter's lines (see :class:`~.index.QueueIndex`).
    """
    index = state.index
    reserved = index.reserved_for(counter_number)
    if reserved:
        return state.tickets[reserved[0][-1]]
    services = state.counter_services(counter_number)
    priority = [(rank, line[0]) for rank, code in enumerate(services)
                if (line := index.line(code, True))]
    normal = [(rank, line[0]) for rank, code in enumerate(services)
              if (line := index.line(code, False))]
    if not priority and not normal:
        return _oldest_hold(state, services)
    rules = state.setup.rules
    take_priority = bool(priority) and (
        not normal
        or rules.priority_mode is PriorityMode.STRICT
        or state.counters[counter_number].normal_streak >= rules.interleave_every
    )
    heads = priority if take_priority else normal
    if rules.selection is SelectionMode.COUNTER_ORDER:
        _, key = min(heads)  # rank first: the counter's service order
    else:
        key = min(key for _, key in heads)
    return state.tickets[key[-1]]


def _oldest_hold(state: SiteState, services: tuple[str, ...]) -> Ticket | None:
    """The held ticket of ``services`` put on hold first (a held ticket alone in its line
    is called back instead of answering "nobody waits")."""
    held = [state.tickets[i] for code in services for i in state.index.held_in(code)]
    if not held:
        return None
    return min(held, key=lambda t: (t.held_at or t.issued_at, t.queue_key()))


def _interleave_streak(state: SiteState, service_code: str) -> int:
    """The normal-call streak that decides the service's next priority call: the highest
    among the open or paused counters serving it (that counter takes a priority ticket
    first), or 0 when none is."""
    return max(
        (counter.normal_streak for number, counter in state.counters.items()
         if counter.status is not CounterStatus.CLOSED
         and service_code in state.counter_services(number)),
        default=0,
    )


def waiting_ahead(state: SiteState, ticket: Ticket) -> int:
    """How many tickets the engine will call before ``ticket`` (0 unless it is waiting).

    Definition: the tickets of the same line that ``call_next`` takes before this one if
    the line is called one ticket at a time, with the queue rules of the site:

    * a ticket reserved for a counter (sent there by a transfer) counts the tickets
      reserved for that same counter before it in queue order, whatever their service;
    * any other ticket counts only waiting tickets of its own service that are not
      reserved for a counter, in queue order (released holds first, then issue order):
      in strict mode, every priority ticket is ahead of a normal ticket; in interleaved
      mode, priority and normal tickets alternate as ``call_next`` alternates them (one
      priority call after every ``interleave_every`` normal calls, starting from the
      streak of :func:`_interleave_streak`).

    For a service served by merged counters (a counter serving several services), calls
    of the counter's other services are not counted: they are not in this ticket's line,
    though they take the counter's time (the wait estimate divides by the open counters
    serving the service) and advance its interleave streak.

    Cost: two bisections and at most one pass over the counters, not over the day.
    """
    if ticket.status is not TicketStatus.WAITING:
        return 0
    index = state.index
    key = ticket.queue_key()
    if ticket.reserved_counter is not None:
        return bisect_left(index.reserved_for(ticket.reserved_counter), key)
    priority = index.line(ticket.service, True)
    normal = index.line(ticket.service, False)
    rules = state.setup.rules
    if rules.priority_mode is PriorityMode.STRICT:
        if ticket.is_priority:
            return bisect_left(priority, key)
        return len(priority) + bisect_left(normal, key)
    every = rules.interleave_every
    # Normal calls still due before the next priority call.
    first = max(0, every - _interleave_streak(state, ticket.service))
    if ticket.is_priority:
        place = bisect_left(priority, key)
        return place + min(len(normal), first + place * every)
    place = bisect_left(normal, key)
    priorities_before = 0 if place < first else min(len(priority), 1 + (place - first) // every)
    return place + priorities_before


def next_in_service(state: SiteState, service_code: str) -> Ticket | None:
    """The waiting ticket of the service with nobody ahead of it (see :func:`waiting_ahead`)."""
    priority = state.index.line(service_code, True)
    normal = state.index.line(service_code, False)
    if not priority and not normal:
        return None
    rules = state.setup.rules
    take_priority = bool(priority) and (
        not normal
        or rules.priority_mode is PriorityMode.STRICT
        or _interleave_streak(state, service_code) >= rules.interleave_every
    )
    return state.tickets[(priority if take_priority else normal)[0][-1]]


def mean_service_seconds(state: SiteState, service_code: str) -> float:
    """Rolling mean of today's recent service times, else the configured mean."""
    durations = state.service_durations.get(service_code)
    if durations:
        return max(0.0, sum(durations) / len(durations))
    return state.setup.services[service_code].mean_service_minutes * 60.0


def waiting_counts(state: SiteState) -> dict[str, int]:
    """Waiting tickets per service code (services with none are absent), from the index."""
    return dict(state.index.waiting)


def new_ticket_wait_seconds(state: SiteState, service_code: str, waiting: int | None = None) -> int:
    """The estimate a normal ticket issued now would get: it would be behind everyone
    waiting. ``waiting`` is the service's waiting count, when the caller has it already."""
    if waiting is None:
        waiting = state.index.waiting.get(service_code, 0)
    counters = max(1, open_counters_serving(state, service_code))
    return max(0, round(mean_service_seconds(state, service_code) * (waiting + 1) / counters))


def open_counters_serving(state: SiteState, service_code: str) -> int:
    """Open counters whose services today include ``service_code``."""
    # A plain loop with the roster read once per counter: every estimate of a waiting
    # ticket (each issue's reply) and each service state asks this, over every counter.
    day, roster, count = state.business_day, state.setup.counters, 0
    for number, counter in state.counters.items():
        if counter.status is not CounterStatus.OPEN:
            continue
        services = counter.session_services or (
            roster[number].services_on(day) if day is not None else ())
        if service_code in services:
            count += 1
    return count


def estimated_wait_seconds(state: SiteState, ticket: Ticket, ahead: int | None = None) -> int:
    """Rolling mean service time × position in line ÷ open counters serving the service.

    Position is 1-based (the next to be called waits about one service time while the
    counters finish their current citizens). With no counter open, one counter is assumed
    so the estimate stays finite and honest about the backlog. ``ahead`` is
    :func:`waiting_ahead`, when the caller has it already.
    """
    if ticket.status is not TicketStatus.WAITING:
        return 0
    position = (waiting_ahead(state, ticket) if ahead is None else ahead) + 1
    counters = max(1, open_counters_serving(state, ticket.service))
    return max(0, round(mean_service_seconds(state, ticket.service) * position / counters))
