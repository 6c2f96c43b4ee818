"""What devices are shown: the ticket, counter, service and board views of a state.

Plain dicts in the shape of the MQTT contract v1 (see DESIGN.md); the hub validates them
with ``motcua.contract`` before publishing.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from .model import RECENT_CALLS, SiteState, Ticket, TicketStatus
from .numbering import local_time
from .selection import estimated_wait_seconds, next_in_service, waiting_ahead, waiting_counts

__all__ = ["RECENT_CALLS", "board_view", "counter_view", "iso", "recent_calls",
           "service_view", "ticket_view"]


def iso(moment: dt.datetime | None, timezone: str = "Asia/Ho_Chi_Minh") -> str | None:
    """ISO 8601 with the site's offset (devices show local time, whatever the machine's)."""
    return _local_iso(moment, timezone) if moment is not None else None


@functools.lru_cache(maxsize=1024)
def _local_iso(moment: dt.datetime, timezone: str) -> str:
    # The same few instants are rendered over and over (a batch's time in every payload,
    # a called ticket's issue time in its reply and its counter's state), and a zone
    # conversion costs several microseconds; bounded, so memory does not grow with the day.
    return local_time(moment, timezone).isoformat()


def ticket_view(state: SiteState, ticket: Ticket) -> dict[str, Any]:
    """The contract's ticket object: number, status, counter, people ahead, estimated wait,
    and ``dossier`` for a return-of-results ticket only (absent on every other ticket)."""
    ahead = waiting_ahead(state, ticket)
    view = {
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
    if ticket.dossier is not None:
        view["dossier"] = ticket.dossier
    return view


def counter_view(state: SiteState, number: int) -> dict[str, Any]:
    """The board's entry for the counter, with its clerk, services and ticket status."""
    counter = state.counters[number]
    current = state.tickets.get(counter.current) if counter.current else None
    return {
        **_board_counter(state, number),
        "clerk": counter.clerk,
        "services": list(state.counter_services(number)),
        "ticket_status": current.status.value if current else None,
    }


def _board_counter(state: SiteState, number: int) -> dict[str, Any]:
    """What the board shows of a counter: number, name, status and its ticket's number.
    Rebuilt for every counter after every commit: field by field, no more."""
    counter = state.counters[number]
    current = state.tickets.get(counter.current) if counter.current else None
    return {"counter": number, "name": state.setup.counters[number].name,
            "status": counter.status._value_,
            "ticket": current.number if current else None}


def service_view(state: SiteState, code: str) -> dict[str, Any]:
    service = state.setup.services[code]
    following = next_in_service(state, code)
    return {
        "code": code,
        "name": service.name,
        "prefix": service.prefix,
        "waiting": state.index.waiting.get(code, 0),
        "next": following.number if following else None,
    }


def recent_calls(state: SiteState) -> list[dict[str, Any]]:
    """The day's last calls, newest first: one entry per ticket (its latest call), with the
    counter and service it was called to, even if it has since been held or transferred."""
    return [{"ticket": state.tickets[ticket_id].number, "counter": counter, "service": service,
             "at": iso(at, state.setup.timezone)}
            for ticket_id, counter, service, at in reversed(state.recent_calls)]


def board_view(
    state: SiteState, epoch: str, seq: int, at: dt.datetime, recent: list[dict[str, Any]]
) -> dict[str, Any]:
    """The lobby board: every counter's number, what waits per service, the last calls."""
    waiting = waiting_counts(state)
    return {
        "epoch": epoch,
        "seq": seq,
        "at": iso(at, state.setup.timezone),
        # Not counter_view, whose services and ticket status the board leaves out: the
        # board is rebuilt after every commit, and for a commit of one command that
        # extra work cost as much as deciding and storing the command.
        "counters": [_board_counter(state, n) for n in sorted(state.counters)],
        "services": [
            {"code": code, "name": s.name, "waiting": waiting.get(code, 0)}
            for code, s in state.setup.services.items()
        ],
        "recent": recent,
    }
