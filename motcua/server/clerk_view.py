"""What the clerk panel shows, built from the committed state on the writer thread.

:func:`counter_panel_view` and :func:`ratings_view` are handed to
:meth:`motcua.snapshot.CommittedReads.derived`, which runs them between two batches (when
the state is exactly the last commit) at most once per committed ``seq``, however many
panels are open. They read the state and return fresh JSON-ready dicts.

Cost: the waiting list walks the index's sorted lines of the counter's services (no scan
of the day); today's served count and the ratings walk the day's tickets once per commit
(a busy centre has a few hundred to a thousand, well under a millisecond).
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

from motcua.domain import SiteState, TicketStatus
from motcua.domain.model import Ticket
from motcua.domain.views import iso

#: Tickets listed in the waiting list; the total is given beside it.
WAITING_LIST_MAX = 30


def _entry(state: SiteState, ticket: Ticket) -> dict[str, Any]:
    zone = state.setup.timezone
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "issued_at": iso(ticket.issued_at, zone),
        "called_at": iso(ticket.called_at, zone),
        "started_at": iso(ticket.started_at, zone),
        "reserved": ticket.reserved_counter is not None,
        # Return-of-results tickets only; the panel adds the procedure (clerk_panel).
        "dossier": {"code": ticket.dossier} if ticket.dossier is not None else None,
    }


def _waiting(state: SiteState, number: int, services: tuple[str, ...]) -> tuple[list, int]:
    """The counter's waiting list in calling order (reserved for it, then priority, then
    normal, oldest first across its services) and the total."""
    index = state.index
    groups = [index.reserved_for(number),
              *[list(heapq.merge(*(index.line(code, priority) for code in services)))
                for priority in (True, False)]]
    total = sum(len(group) for group in groups)
    listed: list[dict[str, Any]] = []
    for group in groups:
        for key in group[:WAITING_LIST_MAX - len(listed)]:
            listed.append(_entry(state, state.tickets[key[-1]]))
    return listed, total


def counter_panel_view(number: int):
    """A builder of counter ``number``'s panel view, for ``CommittedReads.derived``."""

    def build(state: SiteState, at: dt.datetime) -> dict[str, Any] | None:
        counter = state.counters.get(number)
        if counter is None:
            return None
        services = state.counter_services(number)
        current = state.tickets.get(counter.current) if counter.current else None
        waiting, total = _waiting(state, number, services)
        held = sorted((state.tickets[i] for code in services for i in state.index.held_in(code)),
                      key=lambda t: t.held_at or t.issued_at)
        served = sum(1 for ticket in state.tickets.values()
                     if ticket.counter == number and ticket.status is TicketStatus.DONE)
        return {
            "counter": number,
            "name": state.setup.counters[number].name,
            "status": counter.status.value,
            "clerk": counter.clerk,
            "services": list(services),
            "current": _entry(state, current) if current is not None else None,
            "waiting": waiting,
            "waiting_total": total,
            "held": [_entry(state, ticket) for ticket in held[:WAITING_LIST_MAX]],
            "served_today": served,
            "business_day": state.business_day.isoformat() if state.business_day else None,
        }

    return build


def ratings_view(state: SiteState, at: dt.datetime) -> dict[str, Any]:
    """Today's ratings per counter: ``{"business_day", "levels", "counters": [{"counter",
    "name", "counts": {"1": n, ...}, "total"}]}``, every counter listed, in number order."""
    levels = state.setup.rules.rating_levels
    counts = {number: [0] * levels for number in state.setup.counters}
    for ticket in state.tickets.values():
        if ticket.rating is not None and ticket.counter in counts:
            counts[ticket.counter][ticket.rating - 1] += 1
    return {
        "business_day": state.business_day.isoformat() if state.business_day else None,
        "levels": levels,
        "counters": [{
            "counter": number,
            "name": state.setup.counters[number].name,
            "counts": {str(level + 1): row[level] for level in range(levels)},
            "total": sum(row),
        } for number, row in sorted(counts.items())],
    }
