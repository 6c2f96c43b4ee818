"""A small, deterministic world for the domain-engine tests.

:class:`QueueSite` holds one site's setup and live state, a clock the test moves by hand
and an id sequence, and runs commands through :func:`motcua.domain.execute` exactly as
the hub's dispatcher would. Nothing here is random and nothing reads the machine's clock.

Default site (Monday 3 March 2025, Asia/Ho_Chi_Minh):

* services ``ho_tich`` (prefix A, 10 min), ``dat_dai`` (B, 15 min), ``chung_thuc`` (C, 5 min);
* counter 1 serves ho_tich then dat_dai, counter 2 serves dat_dai, counter 3 serves
  chung_thuc then ho_tich;
* issuing sessions 07:30–11:30 and 13:30–17:00, Monday to Friday.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import pytest

from motcua.domain import (
    Assignment,
    Command,
    CounterSetup,
    Decision,
    DomainError,
    Event,
    IssuingSession,
    Rules,
    Service,
    SiteSetup,
    SiteState,
    Ticket,
    execute,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.timezone.utc
#: A Monday; 2025-03-08 and 2025-03-09 are the weekend.
MONDAY = dt.date(2025, 3, 3)
WEEKDAYS = frozenset({0, 1, 2, 3, 4})
EVERY_DAY = frozenset(range(7))


def vietnam_time(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware datetime at the given wall-clock time in Vietnam."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=VIETNAM)


def default_services() -> dict[str, Service]:
    return {
        "ho_tich": Service("ho_tich", "A", "Hộ tịch", mean_service_minutes=10.0),
        "dat_dai": Service("dat_dai", "B", "Đất đai", mean_service_minutes=15.0),
        "chung_thuc": Service("chung_thuc", "C", "Chứng thực", mean_service_minutes=5.0),
    }


def default_counters() -> dict[int, CounterSetup]:
    return {
        1: CounterSetup(1, "Quầy 1", (Assignment(("ho_tich", "dat_dai")),)),
        2: CounterSetup(2, "Quầy 2", (Assignment(("dat_dai",)),)),
        3: CounterSetup(3, "Quầy 3", (Assignment(("chung_thuc", "ho_tich")),)),
    }


def office_sessions(weekdays: frozenset[int] = WEEKDAYS) -> tuple[IssuingSession, ...]:
    return (
        IssuingSession("sang", dt.time(7, 30), dt.time(11, 30), weekdays),
        IssuingSession("chieu", dt.time(13, 30), dt.time(17, 0), weekdays),
    )


def all_day_sessions() -> tuple[IssuingSession, ...]:
    """One session covering every minute of every day, for tests that cross midnight."""
    return (IssuingSession("ca_ngay", dt.time(0, 0), dt.time.max, EVERY_DAY),)


def site_setup(
    *,
    rules: Rules | None = None,
    services: dict[str, Service] | None = None,
    counters: dict[int, CounterSetup] | None = None,
    sessions: tuple[IssuingSession, ...] | None = None,
    **rule_changes: Any,
) -> SiteSetup:
    """The default site, with any part replaced; ``rule_changes`` edit the default Rules."""
    base_rules = rules or Rules()
    return SiteSetup(
        site_id="ubnd-phuong-1",
        name="UBND Phường 1",
        timezone="Asia/Ho_Chi_Minh",
        services=services if services is not None else default_services(),
        counters=counters if counters is not None else default_counters(),
        sessions=sessions if sessions is not None else office_sessions(),
        rules=dataclasses.replace(base_rules, **rule_changes),
    )


def with_service(
    services: dict[str, Service], code: str, **changes: Any
) -> dict[str, Service]:
    """A copy of ``services`` with one service's fields changed."""
    services = dict(services)
    services[code] = dataclasses.replace(services[code], **changes)
    return services


class ManualClock:
    """A clock that only moves when the test says so."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward (or back, with negative values) by a ``timedelta(**delta)``."""
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return self.now


class IdSequence:
    """Ticket ids ``t0001``, ``t0002``, … in the order they are asked for."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"t{self.count:04d}"


class QueueSite:
    """One site under test: state, clock, ids and the log of every applied event."""

    def __init__(
        self, setup: SiteSetup | None = None, start: dt.datetime | None = None
    ) -> None:
        self.setup = setup or site_setup()
        self.state = SiteState(setup=self.setup)
        self.clock = ManualClock(start or vietnam_time(MONDAY, 8, 0))
        self.new_id = IdSequence()
        self.log: list[Event] = []

    # --- running commands -------------------------------------------------------------

    def do(
        self,
        action: str,
        counter: int | None = None,
        *,
        by: str | None = None,
        at: dt.datetime | None = None,
        **args: Any,
    ) -> Decision:
        """Execute ``action`` now (or ``at``) and keep its events in :attr:`log`.

        ``by`` is the command's own clerk (``Command.clerk``); ``args`` are its arguments.
        """
        command = Command(action, args, counter=counter, clerk=by)
        decision = execute(self.state, command, at or self.clock.now, self.new_id)
        self.log.extend(decision.events)
        return decision

    def refuse(
        self,
        action: str,
        counter: int | None = None,
        *,
        at: dt.datetime | None = None,
        **args: Any,
    ) -> DomainError:
        """Assert ``action`` is refused and that the refusal changed nothing at all."""
        before = copy.deepcopy(self.state)
        with pytest.raises(DomainError) as refusal:
            self.do(action, counter, at=at, **args)
        assert self.state == before
        return refusal.value

    # --- shortcuts for the common story steps ----------------------------------------

    def issue(self, service: str, priority: str = "normal", **args: Any) -> Ticket:
        """A kiosk issues a number for ``service``; returns the new ticket."""
        decision = self.do("issue", service=service, priority=priority, **args)
        return self.state.tickets[decision.ticket_id]

    def issue_many(self, service: str, count: int, **args: Any) -> list[Ticket]:
        return [self.issue(service, **args) for _ in range(count)]

    def open(
        self, *counters: int, clerk: str = "Lan", services: Iterable[str] | None = None
    ) -> None:
        """Open each of ``counters`` for ``clerk`` (for ``services`` if given, else its roster)."""
        for number in counters:
            args = {"clerk": clerk}
            if services is not None:
                args["services"] = list(services)
            self.do("open", number, **args)

    def call_next(self, counter: int) -> Ticket:
        """``call_next`` at ``counter``; returns the ticket now called there."""
        decision = self.do("call_next", counter)
        return self.state.tickets[decision.ticket_id]

    def ticket(self, number: str) -> Ticket:
        """Today's ticket with the printed ``number`` (e.g. ``"A015"``)."""
        matches = [t for t in self.state.tickets.values() if t.number == number]
        assert len(matches) == 1, f"expected one ticket {number}, found {len(matches)}"
        return matches[0]


def numbers(tickets: Iterable[Ticket]) -> list[str]:
    """The printed numbers of ``tickets``, in order."""
    return [ticket.number for ticket in tickets]


def kinds(decision: Decision) -> list[str]:
    """The kinds of a decision's events, in order."""
    return [event.kind for event in decision.events]
