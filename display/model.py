"""The lobby board's model: what the screen shows, built from the hub's retained state and
its call events. Pure: no I/O, no pygame, and the clock is passed in.

Promises:

* **retained state** (``board``, ``counter/{n}/state``, ``service/{code}/state``, each
  already ordered by the device runtime's cache) is merged per counter and per service by
  ``seq``: whichever of the board's entry and the counter's (or service's) own state is
  newer wins;
* **call events** follow the contract's rule: within an epoch an event whose ``seq`` is
  not above the last accepted one is ignored; an epoch never seen before is accepted (the
  database was replaced) and clears what the old epoch said; an epoch already left behind
  is ignored. An accepted call shows at once, before the board that follows it;
* **bad input never raises**: a payload of the wrong shape is dropped as a whole when it
  has no usable stamp, and entry by entry otherwise (a counter with a bad number, a service
  without a name); every text is bounded and stripped of control characters;
* **blinking** is a pure function of the injected monotonic clock: a counter called less
  than ``blink_s`` ago blinks with :data:`BLINK_PERIOD_S`; :meth:`BoardModel.next_change_in`
  says when the picture will change next, so the loop can sleep until then.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: One blink: lit for half of it, dark for the other half.
BLINK_PERIOD_S = 1.0
#: Epochs remembered as "left behind": an event of one of them is stale, not new.
REMEMBERED_EPOCHS = 16
COUNTER_STATUSES = ("open", "paused", "closed")
_MAX_TEXT = 200
_MAX_TICKET = 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class CounterView:
    number: int
    name: str
    status: str  # open | paused | closed | unknown
    ticket: str | None
    blinking: bool = False
    lit: bool = False


@dataclass(frozen=True)
class ServiceView:
    code: str
    name: str
    waiting: int


@dataclass(frozen=True)
class CallView:
    """One call: the ticket, the counter it goes to, the recall count, when (hub time)."""

    ticket: str
    counter: int
    recall: int
    at: dt.datetime | None
    service: str = ""


@dataclass(frozen=True)
class BoardView:
    """Everything one frame draws (besides the wall clock and the ticker position)."""

    counters: tuple[CounterView, ...]
    services: tuple[ServiceView, ...]
    recent: tuple[CallView, ...]
    #: The latest call, shown large; ``blinking``/``lit`` while it is new.
    latest: CallView | None
    latest_blinking: bool
    latest_lit: bool
    online: bool
    has_state: bool

    def frame_key(self) -> tuple:
        """Equal keys draw equal pictures (for the same wall-clock second)."""
        return (self.counters, self.services, self.recent, self.latest, self.latest_blinking,
                self.latest_lit, self.online, self.has_state)


# --------------------------------------------------------------------------- parsing


def clean_text(value: object, limit: int = _MAX_TEXT) -> str | None:
    """A printable, bounded string, or None when ``value`` is not a string."""
    if not isinstance(value, str):
        return None
    return _CONTROL.sub("", value)[:limit]


def _positive_int(value: object) -> int | None:
    # bool is an int subclass: True must not become counter 1.
    return value if type(value) is int and value > 0 else None


def _count(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def _ticket(value: object) -> str | None:
    text = clean_text(value, _MAX_TICKET)
    return text or None


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _stamp(body: Mapping[str, Any]) -> tuple[str, int] | None:
    epoch, seq = body.get("epoch"), body.get("seq")
    if isinstance(epoch, str) and epoch and type(seq) is int and seq >= 0:
        return epoch, seq
    return None


def parse_call(body: object) -> tuple[str, int, CallView] | None:
    """``(epoch, seq, call)`` of an ``event/called`` body, or None when it is unusable."""
    if not isinstance(body, Mapping):
        return None
    stamp = _stamp(body)
    ticket, counter = _ticket(body.get("ticket")), _positive_int(body.get("counter"))
    recall = _count(body.get("recall", 0))
    if stamp is None or ticket is None or counter is None or recall is None:
        return None
    service = clean_text(body.get("service"), 64) or ""
    return stamp[0], stamp[1], CallView(ticket, counter, recall, _timestamp(body.get("at")),
                                        service)


def _counter_entry(entry: object) -> CounterView | None:
    if not isinstance(entry, Mapping):
        return None
    number = _positive_int(entry.get("counter"))
    if number is None:
        return None
    status = entry.get("status")
    ticket = entry.get("ticket")
    if isinstance(ticket, Mapping):  # counter/{n}/state carries the whole ticket
        ticket = ticket.get("number")
    name = clean_text(entry.get("name"))
    return CounterView(number, name or f"Quầy {number}",
                       status if status in COUNTER_STATUSES else "unknown", _ticket(ticket))


def _service_entry(entry: object) -> ServiceView | None:
    if not isinstance(entry, Mapping):
        return None
    code = clean_text(entry.get("code"), 64)
    waiting = _count(entry.get("waiting"))
    if not code or waiting is None:
        return None
    return ServiceView(code, clean_text(entry.get("name")) or code, waiting)


def _call_entry(entry: object) -> CallView | None:
    if not isinstance(entry, Mapping):
        return None
    ticket, counter = _ticket(entry.get("ticket")), _positive_int(entry.get("counter"))
    if ticket is None or counter is None:
        return None
    return CallView(ticket, counter, 0, _timestamp(entry.get("at")),
                    clean_text(entry.get("service"), 64) or "")


def _entries(value: object, parse: Callable[[object], Any]) -> list[Any]:
    if not isinstance(value, list):
        return []
    return [parsed for parsed in map(parse, value[:500]) if parsed is not None]


# --------------------------------------------------------------------------- model


@dataclass
class _Called:
    """A call accepted from ``event/called``: its seq and when this display got it."""

    seq: int
    call: CallView
    received: float


@dataclass
class _Retained:
    epoch: str | None = None
    board_seq: int = -1
    counters: dict[int, tuple[int, CounterView]] = field(default_factory=dict)
    services: dict[str, tuple[int, ServiceView]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    recent: list[CallView] = field(default_factory=list)


class BoardModel:
    """The board's state; thread-safe (the network thread feeds events, the loop reads).

    Args:
        clock: monotonic seconds (blink timing); injected so tests move time by hand.
        blink_s: how long a new call blinks.
        recent_limit: how many past calls the board lists.
    """

    def __init__(self, clock: Callable[[], float], *, blink_s: float = 8.0,
                 recent_limit: int = 6) -> None:
        self._clock = clock
        self._blink_s = blink_s
        self._recent_limit = recent_limit
        self._lock = threading.Lock()
        self._retained = _Retained()
        self._event_epoch: str | None = None
        self._event_seq = -1
        self._left_epochs: deque[str] = deque(maxlen=REMEMBERED_EPOCHS)
        self._calls: deque[_Called] = deque(maxlen=64)
        self._online = False
        self._epoch_hint: str | None = None
        self.version = 0

    # ------------------------------------------------------------ inputs

    def set_online(self, online: bool) -> None:
        """Whether the hub (and the broker) can be reached: drives the offline banner."""
        with self._lock:
            if online != self._online:
                self._online = online
                self.version += 1

    def update_retained(self, board: Mapping[str, Any] | None,
                        counter_states: Iterable[Mapping[str, Any]] = (),
                        service_states: Iterable[Mapping[str, Any]] = (),
                        epoch: str | None = None) -> None:
        """Rebuild the retained part from the runtime's cache (all of it, every time).

        ``epoch`` is the hub's current epoch when known (its ``hub/status``); bodies of
        any other epoch are left out.
        """
        with self._lock:
            # The cache's epoch is the hub's word only when it changes: an epoch the
            # hub names anew is current again, even one this display had left.
            if epoch is not None and epoch != self._epoch_hint and epoch in self._left_epochs:
                self._left_epochs.remove(epoch)
            self._epoch_hint = epoch
            left = set(self._left_epochs)
        retained = _Retained(epoch=epoch)
        if isinstance(board, Mapping) and (stamp := _stamp(board)) is not None:
            if retained.epoch is None:
                retained.epoch = stamp[0]
            if stamp[0] == retained.epoch:
                retained.board_seq = stamp[1]
                for counter in _entries(board.get("counters"), _counter_entry):
                    retained.counters[counter.number] = (stamp[1], counter)
                for service in _entries(board.get("services"), _service_entry):
                    retained.services[service.code] = (stamp[1], service)
                    retained.order.append(service.code)
                retained.recent = _entries(board.get("recent"), _call_entry)
        for body in counter_states:
            self._merge(retained, body, _counter_entry, retained.counters, lambda c: c.number)
        for body in service_states:
            if self._merge(retained, body, _service_entry, retained.services,
                           lambda s: s.code):
                code = _service_entry(body).code  # type: ignore[union-attr]
                if code not in retained.order:
                    retained.order.append(code)
        if retained.epoch in left:
            return  # state of an epoch already left behind (a late retained copy)
        with self._lock:
            if retained.epoch is not None and retained.epoch != self._retained.epoch:
                self._enter_epoch_locked(retained.epoch)
            if _summary(retained) != _summary(self._retained):
                self.version += 1
            self._retained = retained

    @staticmethod
    def _merge(retained: _Retained, body: object, parse, into: dict, key) -> bool:
        if not isinstance(body, Mapping) or (stamp := _stamp(body)) is None:
            return False
        if retained.epoch is None:
            retained.epoch = stamp[0]
        if stamp[0] != retained.epoch:
            return False
        entry = parse(body)
        if entry is None:
            return False
        current = into.get(key(entry))
        if current is None or stamp[1] > current[0]:
            into[key(entry)] = (stamp[1], entry)
        return True

    def accept_called(self, body: object) -> CallView | None:
        """Take one ``event/called`` body; return the call when it is new (to announce),
        None when it is stale, repeated, of a left epoch, or not a call at all."""
        parsed = parse_call(body)
        if parsed is None:
            return None
        epoch, seq, call = parsed
        with self._lock:
            if epoch == self._event_epoch:
                if seq <= self._event_seq:
                    return None
            elif epoch in self._left_epochs:
                return None
            if epoch != self._retained.epoch and self._retained.epoch is not None:
                self._enter_epoch_locked(epoch)
                self._retained = _Retained(epoch=epoch)
            self._event_epoch, self._event_seq = epoch, seq
            self._calls.append(_Called(seq, call, self._clock()))
            self.version += 1
        return call

    def _enter_epoch_locked(self, epoch: str) -> None:
        for old in (self._retained.epoch, self._event_epoch):
            if old is not None and old != epoch and old not in self._left_epochs:
                self._left_epochs.append(old)
        if self._event_epoch != epoch:
            self._event_epoch, self._event_seq = epoch, -1
            self._calls.clear()
        self.version += 1

    # ------------------------------------------------------------ output

    def view(self) -> BoardView:
        """The picture to draw now."""
        now = self._clock()
        with self._lock:
            retained, calls, online = self._retained, list(self._calls), self._online
        counters = {number: entry for number, (_, entry) in retained.counters.items()}
        seqs = {number: seq for number, (seq, _) in retained.counters.items()}
        last_call_at: dict[int, float] = {}
        for called in calls:  # oldest first: the latest call of a counter wins
            last_call_at[called.call.counter] = called.received
            known = counters.get(called.call.counter)
            if known is not None and called.seq > seqs[called.call.counter]:
                counters[called.call.counter] = CounterView(
                    known.number, known.name, known.status, called.call.ticket)
        views = []
        for number in sorted(counters):
            entry = counters[number]
            blinking, lit = self._blink(now, last_call_at.get(number))
            views.append(CounterView(entry.number, entry.name, entry.status, entry.ticket,
                                     blinking, lit))
        latest = calls[-1] if calls else None
        latest_blinking, latest_lit = self._blink(now, latest.received if latest else None)
        return BoardView(
            counters=tuple(views),
            services=tuple(retained.services[code][1] for code in retained.order),
            recent=self._recent(retained, calls),
            latest=latest.call if latest else (retained.recent[0] if retained.recent else None),
            latest_blinking=latest_blinking, latest_lit=latest_lit,
            online=online, has_state=bool(retained.counters or retained.services or calls))

    def _recent(self, retained: _Retained, calls: list[_Called]) -> tuple[CallView, ...]:
        newer = [c.call for c in reversed(calls) if c.seq > retained.board_seq]
        merged: list[CallView] = []
        seen: set[tuple[str, int]] = set()
        for call in newer + retained.recent:
            if (call.ticket, call.counter) in seen:
                continue
            seen.add((call.ticket, call.counter))
            merged.append(call)
            if len(merged) >= self._recent_limit:
                break
        return tuple(merged)

    def _blink(self, now: float, since: float | None) -> tuple[bool, bool]:
        """(blinking, lit) for a call received at ``since``."""
        if since is None or not 0 <= now - since < self._blink_s:
            return False, False
        return True, (now - since) % BLINK_PERIOD_S < BLINK_PERIOD_S / 2

    def next_change_in(self) -> float | None:
        """Seconds until a blink turns on/off or ends; None when nothing blinks."""
        now = self._clock()
        with self._lock:
            received = [c.received for c in self._calls]
        waits = []
        half = BLINK_PERIOD_S / 2
        for since in received:
            age = now - since
            if 0 <= age < self._blink_s:
                waits.append(min(half - age % half, self._blink_s - age))
        return max(min(waits), 0.01) if waits else None


def _summary(retained: _Retained) -> tuple:
    return (retained.epoch, retained.counters, retained.services, retained.order,
            retained.recent)
