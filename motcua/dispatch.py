"""The single writer of a site: every state-changing command goes through here.

Commands from MQTT, HTTP or the clerk panel enter one queue. One thread takes whatever
is queued (up to ``batch_max``), lets the pure engine decide each command in order, and
writes the whole batch in one transaction (group commit): events, tickets, counters,
numbers, request ids and the new ``seq``. Callers get their :class:`Result` only after
that commit, so an answered command survives a crash. If a batch cannot be written, the
state is reloaded from the database and each command is retried alone, so one bad
command never takes its neighbours down and nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import queue
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy.exc

from motcua.contract import COMMAND_EXPIRY_S
from motcua.domain import Command, DomainError, Event, SiteState, apply_event, decide
from motcua.domain.events import touched_tickets
from motcua.domain.numbering import business_day
from motcua.domain.views import ticket_view
from motcua.errors import WireError
from motcua.store import Batch, HubLock, SiteStore, StoreConflict
from motcua.store import codec

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Called on the writer thread for each new (not repeated, not expired) request before the
#: engine decides it: a Result answers the request instead of the engine (kept for
#: idempotence when ok; a refusal such as ``rate_limited`` is transient and not kept).
Intercept = Callable[["Request", dt.datetime], "Result | None"]
#: How old a command without an MQTT expiry may be (by ``sent_at``) before it is refused.
DEFAULT_MAX_AGE_S = float(COMMAND_EXPIRY_S)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


#: Start of the ticket ids' time prefix (the prefix keeps eight characters until 2109).
_ID_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_ticket_id() -> str:
    """An unguessable ticket token (the public ticket page is reachable by it alone):
    96 random bits, after an 8-character time prefix.

    The prefix (milliseconds since 2020 in base 36: digits and lower-case letters, which
    sort the same in SQLite and in PostgreSQL's usual collations) makes ids increase
    through the day, so the database indexes keyed by ticket id (the ticket's primary
    key, the event log's ticket index) take each new ticket at their right edge. With
    random ids every batch dirtied pages all over those indexes, and a commit wrote more
    pages as the day's tickets grew (a dispatcher-only day slowed by a fifth). The
    prefix tells only the issue time, which the printed ticket shows anyway."""
    ms = max(0, time.time_ns() // 1_000_000 - _ID_EPOCH_MS)
    prefix = []
    for _ in range(8):
        ms, digit = divmod(ms, 36)
        prefix.append(_BASE36[digit])
    return "".join(reversed(prefix)) + secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Request:
    """A command plus where it came from. ``source`` is the device topic (or HTTP client)
    that idempotence is keyed by together with ``request_id``."""

    command: Command
    source: str = "internal"
    request_id: str | None = None
    sent_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None

    def payload_hash(self) -> str:
        body = {"action": self.command.action, "args": self.command.args,
                "counter": self.command.counter}
        return hashlib.sha256(codec.dumps(body).encode()).hexdigest()


@dataclass(frozen=True)
class Result:
    """What a command did. ``seq`` is set when it changed the queue."""

    request_id: str | None
    ok: bool
    ticket: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    seq: int | None = None
    events: tuple[Event, ...] = ()
    repeated: bool = False
    action: str = ""

    def reply(self) -> dict[str, Any]:
        """The contract's reply body: ``{"id", "ok", "ticket", "error"}``."""
        return {"id": self.request_id, "ok": self.ok, "ticket": self.ticket, "error": self.error}


@dataclass
class CommitNotice:
    """Handed to listeners after a commit, on the dispatcher thread: the state is current.

    ``state`` is the writer's live state: read it inside the listener only, and hand other
    threads fresh objects built from it (see :mod:`motcua.publisher`, :mod:`motcua.snapshot`).
    ``results`` holds only the commands that produced events."""

    results: list[tuple[Request, Result]]
    state: SiteState
    epoch: str
    seq: int
    at: dt.datetime


@dataclass
class _Pending:
    request: Request
    future: Future = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)


_STOP = object()


def storage_error_code(exc: BaseException) -> str:
    """Map a database failure to a stable error code for the reply."""
    if isinstance(exc, (StoreConflict, sqlalchemy.exc.IntegrityError)):
        return "conflict"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "storage_busy"
    if "full" in text or "no space" in text:
        return "storage_full"
    return "storage_error"


class Dispatcher:
    """Owns a site's live state; see the module docstring. Start with :meth:`start`."""

    def __init__(
        self,
        store: SiteStore,
        *,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = new_ticket_id,
        batch_max: int = 128,
        tick_interval_s: float = 30.0,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        intercept: Intercept | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.new_id = new_id
        self.batch_max = batch_max
        self.tick_interval_s = tick_interval_s
        self.max_age_s = max_age_s
        self.intercept = intercept
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._listeners: list[Callable[[CommitNotice], None]] = []
        self._observers: list[Callable[[Request, Result, float], None]] = []
        self._lock = HubLock(store.engine, store.site_id)
        self._thread: threading.Thread | None = None
        self._submit_lock = threading.Lock()
        self._accepting = False
        self.state: SiteState | None = None
        self.epoch = ""
        self.seq = 0
        #: When the last commit was decided (None until one, and after a reload).
        self.committed_at: dt.datetime | None = None
        self._requests: dict[tuple[str, str], Any] = {}
        self._stale = False

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> "Dispatcher":
        """Take the single-hub lock, load the state, start the writer thread."""
        self._lock.acquire()
        try:
            self._setup = self.store.load_setup()
            self._reload()
        except BaseException:
            self._lock.release()
            raise
        self._thread = threading.Thread(target=self._run, name="motcua-dispatcher", daemon=True)
        self._accepting = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, stop the thread, release the lock."""
        if self._thread is not None:
            # Under the submit lock: whatever was queued before _STOP is decided, whatever
            # comes after is refused at once, so no caller is left without an answer.
            with self._submit_lock:
                self._accepting = False
                self._queue.put(_STOP)
            self._thread.join(timeout)
            if not self._thread.is_alive():  # else the writer may still be using it
                close = getattr(self.store, "close", None)
                if close is not None:
                    close(self._thread.ident)  # the connection the writer kept
            self._thread = None
        self._lock.release()

    def __enter__(self) -> "Dispatcher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def add_listener(self, listener: Callable[[CommitNotice], None]) -> None:
        """Call ``listener`` after every commit that changed the queue (dispatcher thread)."""
        self._listeners.append(listener)

    def add_observer(self, observer: Callable[[Request, Result, float], None]) -> None:
        """Call ``observer(request, result, seconds_in_dispatcher)`` for every result
        (for metrics; dispatcher thread, so keep it cheap)."""
        self._observers.append(observer)

    def _resolve(self, pending: _Pending, result: Result) -> None:
        pending.future.set_result(result)
        elapsed = time.monotonic() - pending.queued_at
        for observer in self._observers:
            try:
                observer(pending.request, result, elapsed)
            except Exception:  # noqa: BLE001 - metrics must never stop the writer
                log.exception("result observer failed")

    def on_writer_thread(self) -> bool:
        """Whether the caller is the writer thread (the only one that may read the state)."""
        thread = self._thread
        return thread is not None and thread.ident == threading.get_ident()

    def run_in_writer(self, task: Callable[[], None]) -> None:
        """Run ``task`` on the writer thread between batches, when the state is exactly
        the last commit (it may read the state, never change it). Tasks queued while a
        batch is decided run after that batch's commit and listeners."""
        self._queue.put(task)

    # --- submitting ------------------------------------------------------------------

    def submit(self, request: Request) -> Future:
        """Queue ``request``; the future resolves to its Result after the commit."""
        pending = _Pending(request)
        with self._submit_lock:
            if self._accepting:
                self._queue.put(pending)
                return pending.future
        pending.future.set_result(self._refusal(request, WireError("shutting_down")))
        return pending.future

    def execute(self, request: Request, timeout: float = 30.0) -> Result:
        """Submit and wait for the durable result."""
        return self.submit(request).result(timeout)

    # --- the writer thread -------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.tick_interval_s)
            except queue.Empty:
                first = _Pending(Request(Command("tick")))
            batch = [first]
            while len(batch) < self.batch_max:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = any(item is _STOP for item in batch)
            for task in [item for item in batch if callable(item)]:
                try:
                    task()
                except Exception:  # noqa: BLE001 - a task must not stop the writer
                    log.exception("writer task failed")
            work = [item for item in batch if isinstance(item, _Pending)]
            if work:
                self._process(work)
            if stopping:
                return

    def _process(self, work: list[_Pending]) -> None:
        if self._stale and not self._try_reload():
            for pending in work:
                self._resolve(pending, self._refusal(pending.request, WireError("storage_error")))
            return
        try:
            outcomes, notice = self._decide_and_commit(work)
        except Exception as exc:  # noqa: BLE001 - any failure: nothing was written
            # The batch was applied in memory but not stored: the database is the truth.
            self._stale = True
            self._try_reload()
            if len(work) > 1:
                log.warning("batch of %d failed (%s); retrying one by one", len(work), exc)
                for pending in work:
                    self._process([pending])
                return
            code = storage_error_code(exc)
            log.error("command %s refused: %s (%s)", work[0].request.command.action, code, exc)
            self._resolve(work[0], self._refusal(work[0].request, WireError(code)))
            return
        for pending, result in outcomes:
            self._resolve(pending, result)
        # Hand the GIL over once: the threads just woken by these results (the hub's
        # publisher sending replies, HTTP handlers) run now instead of after the
        # listeners' work and the next batch; closed-loop devices wait for those replies.
        time.sleep(0)
        if notice is not None:
            for listener in self._listeners:
                try:
                    listener(notice)
                except Exception:  # noqa: BLE001 - a publisher bug must not stop the writer
                    log.exception("commit listener failed")

    def _decide_and_commit(self, work: list[_Pending]):
        state = self.state
        now = self.clock()
        batch = Batch(seq_before=self.seq)
        seq = self.seq
        outcomes: list[tuple[_Pending, Result]] = []
        in_batch: dict[tuple[str, str], tuple[str, _StoredReply]] = {}
        changed: list[tuple[Request, Result]] = []
        for pending in work:
            request = pending.request
            key = (request.source, request.request_id) if request.request_id else None
            payload_hash = request.payload_hash()
            earlier = self._requests.get(key) if key else None
            if key and key in in_batch:
                earlier = in_batch[key][1]
            if earlier is not None:
                outcomes.append((pending, self._repeat(request, earlier, payload_hash)))
                continue
            if self._expired(request, now):
                log.info("expired %s from %s refused", request.command.action, request.source)
                outcomes.append((pending, self._refusal(request, WireError("expired"))))
                continue
            answered = self.intercept(request, now) if self.intercept is not None else None
            if answered is not None:
                if answered.ok and key:
                    self._remember(batch, in_batch, key, payload_hash, answered, state, now)
                outcomes.append((pending, answered))
                continue
            try:
                decision = decide(state, request.command, now, self.new_id)
            except DomainError as refusal:
                log.info("%s from %s refused: %s", request.command.action, request.source,
                         refusal.code)
                result = self._refusal(request, refusal)
            else:
                seq += 1
                for event in decision.events:
                    self._apply_tracked(state, event, batch)
                    batch.events.append(codec.event_to_row(
                        self.store.site_id, seq, event, request.source, request.request_id))
                view = None
                if decision.ticket_id is not None:
                    ticket = state.tickets.get(decision.ticket_id)
                    view = ticket_view(state, ticket) if ticket is not None else None
                result = Result(request.request_id, True, view, None, seq,
                                tuple(decision.events), action=request.command.action)
                if decision.events:
                    changed.append((request, result))
            if key:
                self._remember(batch, in_batch, key, payload_hash, result, state, now)
            outcomes.append((pending, result))
        if not batch.events and not batch.requests:
            return outcomes, None
        # Rows of the counters the batch touched, once per batch (not once per event).
        for number in batch.counters:
            batch.counters[number] = codec.counter_to_row(state.counters[number])
        batch.seq_after = seq
        batch.business_day = state.business_day
        self.store.commit(batch)
        if batch.purge_requests_before is not None:
            self._requests = {}
        self.seq = seq
        self.committed_at = now
        for key, (_payload_hash, stored) in in_batch.items():
            self._requests[key] = stored
        notice = CommitNotice(changed, state, self.epoch, seq, now) if changed else None
        return outcomes, notice

    def _remember(self, batch: Batch, in_batch: dict, key: tuple[str, str],
                  payload_hash: str, result: Result, state: SiteState,
                  now: dt.datetime) -> None:
        """Keep ``result`` as the answer to ``key`` (this batch, then the database)."""
        stored = _StoredReply(payload_hash, codec.dumps(result.reply()))
        in_batch[key] = (payload_hash, stored)
        batch.requests.append({
            "site_id": self.store.site_id, "source": key[0], "request_id": key[1],
            "business_day": state.business_day or _local_day(state, now),
            "payload_hash": payload_hash, "result": stored.text,
            "created_at": now,
        })

    def _apply_tracked(self, state: SiteState, event: Event, batch: Batch) -> None:
        """Apply ``event`` and note in ``batch`` every row it changes."""
        for ticket_id in touched_tickets(state, event):
            if ticket_id not in batch.tickets:
                ticket = state.tickets[ticket_id]
                batch.tickets[ticket_id] = (ticket, ticket.status.value)
                if ticket.counter is not None:
                    batch.counters.setdefault(ticket.counter, {})
        if event.kind == "ticket_issued":
            day = dt.date.fromisoformat(event.data["business_day"])
            key = (event.data["prefix"], day)
            if key not in batch.numbers:
                old = state.last_numbers.get(key[0], 0) if state.business_day == day else 0
                batch.numbers[key] = (old, old)
        apply_event(state, event)
        if event.kind == "ticket_issued":
            ticket = state.tickets[event.ticket_id]
            batch.tickets[ticket.id] = (ticket, None)
            key = (ticket.prefix, ticket.business_day)
            batch.numbers[key] = (batch.numbers[key][0], ticket.seq_no)
        if event.kind == "day_started":
            batch.purge_requests_before = state.business_day
            for number in state.counters:
                batch.counters.setdefault(number, {})
        if event.counter is not None:
            batch.counters.setdefault(event.counter, {})

    # --- helpers -------------------------------------------------------------------------

    def _try_reload(self) -> bool:
        """Reload from the database; on failure stay stale and refuse until it works."""
        try:
            self._reload()
        except Exception:  # noqa: BLE001 - the database may be down or locked for a while
            log.exception("cannot reload the queue state from the database")
            return False
        self._stale = False
        return True

    def _reload(self) -> None:
        loaded = self.store.load(self._setup)
        self.state, self.epoch, self.seq = loaded.state, loaded.epoch, loaded.seq
        self.committed_at = None
        self._requests = {
            key: codec_stored(stored.payload_hash, stored.result)
            for key, stored in self.store.load_requests(self.state.business_day).items()
        }

    def _expired(self, request: Request, now: dt.datetime) -> bool:
        if request.expires_at is not None and now > request.expires_at:
            return True
        if request.sent_at is not None:
            return (now - request.sent_at).total_seconds() > self.max_age_s
        return False

    def _repeat(self, request: Request, earlier: "_StoredReply", payload_hash: str) -> Result:
        if earlier.payload_hash != payload_hash:
            log.info("request id %s from %s reused for another payload",
                     request.request_id, request.source)
            return self._refusal(request, WireError("id_reused", id=request.request_id))
        reply = earlier.reply
        return Result(request.request_id, reply["ok"], reply.get("ticket"), reply.get("error"),
                      repeated=True, action=request.command.action)

    @staticmethod
    def _refusal(request: Request, error: DomainError | WireError) -> Result:
        return Result(request.request_id, False, None, error.as_dict(),
                      action=request.command.action)


@dataclass(frozen=True)
class _StoredReply:
    """A stored reply as the JSON text that was written: parsed only when a device repeats
    its request, which is rare, so answering costs one serialisation, not a round trip."""

    payload_hash: str
    text: str

    @property
    def reply(self) -> dict[str, Any]:
        return json.loads(self.text)


def codec_stored(payload_hash: str, reply: Any) -> _StoredReply:
    if isinstance(reply, Result):
        reply = reply.reply()
    return _StoredReply(payload_hash, reply if isinstance(reply, str) else codec.dumps(reply))


def _local_day(state: SiteState, now: dt.datetime) -> dt.date:
    return business_day(now, state.setup.timezone)
