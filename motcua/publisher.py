"""What the hub publishes after each commit: retained state, board and call events.

Runs on the dispatcher thread inside a commit listener, so the state it reads is exactly
the committed one. Publishing is asynchronous (paho queues QoS 1 messages while the
broker is away), so a slow broker never holds the writer back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from motcua import contract
from motcua.bus import Bus, message_properties
from motcua.dispatch import CommitNotice
from motcua.domain import SiteState, Ticket
from motcua.domain.engine import issue_refusal
from motcua.domain.selection import new_ticket_wait_seconds, waiting_counts
from motcua.domain.views import board_view, iso, recent_calls, ticket_view

log = logging.getLogger(__name__)
class StatePublisher:
    """Turns the committed state into contract payloads on the bus."""

    def __init__(self, bus: Bus, topics: contract.Topics) -> None:
        self.bus = bus
        self.topics = topics

    # --- payloads ------------------------------------------------------------------

    @staticmethod
    def _stamp(state: SiteState, epoch: str, seq: int, at: dt.datetime) -> dict[str, Any]:
        return {"epoch": epoch, "seq": seq, "at": iso(at, state.setup.timezone)}

    def counter_state(self, state, number, epoch, seq, at) -> contract.CounterState:
        counter = state.counters[number]
        current: Ticket | None = state.tickets.get(counter.current) if counter.current else None
        return contract.CounterState(
            **self._stamp(state, epoch, seq, at), counter=number,
            name=state.setup.counters[number].name, status=counter.status.value,
            clerk=counter.clerk, services=list(state.counter_services(number)),
            ticket=ticket_view(state, current) if current else None,
        )

    def service_state(self, state, code, epoch, seq, at, waiting: int) -> contract.ServiceState:
        service = state.setup.services[code]
        return contract.ServiceState(
            **self._stamp(state, epoch, seq, at), code=code, name=service.name,
            prefix=service.prefix, waiting=waiting,
            est_wait_s=new_ticket_wait_seconds(state, code, waiting),
            issuing=issue_refusal(state, code, at) is None,
        )

    @staticmethod
    def board(state, epoch, seq, at) -> contract.Board:
        return contract.Board.model_validate(board_view(state, epoch, seq, at, recent_calls(state)))

    # --- publishing ------------------------------------------------------------------

    def _retain(self, topic: str, model) -> None:
        self.bus.publish(topic, contract.dump(model), qos=1, retain=True)

    def publish_all(self, state: SiteState, epoch: str, seq: int, at: dt.datetime) -> None:
        """Every retained topic of the site (after a (re)connect or a start)."""
        for number in state.counters:
            self._retain(self.topics.counter_state(number),
                         self.counter_state(state, number, epoch, seq, at))
        waiting = waiting_counts(state)
        for code in state.setup.services:
            self._retain(self.topics.service_state(code),
                         self.service_state(state, code, epoch, seq, at, waiting.get(code, 0)))
        self._retain(self.topics.board(), self.board(state, epoch, seq, at))

    def publish_commit(self, notice: CommitNotice) -> None:
        """Retained state touched by the committed commands, the board, and the events."""
        state, epoch, at = notice.state, notice.epoch, notice.at
        waiting = waiting_counts(state)  # after the whole batch, once
        counters: set[int] = set()
        services: set[str] = set()
        for _request, result in notice.results:
            for event in result.events:
                if event.kind == "day_started":
                    counters.update(state.counters)
                    services.update(state.setup.services)
                if event.counter is not None:
                    counters.add(event.counter)
                ticket = state.tickets.get(event.ticket_id) if event.ticket_id else None
                if ticket is not None:
                    services.add(ticket.service)
                    if ticket.counter is not None:
                        counters.add(ticket.counter)
                if "from_service" in event.data:
                    services.add(event.data["from_service"])
                self._publish_event(state, epoch, result.seq, event, waiting)
        for number in sorted(counters & set(state.counters)):
            self._retain(self.topics.counter_state(number),
                         self.counter_state(state, number, epoch, notice.seq, at))
        for code in sorted(services & set(state.setup.services)):
            self._retain(self.topics.service_state(code),
                         self.service_state(state, code, epoch, notice.seq, at,
                                            waiting.get(code, 0)))
        self._retain(self.topics.board(), self.board(state, epoch, notice.seq, at))

    def _publish_event(self, state: SiteState, epoch: str, seq: int, event,
                       waiting: dict[str, int]) -> None:
        ticket = state.tickets.get(event.ticket_id) if event.ticket_id else None
        if ticket is None:
            return
        stamp = {"epoch": epoch, "seq": seq, "at": iso(event.at, state.setup.timezone)}
        # A walk-in is already at the counter: announcing them would call no one.
        if event.kind in ("ticket_called", "ticket_recalled") and ticket.origin != "walk_in":
            called = contract.CalledEvent(
                **stamp, ticket=ticket.number, counter=event.counter, service=ticket.service,
                recall=event.data.get("recall", 0))
            self.bus.publish(self.topics.event_called(), contract.dump(called), qos=1,
                             properties=message_properties(
                                 message_expiry_s=contract.CALLED_EXPIRY_S))
        elif event.kind == "ticket_issued":
            issued = contract.IssuedEvent(
                **stamp, ticket=ticket.number, service=ticket.service, prefix=ticket.prefix,
                priority=ticket.priority.value, waiting=waiting.get(ticket.service, 0))
            self.bus.publish(self.topics.event_issued(), contract.dump(issued), qos=0)
