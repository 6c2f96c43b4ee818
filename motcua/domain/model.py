"""Plain data of a site: its setup (services, counters, sessions, rules) and its live state.

Everything here is stdlib-only and holds no behaviour beyond small derived properties;
the rules live in :mod:`motcua.domain.engine` and state changes only happen in
:func:`motcua.domain.events.apply_event`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


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

    @property
    def is_priority(self) -> bool:
        return self.priority is not Priority.NORMAL

    def queue_key(self) -> tuple:
        """Order within a queue: released holds first, then original issue time."""
        return (not self.front, self.issued_at, self.prefix, self.seq_no)


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

    def __post_init__(self) -> None:
        for number in self.setup.counters:
            self.counters.setdefault(number, Counter(number=number))

    def counter_services(self, number: int) -> tuple[str, ...]:
        """Services the counter serves now: the clerk's choice at open, else the roster."""
        counter = self.counters[number]
        if counter.session_services:
            return counter.session_services
        if self.business_day is None:
            return ()
        return self.setup.counters[number].services_on(self.business_day)
