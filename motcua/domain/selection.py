"""Which waiting ticket a counter calls next, and how long a ticket will wait.

Pure functions over a :class:`SiteState`; the rules come from the site's :class:`Rules`.
"""

from __future__ import annotations

from .model import PriorityMode, SelectionMode, SiteState, Ticket, TicketStatus


def candidates(state: SiteState, counter_number: int) -> list[Ticket]:
    """Waiting tickets the counter may call: of its services, or reserved for it."""
    services = set(state.counter_services(counter_number))
    return [
        t
        for t in state.tickets.values()
        if t.status is TicketStatus.WAITING
        and (
            t.reserved_counter == counter_number
            or (t.reserved_counter is None and t.service in services)
        )
    ]


def select_next(state: SiteState, counter_number: int) -> Ticket | None:
    """The ticket ``call_next`` at ``counter_number`` should call, or None if nobody waits.

    Order: tickets transferred to this very counter; then the priority class (always first
    in strict mode, one after every ``interleave_every`` normal calls in interleaved mode,
    or whenever no normal ticket waits); within the class, the oldest ticket across the
    counter's services, or strictly in the counter's service order.
    """
    pool = candidates(state, counter_number)
    if not pool:
        return None
    reserved = [t for t in pool if t.reserved_counter == counter_number]
    if reserved:
        return min(reserved, key=Ticket.queue_key)
    priority = [t for t in pool if t.is_priority]
    normal = [t for t in pool if not t.is_priority]
    rules = state.setup.rules
    take_priority = bool(priority) and (
        not normal
        or rules.priority_mode is PriorityMode.STRICT
        or state.counters[counter_number].normal_streak >= rules.interleave_every
    )
    chosen_class = priority if take_priority else normal
    if rules.selection is SelectionMode.COUNTER_ORDER:
        order = {code: i for i, code in enumerate(state.counter_services(counter_number))}
        return min(chosen_class, key=lambda t: (order.get(t.service, len(order)), t.queue_key()))
    return min(chosen_class, key=Ticket.queue_key)


def waiting_ahead(state: SiteState, ticket: Ticket) -> int:
    """How many waiting tickets of the same service will be called before ``ticket``.

    Priority tickets count as ahead of every normal ticket; within a class, queue order.
    Zero for a ticket that is not waiting.
    """
    if ticket.status is not TicketStatus.WAITING:
        return 0
    # Runs over the whole day's tickets for every reply: cheap tests first, and the queue
    # key (a tuple) only built for waiting tickets of the same service and class.
    waiting, service, me = TicketStatus.WAITING, ticket.service, ticket.id
    mine_priority = ticket.is_priority
    mine_key = ticket.queue_key()
    ahead = 0
    for other in state.tickets.values():
        if other.service != service or other.status is not waiting or other.id == me:
            continue
        other_priority = other.is_priority
        if other_priority != mine_priority:
            ahead += other_priority  # a priority ticket is ahead of every normal one
        elif other.queue_key() < mine_key:
            ahead += 1
    return ahead


def mean_service_seconds(state: SiteState, service_code: str) -> float:
    """Rolling mean of today's recent service times, else the configured mean."""
    durations = state.service_durations.get(service_code)
    if durations:
        return sum(durations) / len(durations)
    return state.setup.services[service_code].mean_service_minutes * 60.0


def waiting_counts(state: SiteState) -> dict[str, int]:
    """Waiting tickets per service code (services with none are absent), in one pass."""
    counts: dict[str, int] = {}
    for ticket in state.tickets.values():
        if ticket.status is TicketStatus.WAITING:
            counts[ticket.service] = counts.get(ticket.service, 0) + 1
    return counts


def new_ticket_wait_seconds(state: SiteState, service_code: str, waiting: int | None = None) -> int:
    """The estimate a normal ticket issued now would get: it would be behind everyone
    waiting. ``waiting`` is the service's waiting count, when the caller has it already."""
    if waiting is None:
        waiting = waiting_counts(state).get(service_code, 0)
    counters = max(1, open_counters_serving(state, service_code))
    return round(mean_service_seconds(state, service_code) * (waiting + 1) / counters)


def open_counters_serving(state: SiteState, service_code: str) -> int:
    return sum(
        1
        for number, counter in state.counters.items()
        if counter.status.value == "open" and service_code in state.counter_services(number)
    )


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
    return round(mean_service_seconds(state, ticket.service) * position / counters)
