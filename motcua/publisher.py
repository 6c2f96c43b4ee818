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
from motcua.domain import SiteState, Ticket, TicketStatus
from motcua.domain.engine import issue_refusal
from motcua.domain.selection import mean_service_seconds, open_counters_serving
from motcua.domain.views import iso, ticket_view

log = logging.getLogger(__name__)
RECENT_CALLS = 10


def recent_calls(state: SiteState) -> list[dict[str, Any]]:
    """The last calls of the day, newest first (derived from the tickets' call times)."""
    called = sorted(
        (t for t in state.tickets.values() if t.called_at is not None and t.counter is not None),
        key=lambda t: t.called_at, reverse=True,
    )[:RECENT_CALLS]
    return [{"ticket": t.number, "counter": t.counter, "service": t.service,
             "at": iso(t.called_at, state.setup.timezone)} for t in called]


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

    def service_state(self, state, code, epoch, seq, at) -> contract.ServiceState:
        service = state.setup.services[code]
        waiting = sum(1 for t in state.tickets.values()
                      if t.service == code and t.status is TicketStatus.WAITING)
        counters = max(1, open_counters_serving(state, code))
        return contract.ServiceState(
            **self._stamp(state, epoch, seq, at), code=code, name=service.name,
            prefix=service.prefix, waiting=waiting,
            est_wait_s=round(mean_service_seconds(state, code) * (waiting + 1) / counters),
            issuing=issue_refusal(state, code, at) is None,
        )

    def board(self, state, epoch, seq, at) -> contract.Board:
        waiting: dict[str, int] = {}
        for t in state.tickets.values():
            if t.status is TicketStatus.WAITING:
                waiting[t.service] = waiting.get(t.service, 0) + 1
        return contract.Board(
            **self._stamp(state, epoch, seq, at),
            counters=[{"counter": n, "name": state.setup.counters[n].name,
                       "status": state.counters[n].status.value,
                       "ticket": (state.tickets[state.counters[n].current].number
                                  if state.counters[n].current else None)}
                      for n in sorted(state.counters)],
            services=[{"code": code, "name": s.name, "waiting": waiting.get(code, 0)}
                      for code, s in state.setup.services.items()],
            recent=recent_calls(state),
        )

    # --- publishing ------------------------------------------------------------------

    def _retain(self, topic: str, model) -> None:
        self.bus.publish(topic, contract.dump(model), qos=1, retain=True)

    def publish_all(self, state: SiteState, epoch: str, seq: int, at: dt.datetime) -> None:
        """Every retained topic of the site (after a (re)connect or a start)."""
        for number in state.counters:
            self._retain(self.topics.counter_state(number),
                         self.counter_state(state, number, epoch, seq, at))
        for code in state.setup.services:
            self._retain(self.topics.service_state(code),
                         self.service_state(state, code, epoch, seq, at))
        self._retain(self.topics.board(), self.board(state, epoch, seq, at))

    def publish_commit(self, notice: CommitNotice) -> None:
        """Retained state touched by the committed commands, the board, and the events."""
        state, epoch, at = notice.state, notice.epoch, notice.at
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
                self._publish_event(state, epoch, result.seq, event)
        for number in sorted(counters & set(state.counters)):
            self._retain(self.topics.counter_state(number),
                         self.counter_state(state, number, epoch, notice.seq, at))
        for code in sorted(services & set(state.setup.services)):
            self._retain(self.topics.service_state(code),
                         self.service_state(state, code, epoch, notice.seq, at))
        self._retain(self.topics.board(), self.board(state, epoch, notice.seq, at))

    def _publish_event(self, state: SiteState, epoch: str, seq: int, event) -> None:
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
            waiting = sum(1 for t in state.tickets.values()
                          if t.service == ticket.service and t.status is TicketStatus.WAITING)
            issued = contract.IssuedEvent(
                **stamp, ticket=ticket.number, service=ticket.service, prefix=ticket.prefix,
                priority=ticket.priority.value, waiting=waiting)
            self.bus.publish(self.topics.event_issued(), contract.dump(issued), qos=0)
