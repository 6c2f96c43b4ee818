"""Working days (ngày làm việc): weekends, public holidays and made-up working Saturdays.

The appointment date (ngày hẹn trả) of a dossier is counted in working days from the day
it was received. The rule, as one-stop centres apply it:

- the **day of reception** is the day the dossier was received when that is a working
  day and it came in before ``office_close`` (17:00 by default); otherwise (after office
  hours, on a weekend or a holiday) it is the next working day;
- a procedure of ``N`` working days is due on the ``N``-th working day after the day of
  reception; ``N = 0`` (within the day) is due on the day of reception itself.

So a 3-day dossier received on Friday morning is due on Wednesday; received on Friday
at 17:30 (or on Saturday) it counts from Monday and is due on Thursday.

The holiday calendar is data, not code: :func:`load_calendar` reads the shipped
``holidays_vn.toml`` (2024–2030, Tết included) or a centre's own copy. Stdlib only.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

#: Weekday names accepted in ``[calendar] weekend`` (Monday = 0, as ``date.weekday()``).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WEEKEND = frozenset({5, 6})
DEFAULT_OFFICE_CLOSE = dt.time(17, 0)
#: The shipped calendar (package data of :mod:`motcua.dossiers`).
SHIPPED_FILE = "holidays_vn.toml"
#: Longest span a working-day count walks: a typo of 100000 days must not hang the hub.
MAX_DAYS = 3660


class CalendarError(ValueError):
    """A holiday calendar file is unreadable or invalid; the message names the key/line."""


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked. ``holidays`` and ``working_days`` map dates to their names;
    a date in ``working_days`` is worked even on a weekend (a made-up Saturday)."""

    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    working_days: Mapping[dt.date, str] = field(default_factory=dict)
    weekend: frozenset[int] = DEFAULT_WEEKEND
    office_close: dt.time = DEFAULT_OFFICE_CLOSE

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        for offset in range(1, MAX_DAYS + 1):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS} days after {day}")

    def reception_day(self, received: dt.datetime, tz: dt.tzinfo) -> dt.date:
        """The working day a dossier received at ``received`` (aware) counts as received."""
        if received.tzinfo is None:
            raise ValueError("received must be an aware datetime")
        local = received.astimezone(tz)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.office_close:
            return day
        return self.next_working_day(day)

    def add_working_days(self, received: dt.datetime, days: int, tz: dt.tzinfo) -> dt.date:
        """The appointment date of a dossier received at ``received`` with a limit of
        ``days`` working days (see the module docstring for the rule)."""
        if not 0 <= days <= MAX_DAYS:
            raise ValueError(f"working days must be between 0 and {MAX_DAYS}, got {days}")
        day = self.reception_day(received, tz)
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days ``d`` with ``start < d <= end`` (negative when ``end < start``).

        A supplement requested on Monday and answered on Wednesday is 2 working days."""
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_DAYS:
            raise ValueError(f"span of more than {MAX_DAYS} days: {start} to {end}")
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + dt.timedelta(days=offset)))

    def shift_working_days(self, day: dt.date, days: int) -> dt.date:
        """``day`` moved forward by ``days`` working days (``days`` ≥ 0)."""
        for _ in range(max(0, min(days, MAX_DAYS))):
            day = self.next_working_day(day)
        return day


def add_working_days(calendar: WorkCalendar, received: dt.datetime, days: int,
                     tz: dt.tzinfo) -> dt.date:
    """``calendar.add_working_days(received, days, tz)``."""
    return calendar.add_working_days(received, days, tz)


def working_days_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    """``calendar.working_days_between(start, end)``."""
    return calendar.working_days_between(start, end)


def load_calendar(path: str | Path | None = None) -> WorkCalendar:
    """Read a holiday calendar: ``path``, or the shipped ``holidays_vn.toml`` when None.

    Raises:
        CalendarError: the file cannot be read, is not TOML (the message gives the line),
            or a key or value is invalid (the message names the table and key).
    """
    if path is None:
        source = f"{SHIPPED_FILE} (shipped)"
        text = resources.files("motcua.dossiers").joinpath(SHIPPED_FILE).read_text("utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CalendarError(f"{source}: cannot read the calendar: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"{source}: not valid TOML: {exc}") from None
    return parse_calendar(document, source)


def parse_calendar(document: Mapping[str, Any], source: str = "calendar") -> WorkCalendar:
    """Build a :class:`WorkCalendar` from a parsed calendar document (see the file format
    in ``holidays_vn.toml``); raises :class:`CalendarError` naming the bad key."""
    unknown = sorted(set(document) - {"calendar", "holidays", "working_days"})
    if unknown:
        raise CalendarError(f"{source}: unknown table(s): {', '.join(unknown)}")
    settings = _table(document, "calendar", source)
    extra = sorted(set(settings) - {"weekend", "office_close"})
    if extra:
        raise CalendarError(f"{source}: [calendar] unknown key(s): {', '.join(extra)}")
    weekend = _weekend(settings.get("weekend", ["saturday", "sunday"]), source)
    office_close = _time(settings.get("office_close", "17:00"), source)
    holidays = _dates(_table(document, "holidays", source), "holidays", source)
    working_days = _dates(_table(document, "working_days", source), "working_days", source)
    both = sorted(set(holidays) & set(working_days))
    if both:
        raise CalendarError(f"{source}: {both[0].isoformat()} is both in [holidays] and "
                            "[working_days]")
    return WorkCalendar(holidays, working_days, weekend, office_close)


def _table(document: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise CalendarError(f"{source}: [{name}] must be a table")
    return table


def _weekend(value: Any, source: str) -> frozenset[int]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CalendarError(f"{source}: [calendar] weekend must be a list of day names")
    days = set()
    for name in value:
        if name.lower() not in WEEKDAYS:
            raise CalendarError(f"{source}: [calendar] weekend: {name!r} is not one of "
                                f"{', '.join(WEEKDAYS)}")
        days.add(WEEKDAYS.index(name.lower()))
    if len(days) == 7:
        raise CalendarError(f"{source}: [calendar] weekend leaves no working day")
    return frozenset(days)


def _time(value: Any, source: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{source}: [calendar] office_close: {value!r} is not a time "
                            "HH:MM") from None


def _dates(table: Mapping[str, Any], name: str, source: str) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for key, label in table.items():
        try:
            day = dt.date.fromisoformat(str(key))
        except ValueError:
            raise CalendarError(f"{source}: [{name}] key {key!r} is not a date "
                                "YYYY-MM-DD") from None
        if not isinstance(label, str):
            raise CalendarError(f"{source}: [{name}] {key}: the value must be a name "
                                "in quotes")
        days[day] = label
    return days
