"""What the hub publishes after each commit (retained state, board, call events, replies),
and the thread that publishes it.

Two halves, so the writer never waits on JSON or paho:

* On the dispatcher thread, right after a commit, :meth:`StatePublisher.publish_commit`
  reads the committed state and builds plain payload dicts (the views of the touched
  counters and services, the board, the call and issue events). Their cost depends on
  the counters, services and the batch, not on the day's tickets (the domain's views are
  expected to be indexed). The dicts are fresh objects nobody else holds, so handing them
  to another thread is safe.
* On the publisher thread, each payload is dumped to JSON
  (:func:`motcua.contract.dump_view`: built by the hub, so not validated again; the
  tests validate every kind against its contract model in ``_MODELS``) and published
  with :meth:`motcua.bus.Bus.publish_contract`, which takes QoS, retain flag and expiry
  from the contract's topic table.

Coalescing: a retained topic (counter state, service state, board) has at most one
message waiting to be sent; a newer payload replaces the waiting one and takes its place
at the end of the queue (so it still goes after the replies and events of its own
commit), so a publisher that falls behind sends only the latest state of each topic and
never sends a topic's ``seq`` out of order. Events (``event/called``, ``event/issued``) and replies are
never coalesced: each one is sent, in commit order.

Order within a commit: replies (sent by the hub as the commands resolve), the events, the board,
then the touched counter and service states.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from motcua import contract
from motcua.dispatch import CommitNotice
from motcua.domain import SiteState, Ticket
from motcua.domain.engine import issue_refusal
from motcua.domain.selection import new_ticket_wait_seconds, waiting_counts
from motcua.domain.views import board_view, iso, recent_calls, ticket_view

log = logging.getLogger(__name__)

#: Contract model of each payload kind the publisher builds (what the tests hold its
#: payloads to; the publisher itself does not validate them again).
_MODELS: dict[str, type[contract.ContractModel]] = {
    "counter_state": contract.CounterState,
    "service_state": contract.ServiceState,
    "board": contract.Board,
    "event_called": contract.CalledEvent,
    "event_issued": contract.IssuedEvent,
}


@dataclass(frozen=True)
class Outgoing:
    """One message to publish: ``body`` has the shape of ``kind``'s contract model."""

    topic: str
    kind: str
    body: Mapping[str, Any]
    retained: bool


class PublishQueue:
    """FIFO of messages for one publisher thread, with one slot per retained topic.

    Thread-safe. ``put`` never blocks; a retained topic already waiting has its payload
    replaced, and moves to the end of the queue (see the module docstring).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._order: deque[tuple[str, Any]] = deque()
        #: topic -> (generation, waiting message); an order entry of an older generation
        #: is the place a replaced message left, and is skipped.
        self._retained: dict[str, tuple[int, Outgoing]] = {}
        self._generation = 0
        self._busy = False
        self.coalesced = 0

    def put(self, item: Outgoing) -> None:
        with self._cond:
            if item.retained:
                if item.topic in self._retained:
                    self.coalesced += 1
                self._generation += 1
                self._retained[item.topic] = (self._generation, item)
                self._order.append(("retained", (item.topic, self._generation)))
            else:
                self._order.append(("once", item))
            self._cond.notify()

    def put_call(self, call: Callable[[], None]) -> None:
        """Run ``call`` on the publisher thread in FIFO order (replies)."""
        with self._cond:
            self._order.append(("call", call))
            self._cond.notify()

    def take(self, stopping: Callable[[], bool]) -> tuple[str, Any] | None:
        """The next item, waiting for one; None once ``stopping()`` and empty."""
        with self._cond:
            self._busy = False
            self._cond.notify_all()
            while True:
                while not self._order:
                    if stopping():
                        return None
                    self._cond.wait(0.5)
                kind, value = self._order.popleft()
                if kind == "retained":
                    topic, generation = value
                    waiting = self._retained.get(topic)
                    if waiting is None or waiting[0] != generation:
                        continue  # replaced by a newer payload further back
                    value = self._retained.pop(topic)[1]
                self._busy = True
                return kind, value

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait_empty(self, timeout: float) -> bool:
        """Wait until everything queued so far has been handled; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._order and not self._busy, timeout)

    def __len__(self) -> int:
        with self._cond:
            return len(self._order)


class StatePublisher:
    """Builds contract payloads from the committed state and publishes them on a thread.

    ``bus`` needs ``publish_contract(topic, payload)`` (a :class:`motcua.bus.Bus`).
    Call :meth:`start` before publishing and :meth:`stop` before closing the bus.
    """

    def __init__(self, bus, topics: contract.Topics) -> None:
        self.bus = bus
        self.topics = topics
        self.queue = PublishQueue()
        #: counter -> (epoch, seq, payload): the latest counter state built, shared by a
        #: reply that carries it and the retained publish of the same commit.
        self._counter_views: dict[int, tuple[str, int, dict[str, Any]]] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> "StatePublisher":
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="motcua-publisher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (up to ``timeout``), then stop the thread."""
        if self._thread is None:
            return
        self.queue.wait_empty(timeout)
        self._stopping = True
        self.queue.wake()
        self._thread.join(timeout)
        self._thread = None

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far has been handed to the bus."""
        return self.queue.wait_empty(timeout)

    def call(self, task: Callable[[], None]) -> None:
        """Run ``task`` on the publisher thread, after what is queued (for replies)."""
        self.queue.put_call(task)

    # --- payloads (dispatcher thread) -----------------------------------------------

    @staticmethod
    def _stamp(state: SiteState, epoch: str, seq: int, at: dt.datetime) -> dict[str, Any]:
        return {"epoch": epoch, "seq": seq, "at": iso(at, state.setup.timezone)}

    def counter_state(self, state, number, epoch, seq, at) -> dict[str, Any]:
        counter = state.counters[number]
        current: Ticket | None = state.tickets.get(counter.current) if counter.current else None
        return {
            **self._stamp(state, epoch, seq, at), "counter": number,
            "name": state.setup.counters[number].name, "status": counter.status.value,
            "clerk": counter.clerk, "services": list(state.counter_services(number)),
            "ticket": ticket_view(state, current) if current else None,
        }

    def counter_after_commit(self, state, number, epoch, seq, at) -> dict[str, Any]:
        """The state payload of counter ``number`` at ``seq``, built once per commit: the
        replies to that counter's commands carry it and its retained topic sends the same
        object. Dispatcher thread only; callers must not change it."""
        cached = self._counter_views.get(number)
        if cached is not None and cached[0] == epoch and cached[1] == seq:
            return cached[2]
        view = self.counter_state(state, number, epoch, seq, at)
        self._counter_views[number] = (epoch, seq, view)
        return view

    def service_state(self, state, code, epoch, seq, at, waiting: int) -> dict[str, Any]:
        service = state.setup.services[code]
        return {
            **self._stamp(state, epoch, seq, at), "code": code, "name": service.name,
            "prefix": service.prefix, "field": service.field, "waiting": waiting,
            "est_wait_s": new_ticket_wait_seconds(state, code, waiting),
            "issuing": issue_refusal(state, code, at) is None,
        }

    @staticmethod
    def board(state, epoch, seq, at) -> dict[str, Any]:
        return board_view(state, epoch, seq, at, recent_calls(state))

    def _retain(self, topic: str, kind: str, body: dict[str, Any]) -> None:
        self.queue.put(Outgoing(topic, kind, body, retained=True))

    def publish_all(self, state: SiteState, epoch: str, seq: int, at: dt.datetime) -> None:
        """Queue every retained topic of the site (after a (re)connect or a start).
        Call on the dispatcher thread, between batches."""
        for number in sorted(state.counters):
            self._retain(self.topics.counter_state(number), "counter_state",
                         self.counter_after_commit(state, number, epoch, seq, at))
        waiting = waiting_counts(state)
        for code in state.setup.services:
            self._retain(self.topics.service_state(code), "service_state",
                         self.service_state(state, code, epoch, seq, at, waiting.get(code, 0)))
        self._retain(self.topics.board(), "board", self.board(state, epoch, seq, at))

    def publish_commit(self, notice: CommitNotice,
                       waiting: Mapping[str, int] | None = None) -> None:
        """Queue the events of the committed commands, the retained state they touched and
        the board. Call on the dispatcher thread inside a commit listener; ``waiting`` is
        the per-service waiting count after the batch when the caller has it already."""
        state, epoch, at = notice.state, notice.epoch, notice.at
        if waiting is None:
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
                self._queue_event(state, epoch, result.seq, event, ticket, waiting)
        # The board first: the public display is what people in the hall watch, so it
        # follows the replies (sent when the commands resolved) and the events closely;
        # the devices' own retained states come after it.
        self._retain(self.topics.board(), "board", self.board(state, epoch, notice.seq, at))
        for number in sorted(counters & state.counters.keys()):
            self._retain(self.topics.counter_state(number), "counter_state",
                         self.counter_after_commit(state, number, epoch, notice.seq, at))
        for code in sorted(services & state.setup.services.keys()):
            self._retain(self.topics.service_state(code), "service_state",
                         self.service_state(state, code, epoch, notice.seq, at,
                                            waiting.get(code, 0)))

    def _queue_event(self, state: SiteState, epoch: str, seq: int, event,
                     ticket: Ticket | None, waiting: Mapping[str, int]) -> None:
        if ticket is None:
            return
        stamp = {"epoch": epoch, "seq": seq, "at": iso(event.at, state.setup.timezone)}
        # A walk-in is already at the counter: announcing them would call no one.
        if event.kind in ("ticket_called", "ticket_recalled") and ticket.origin != "walk_in":
            body = {**stamp, "ticket": ticket.number, "counter": event.counter,
                    "service": ticket.service, "recall": event.data.get("recall", 0)}
            self.queue.put(Outgoing(self.topics.event_called(), "event_called", body, False))
        elif event.kind == "ticket_issued":
            body = {**stamp, "ticket": ticket.number, "service": ticket.service,
                    "prefix": ticket.prefix, "priority": ticket.priority.value,
                    "waiting": waiting.get(ticket.service, 0)}
            self.queue.put(Outgoing(self.topics.event_issued(), "event_issued", body, False))

    # --- publishing (publisher thread) ------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self.queue.take(lambda: self._stopping)
            if item is None:
                return
            kind, value = item
            try:
                if kind == "call":
                    value()
                else:
                    self._send(value)
            except Exception:  # noqa: BLE001 - one bad payload must not stop publishing
                log.exception("publishing failed")

    def _send(self, item: Outgoing) -> None:
        self.bus.publish_contract(item.topic, contract.dump_view(item.body))
