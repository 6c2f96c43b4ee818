"""What the engine passes around while it decides one command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .events import Event
from .model import SiteState

@dataclass(frozen=True)
class Command:
    """A request to change the queue. ``counter`` is set for counter actions (from the topic)."""

    action: str
    args: Mapping[str, Any] = field(default_factory=dict)
    counter: int | None = None
    clerk: str | None = None


@dataclass(frozen=True)
class Decision:
    """The events a command produces and the ticket its reply is about."""

    events: list[Event]
    ticket_id: str | None = None


#: Where new ticket ids come from (unguessable tokens in the hub, a sequence in tests).
NewId = Callable[[], str]


class Context:
    """What one decision needs: state, time, id source, and the events decided so far."""

    def __init__(self, state: SiteState, command: Command, now: dt.datetime, new_id: NewId):
        self.state = state
        self.command = command
        self.now = now
        self.new_id = new_id
        self.events: list[Event] = []

    def emit(self, kind: str, ticket_id: str | None = None, **data: Any) -> None:
        counter = data.pop("counter", self.command.counter)
        self.events.append(
            Event(kind, self.now, ticket_id, counter, self.clerk_name(), data)
        )

    def clerk_name(self) -> str | None:
        if self.command.counter is not None:
            counter = self.state.counters.get(self.command.counter)
            if counter is not None and counter.clerk:
                return counter.clerk
        return self.command.clerk


