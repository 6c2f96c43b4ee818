"""What devices are shown: the ticket, counter, service and board views of a state.

Plain dicts in the shape of the MQTT contract v1 (see DESIGN.md); the hub validates them
with ``motcua.contract`` before publishing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import SiteState, Ticket, TicketStatus
from .numbering import local_time
from .selection import estimated_wait_seconds, waiting_ahead, waiting_counts

#: How many of the day's last calls the board lists.
RECENT_CALLS = 10


def iso(moment: dt.datetime | None, timezone: str = "Asia/Ho_Chi_Minh") -> str | None:
    """ISO 8601 with the site's offset (devices show local time, whatever the machine's)."""
    return local_time(moment, timezone).isoformat() if moment is not None else None


def ticket_view(state: SiteState, ticket: Ticket) -> dict[str, Any]:
    """The contract's ticket object: number, status, counter, people ahead, estimated wait."""
    ahead = waiting_ahead(state, ticket)  # one pass over the day's tickets, not two
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "prefix": ticket.prefix,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "counter": ticket.counter if ticket.status is not TicketStatus.WAITING else None,
        "issued_at": iso(ticket.issued_at, state.setup.timezone),
        "waiting_ahead": ahead,
        "est_wait_s": estimated_wait_seconds(state, ticket, ahead),
    }


def counter_view(state: SiteState, number: int) -> dict[str, Any]:
    counter = state.counters[number]
    current = state.tickets.get(counter.current) if counter.current else None
    return {
        "counter": number,
        "name": state.setup.counters[number].name,
        "status": counter.status.value,
        "clerk": counter.clerk,
        "services": list(state.counter_services(number)),
        "ticket": current.number if current else None,
        "ticket_status": current.status.value if current else None,
    }


def service_view(state: SiteState, code: str) -> dict[str, Any]:
    service = state.setup.services[code]
    waiting = [
        t for t in state.tickets.values()
        if t.service == code and t.status is TicketStatus.WAITING
    ]
    return {
        "code": code,
        "name": service.name,
        "prefix": service.prefix,
        "waiting": len(waiting),
        "next": min(waiting, key=Ticket.queue_key).number if waiting else None,
    }


def recent_calls(state: SiteState) -> list[dict[str, Any]]:
    """The last calls of the day, newest first (derived from the tickets' call times)."""
    called = sorted(
        (t for t in state.tickets.values() if t.called_at is not None and t.counter is not None),
        key=lambda t: t.called_at, reverse=True,
    )[:RECENT_CALLS]
    return [{"ticket": t.number, "counter": t.counter, "service": t.service,
             "at": iso(t.called_at, state.setup.timezone)} for t in called]


def board_view(
    state: SiteState, epoch: str, seq: int, at: dt.datetime, recent: list[dict[str, Any]]
) -> dict[str, Any]:
    """The lobby board: every counter's number, what waits per service, the last calls."""
    waiting = waiting_counts(state)
    return {
        "epoch": epoch,
        "seq": seq,
        "at": iso(at, state.setup.timezone),
        "counters": [
            {k: v for k, v in counter_view(state, n).items()
             if k in ("counter", "name", "status", "ticket")}
            for n in sorted(state.counters)
        ],
        "services": [
            {"code": code, "name": s.name, "waiting": waiting.get(code, 0)}
            for code, s in state.setup.services.items()
        ],
        "recent": recent,
    }
