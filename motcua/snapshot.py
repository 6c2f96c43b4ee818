"""Committed snapshots for readers on other threads (the HTTP API).

The dispatcher's :class:`~motcua.domain.SiteState` is mutated in place by its writer
thread while a batch is decided, before the batch is committed; a request thread that
read it directly could see a half-applied batch (a ticket ``called`` whose counter still
shows the previous ticket, or a ticket that is never committed at all).

So readers never touch the state. :class:`CommittedReads` asks the writer thread, between
two batches (when the state is exactly the last commit), to build an immutable
:class:`Snapshot` of what the HTTP API serves: the board, the service list and the
waiting counts. A snapshot is built at most once per committed ``seq`` and only when a
reader asks for it, so a busy writer with nobody reading pays nothing, and a writer with
readers pays one build per commit at most, never one per request. Ticket views are
looked up the same way (one ticket, on the writer thread, cached in the snapshot of
their ``seq``): a view never needs a scan of the day. If the writer does not answer in
time (a database stalled in a retry), readers get the last snapshot they had, which is
old but was committed.

The board shows each ticket's latest call only, and a recall changes nothing on it, so a
page that must *announce* calls (the web board) cannot tell them apart from the board. The
snapshot therefore also carries ``calls``: the last :data:`CALL_LOG_SIZE` call events in
commit order, exactly the bodies of the contract's ``event/called`` (epoch, seq, at, ticket,
counter, service, recall). :class:`CallLog` records them from the dispatcher's commit
notices on the writer thread, so a snapshot built there holds exactly the committed calls.

Tickets of earlier business days are final (the day roll expires whatever was left), so
they are not in the live state; the HTTP API reads those from the database, where the
writer no longer changes them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from motcua.domain import CounterStatus, SiteState
from motcua.domain.selection import new_ticket_wait_seconds, waiting_counts
from motcua.domain.views import board_view, iso, recent_calls, ticket_view

if TYPE_CHECKING:
    from motcua.dispatch import CommitNotice, Dispatcher

log = logging.getLogger(__name__)

T = TypeVar("T")
#: How long a reader waits for the writer thread to build a snapshot before falling back
#: to the last one it has (the writer finishes any batch in milliseconds when healthy).
READ_TIMEOUT_S = 2.0
#: Call events kept for the snapshot: more than a lobby can announce in a minute (one
#: announcement lasts 11-15 s), so a board that was away for a few seconds misses none.
CALL_LOG_SIZE = 20
#: Event kinds that are announced (the same as the hub's ``event/called``).
CALL_KINDS = ("ticket_called", "ticket_recalled")


class SnapshotUnavailable(RuntimeError):
    """The writer did not answer in time and no earlier snapshot exists yet."""


@dataclass(frozen=True)
class Snapshot:
    """What the site looked like right after the commit of ``seq``; never changes.

    ``board`` is the contract's board object; ``services`` the HTTP service entries
    (code, prefix, name, field, active, waiting, est_wait_s, open counters), in setup order.
    Readers must not mutate the dicts they get.
    """

    seq: int
    epoch: str
    business_day: dt.date | None
    at: dt.datetime
    board: Mapping[str, Any]
    services: tuple[Mapping[str, Any], ...]
    waiting: Mapping[str, int]
    #: The last call events, oldest first, as the contract's ``event/called`` bodies.
    calls: tuple[Mapping[str, Any], ...] = ()
    #: Ticket views looked up at this ``seq`` (filled lazily; each entry is final).
    _tickets: dict[str, Mapping[str, Any] | None] = field(default_factory=dict, repr=False,
                                                         compare=False)
    #: Other views derived at this ``seq`` (:meth:`CommittedReads.derived`), by key.
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def service_entries(state: SiteState, waiting: Mapping[str, int]) -> tuple[dict[str, Any], ...]:
    """Every service with its queue length, the wait a new ticket faces, its open counters."""
    open_counters = [number for number in sorted(state.counters)
                     if state.counters[number].status is CounterStatus.OPEN]
    entries = []
    for code, service in state.setup.services.items():
        count = waiting.get(code, 0)
        entries.append({
            "code": code,
            "prefix": service.prefix,
            "name": service.name,
            "field": service.field,
            "active": service.active,
            "waiting": count,
            "est_wait_s": new_ticket_wait_seconds(state, code, count),
            "counters": [number for number in open_counters
                         if code in state.counter_services(number)],
        })
    return tuple(entries)


def build_snapshot(state: SiteState, epoch: str, seq: int, at: dt.datetime,
                   calls: tuple[Mapping[str, Any], ...] = ()) -> Snapshot:
    """The snapshot of ``state`` (call on the writer thread, between batches)."""
    waiting = waiting_counts(state)
    return Snapshot(
        seq=seq, epoch=epoch, business_day=state.business_day, at=at,
        board=board_view(state, epoch, seq, at, recent_calls(state)),
        services=service_entries(state, waiting), waiting=dict(waiting), calls=calls,
    )


class CallLog:
    """The last :data:`CALL_LOG_SIZE` calls and recalls, oldest first; writer thread only.

    Attach it with ``dispatcher.add_listener(log.on_commit)``. A new business day empties
    it (the board's recent calls are emptied too); a walk-in's call is not logged, as the
    hub does not announce it (the citizen is already at the counter).
    """

    def __init__(self, size: int = CALL_LOG_SIZE) -> None:
        self._calls: deque[Mapping[str, Any]] = deque(maxlen=size)

    def on_commit(self, notice: "CommitNotice") -> None:
        state = notice.state
        for _request, result in notice.results:
            for event in result.events:
                if event.kind == "day_started":
                    self._calls.clear()
                if event.kind not in CALL_KINDS:
                    continue
                ticket = state.tickets.get(event.ticket_id) if event.ticket_id else None
                if ticket is None or ticket.origin == "walk_in":
                    continue
                self._calls.append({
                    "epoch": notice.epoch, "seq": result.seq,
                    "at": iso(event.at, state.setup.timezone), "ticket": ticket.number,
                    "counter": event.counter, "service": ticket.service,
                    "recall": event.data.get("recall", 0),
                })

    def calls(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(self._calls)


class CommittedReads:
    """Snapshots of one dispatcher's committed state, for any thread; see the module."""

    def __init__(self, dispatcher: "Dispatcher", *, timeout_s: float = READ_TIMEOUT_S) -> None:
        self.dispatcher = dispatcher
        self.timeout_s = timeout_s
        self._latest: Snapshot | None = None
        self._lock = threading.Lock()
        self._building: Future | None = None
        self._calls = CallLog()
        dispatcher.add_listener(self._calls.on_commit)

    def snapshot(self) -> Snapshot:
        """The snapshot of the last commit (or the last one built, if the writer is stuck).

        Raises:
            SnapshotUnavailable: the writer did not answer and there is no earlier one.
        """
        latest = self._latest
        if latest is not None and latest.seq == self.dispatcher.seq \
                and latest.epoch == self.dispatcher.epoch:
            return latest
        with self._lock:
            # Concurrent readers share one build instead of queueing one each.
            building = self._building
            if building is None or building.done():
                building = self._building = self._on_writer(self._build)
        try:
            return building.result(self.timeout_s)
        except FutureTimeout:
            if self._latest is None:
                raise SnapshotUnavailable("the writer thread did not answer") from None
            log.warning("writer busy: serving the snapshot of seq %d", self._latest.seq)
            return self._latest

    def ticket(self, ticket_id: str) -> tuple[Snapshot, Mapping[str, Any] | None]:
        """Today's view of ``ticket_id`` as of the snapshot returned with it (None when the
        ticket is not one of the current business day's)."""
        snapshot = self.snapshot()
        if ticket_id in snapshot._tickets:
            return snapshot, snapshot._tickets[ticket_id]

        def look_up() -> tuple[Snapshot, Mapping[str, Any] | None]:
            current = self._build() if self.dispatcher.seq != snapshot.seq else snapshot
            state = self.dispatcher.state
            found = state.tickets.get(ticket_id)
            view = ticket_view(state, found) if found is not None else None
            current._tickets[ticket_id] = view
            return current, view

        try:
            return self._on_writer(look_up).result(self.timeout_s)
        except FutureTimeout:
            raise SnapshotUnavailable("the writer thread did not answer") from None

    def derived(self, key: Any, build: Callable[[SiteState, dt.datetime], T]) -> tuple[Snapshot, T]:
        """``build(state, at)`` as of the returned snapshot, built on the writer thread at
        most once per committed ``seq`` and ``key`` (e.g. a clerk panel's counter view).

        ``build`` reads the state, never changes it, and returns a fresh object that
        readers must not mutate; ``key`` names what it builds (same key, same build).

        Raises:
            SnapshotUnavailable: the writer did not answer in time.
        """
        snapshot = self.snapshot()
        if key in snapshot._derived:
            return snapshot, snapshot._derived[key]

        def look_up() -> tuple[Snapshot, T]:
            current = self._build() if self.dispatcher.seq != snapshot.seq else snapshot
            if key not in current._derived:
                current._derived[key] = build(self.dispatcher.state, current.at)
            return current, current._derived[key]

        try:
            return self._on_writer(look_up).result(self.timeout_s)
        except FutureTimeout:
            raise SnapshotUnavailable("the writer thread did not answer") from None

    # --- on the writer thread -------------------------------------------------------

    def _build(self) -> Snapshot:
        dispatcher = self.dispatcher
        latest = self._latest
        if latest is not None and latest.seq == dispatcher.seq and latest.epoch == dispatcher.epoch:
            return latest
        built = build_snapshot(dispatcher.state, dispatcher.epoch, dispatcher.seq,
                               dispatcher.clock(), self._calls.calls())
        self._latest = built
        return built

    def _on_writer(self, read: Callable[[], T]) -> "Future[T]":
        future: Future = Future()

        def task() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(read())
            except BaseException as exc:  # noqa: BLE001 - handed to the reader
                future.set_exception(exc)

        self.dispatcher.run_in_writer(task)
        return future
