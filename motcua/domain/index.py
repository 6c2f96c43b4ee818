"""Indexes of a day's tickets, so that no command costs more as the day fills.

:class:`QueueIndex` is derived data: the event appliers keep it up to date (each applier
calls :meth:`QueueIndex.update` for every ticket it changes) and
:meth:`motcua.domain.model.SiteState.reindex` rebuilds it from the tickets alone. Two
indexes built either way compare equal, which the property tests check.

Waiting lines are sorted lists of queue keys (``Ticket.queue_key()``: front, issued_at,
prefix, seq_no, id). New tickets go to the end (issue times only grow within a day), so
inserting is an append; a position is a bisection. Held tickets are few (each is
released after a few calls of its service), so they sit in small per-service sets.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model imports this module; at run time statuses are compared as str
    from .model import Ticket

_WAITING = "waiting"
_HELD = "held"


@dataclass
class QueueIndex:
    """Waiting lines, holds, reservations and counts of the current business day."""

    #: (service, is_priority) -> sorted queue keys of waiting tickets not reserved.
    lines: dict[tuple[str, bool], list[tuple]] = field(default_factory=dict)
    #: counter -> sorted queue keys of waiting tickets reserved for that counter.
    reserved: dict[int, list[tuple]] = field(default_factory=dict)
    #: service -> ids of its held tickets.
    held: dict[str, set[str]] = field(default_factory=dict)
    #: service -> waiting tickets (reserved ones included).
    waiting: dict[str, int] = field(default_factory=dict)
    #: service -> tickets issued by kiosks for it today (by issued service; for caps).
    issued: dict[str, int] = field(default_factory=dict)
    #: (prefix, seq_no) -> ticket id, to find a ticket by its printed number.
    numbers: dict[tuple[str, int], str] = field(default_factory=dict)
    #: The latest issue time of the day (a new issue is never stamped before it).
    last_issued_at: dt.datetime | None = None
    #: ticket id -> where it is indexed now: ("line", (service, prio), key),
    #: ("reserved", counter, key) or ("held", service, None).
    places: dict[str, tuple[str, Any, Any]] = field(default_factory=dict)

    # --- maintenance (appliers and reindex only) -----------------------------------------

    def add_issued(self, ticket: Ticket) -> None:
        """Count a new ticket of the day: its number, issue time and (kiosk) cap use."""
        self.numbers[(ticket.prefix, ticket.seq_no)] = ticket.id
        if self.last_issued_at is None or ticket.issued_at > self.last_issued_at:
            self.last_issued_at = ticket.issued_at
        if ticket.origin == "kiosk":
            code = ticket.issued_service
            self.issued[code] = self.issued.get(code, 0) + 1

    def add(self, ticket: Ticket) -> None:
        """Index ``ticket`` where its current fields put it (nowhere unless waiting/held)."""
        if ticket.status == _WAITING:
            key = ticket.queue_key()
            if ticket.reserved_counter is not None:
                place = ("reserved", ticket.reserved_counter, key)
                insort(self.reserved.setdefault(ticket.reserved_counter, []), key)
            else:
                line = (ticket.service, ticket.is_priority)
                place = ("line", line, key)
                insort(self.lines.setdefault(line, []), key)
            self.waiting[ticket.service] = self.waiting.get(ticket.service, 0) + 1
            self.places[ticket.id] = (*place, ticket.service)
        elif ticket.status == _HELD:
            self.held.setdefault(ticket.service, set()).add(ticket.id)
            self.places[ticket.id] = ("held", ticket.service, None, ticket.service)

    def remove(self, ticket_id: str) -> None:
        """Take the ticket out of wherever it is indexed (no-op if nowhere)."""
        place = self.places.pop(ticket_id, None)
        if place is None:
            return
        kind, where, key, service = place
        if kind == "held":
            _discard(self.held, where, ticket_id)
            return
        table = self.lines if kind == "line" else self.reserved
        keys = table[where]
        del keys[bisect_left(keys, key)]
        if not keys:
            del table[where]
        self.waiting[service] -= 1
        if not self.waiting[service]:
            del self.waiting[service]

    def update(self, ticket: Ticket) -> None:
        """Re-index ``ticket`` after its status, service, priority or place changed."""
        self.remove(ticket.id)
        self.add(ticket)

    # --- queries ---------------------------------------------------------------------------

    def line(self, service: str, priority: bool) -> list[tuple]:
        """Sorted keys of the unreserved waiting tickets of one service and class."""
        return self.lines.get((service, priority), _EMPTY)

    def reserved_for(self, counter: int) -> list[tuple]:
        return self.reserved.get(counter, _EMPTY)

    def held_in(self, service: str) -> set[str]:
        return self.held.get(service, _EMPTY_SET)


def _discard(table: dict[str, set[str]], where: str, ticket_id: str) -> None:
    members = table[where]
    members.discard(ticket_id)
    if not members:
        del table[where]


_EMPTY: list[tuple] = []
_EMPTY_SET: set[str] = set()
