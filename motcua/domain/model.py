"""Plain data of a site: its setup (services, counters, sessions, rules) and its live state.

Everything here is stdlib-only and holds no behaviour beyond small derived properties;
the rules live in :mod:`motcua.domain.engine` and state changes only happen in
:func:`motcua.domain.events.apply_event`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from .index import QueueIndex

#: How many of the day's last calls the board lists.
RECENT_CALLS = 10


class Priority(str, Enum):
    """Who may be served first. Everything except ``NORMAL`` is a priority class."""

    NORMAL = "normal"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    MERIT = "merit"
    CHILD = "child"


class TicketStatus(str, Enum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class CounterStatus(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


#: A ticket in one of these states occupies its counter.
ACTIVE_STATUSES = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
#: A ticket in one of these states will never change again (except a same-day recall of a no-show).
FINAL_STATUSES = frozenset(
    {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED}
)


class PriorityMode(str, Enum):
    STRICT = "strict"
    INTERLEAVED = "interleaved"


class SelectionMode(str, Enum):
    OLDEST_FIRST = "oldest_first"
    COUNTER_ORDER = "counter_order"


@dataclass(frozen=True)
class Service:
    """A service citizens take a number for. ``code`` is a topic-safe slug."""

    code: str
    prefix: str
    name: str
    field: str = ""
    mean_service_minutes: float = 10.0
    daily_cap: int | None = None
    active: bool = True


@dataclass(frozen=True)
class Assignment:
    """The services a counter serves, in order, between two dates (inclusive; None = open)."""

    services: tuple[str, ...]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class CounterSetup:
    number: int
    name: str
    assignments: tuple[Assignment, ...]

    def services_on(self, day: dt.date) -> tuple[str, ...]:
        """Services of the counter on ``day``: a dated assignment beats an undated default."""
        # Asked several times per command (selection, views, estimates) and always for
        # the same day: the last answer is kept on the (immutable) setup, outside its
        # fields, so equality, hashing and replays never see it.
        last = self.__dict__.get("_services_on_last")
        if last is not None and last[0] == day:
            return last[1]
        services = self._services_on(day)
        object.__setattr__(self, "_services_on_last", (day, services))
        return services

    def _services_on(self, day: dt.date) -> tuple[str, ...]:
        covering = [a for a in self.assignments if a.covers(day)]
        if not covering:
            return ()
        dated = [a for a in covering if a.valid_from is not None or a.valid_to is not None]
        chosen = max(dated, key=lambda a: a.valid_from or dt.date.min) if dated else covering[0]
        return chosen.services


@dataclass(frozen=True)
class IssuingSession:
    """A window in which kiosks may issue numbers (e.g. morning 07:30–11:30)."""

    name: str
    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0

    def is_open(self, local: dt.datetime) -> bool:
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end


@dataclass(frozen=True)
class Rules:
    """Queue rules of a site; the defaults are those of DESIGN.md."""

    priority_mode: PriorityMode = PriorityMode.STRICT
    interleave_every: int = 3
    selection: SelectionMode = SelectionMode.OLDEST_FIRST
    finish_on_call_next: bool = True
    max_recalls: int = 3
    hold_calls: int = 3
    rating_levels: int = 3
    rolling_window: int = 20
    #: Local time after which tickets still waiting or held expire, unless an open or
    #: paused counter still serves them. None: once the day's last issuing session has
    #: ended, when the last counter serving them closes (else at the end of the day).
    serve_until: dt.time | None = None


@dataclass(frozen=True)
class SiteSetup:
    """What a site is: seeded from TOML once, then owned by the database."""

    site_id: str
    name: str
    timezone: str
    services: dict[str, Service]
    counters: dict[int, CounterSetup]
    sessions: tuple[IssuingSession, ...]
    rules: Rules = field(default_factory=Rules)


@dataclass
class Ticket:
    """One queue ticket of the current business day."""

    id: str
    number: str
    prefix: str
    seq_no: int
    service: str
    priority: Priority
    status: TicketStatus
    business_day: dt.date
    issued_at: dt.datetime
    origin: str = "kiosk"
    priority_reason: str | None = None
    counter: int | None = None
    reserved_counter: int | None = None
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    recalls: int = 0
    hold_remaining: int = 0
    front: bool = False
    rating: int | None = None
    #: Recalls over the whole day; ``recalls`` restarts at 0 on each new call.
    recalls_total: int = 0
    #: The service the ticket was issued for (daily caps count it); ``service`` follows
    #: transfers. Empty means "same as service" (filled in by __post_init__).
    issued_service: str = ""
    #: When the ticket was last put on hold (call_next releases the oldest hold first).
    held_at: dt.datetime | None = None
    #: The dossier code of a return-of-results ticket (the clerk hands that dossier over).
    dossier: str | None = None

    def __post_init__(self) -> None:
        if not self.issued_service:
            self.issued_service = self.service

    def last_stamp(self) -> dt.datetime:
        """The latest time stamped on the ticket: a new stamp never goes before it."""
        stamps = [s for s in (self.called_at, self.started_at, self.finished_at, self.held_at)
                  if s is not None]
        return max([self.issued_at, *stamps])

    @property
    def is_priority(self) -> bool:
        return self.priority is not Priority.NORMAL

    def queue_key(self) -> tuple:
        """Order within a queue: released holds first, then original issue time.

        ``issued_at`` never goes back within a day (the engine never stamps an issue
        before the previous one), so this is issue order; ties (same instant) fall to
        prefix and number, and the id makes keys unique.
        """
        return (not self.front, self.issued_at, self.prefix, self.seq_no, self.id)


@dataclass
class Counter:
    """Live state of a counter."""

    number: int
    status: CounterStatus = CounterStatus.CLOSED
    clerk: str | None = None
    session_services: tuple[str, ...] = ()
    current: str | None = None
    last_served: str | None = None
    normal_streak: int = 0


@dataclass
class SiteState:
    """Everything the engine needs to decide: setup plus the current day's tickets."""

    setup: SiteSetup
    business_day: dt.date | None = None
    tickets: dict[str, Ticket] = field(default_factory=dict)
    counters: dict[int, Counter] = field(default_factory=dict)
    last_numbers: dict[str, int] = field(default_factory=dict)
    service_durations: dict[str, list[float]] = field(default_factory=dict)
    #: The day's last calls, newest last: (ticket id, counter, service, at). Kept by the
    #: ``ticket_called`` applier; the store rebuilds it from the event log.
    recent_calls: deque = field(default_factory=lambda: deque(maxlen=RECENT_CALLS))
    #: Derived indexes of the tickets (queues, holds, counts); see :class:`QueueIndex`.
    index: QueueIndex = field(default_factory=QueueIndex)

    def __post_init__(self) -> None:
        for number in self.setup.counters:
            self.counters.setdefault(number, Counter(number=number))
        if self.tickets and not self.index.numbers:
            self.reindex()

    def reindex(self) -> None:
        """Rebuild every index from :attr:`tickets` (after a load; replay needs no call)."""
        self.index = QueueIndex()
        for ticket in self.tickets.values():
            self.index.add_issued(ticket)
            self.index.add(ticket)

    def counter_services(self, number: int) -> tuple[str, ...]:
        """Services the counter serves now: the clerk's choice at open, else the roster."""
        counter = self.counters[number]
        if counter.session_services:
            return counter.session_services
        if self.business_day is None:
            return ()
        return self.setup.counters[number].services_on(self.business_day)
