"""A site's TOML configuration: a strict typed model, its loader, and its domain form.

The site file describes one center: its services, counters (with weekly rotations for
merged counters), issuing sessions, queue rules and the priority groups the kiosk offers.
The hub seeds its database from it on first start; after that the database is the truth
(DESIGN.md, "State ownership"). The file is written by hand, so every mistake is reported
with the key that holds it (``services[2].prefix: ...``), unknown keys are refused rather
than ignored (a misspelt ``daily_cap`` must not silently mean "no cap"), and all problems
are reported at once.

Public API: :func:`load_site_config`, :func:`parse_site_config`, :class:`SiteConfig`
(``to_setup()``, ``priority_labels()``, ``warnings``), :class:`SiteConfigError` and
:func:`example_config_path`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import re
import tomllib
import typing
import unicodedata
import zoneinfo
from collections.abc import Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from motcua.domain import (
    Assignment,
    CounterSetup,
    IssuingSession,
    Priority,
    PriorityMode,
    Rules,
    SelectionMode,
    Service,
    SiteSetup,
)
from motcua.dossiers.codes import DEFAULT_CODE_PATTERN, CodeRule
from motcua.dossiers.settings import DossierSettings

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
#: How far ahead a weekly rotation is expanded into dated assignments (two years).
DEFAULT_ROTATION_HORIZON_WEEKS = 104
#: Kiosk labels used when the site file has no ``[priorities]`` table (DOMAIN.md §5).
DEFAULT_PRIORITY_LABELS: dict[Priority, str] = {
    Priority.NORMAL: "Thông thường",
    Priority.ELDERLY: "Người cao tuổi",
    Priority.DISABLED: "Người khuyết tật",
    Priority.PREGNANT: "Phụ nữ có thai",
    Priority.MERIT: "Người có công với cách mạng",
    Priority.CHILD: "Người đi cùng trẻ nhỏ",
}
#: Day names accepted in ``weekdays``: English, and Vietnamese ``t2``…``t7``, ``cn``.
WEEKDAY_NAMES: dict[str, int] = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(("t2", "t3", "t4", "t5", "t6", "t7", "cn"))},
}
_DEFAULT_RULES = Rules()
#: Wrong dossier codes one kiosk or web client may try per minute (``[dossiers]``).
DEFAULT_WRONG_CODES_PER_MINUTE = 10
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_PREFIX = re.compile(r"[A-Z]{1,2}")
_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_ONE_PROBLEM = "site_config"
_PROBLEMS = "site_config_problems"

Loc = tuple[str | int, ...]


class SiteConfigError(Exception):
    """A site file that cannot be used; ``messages`` lists every problem, one per line."""

    def __init__(self, messages: list[str], source: str | None = None) -> None:
        self.messages = list(messages)
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}invalid site configuration:\n  " + "\n  ".join(self.messages))


def _problem(message: str) -> PydanticCustomError:
    # The text travels in the context, never as the template, so braces in a user's
    # value cannot break pydantic's message formatting.
    return PydanticCustomError(_ONE_PROBLEM, "{message}", {"message": message})


def _problems(found: list[tuple[Loc, str]]) -> PydanticCustomError:
    """Several problems, each at a location relative to the failing value."""
    return PydanticCustomError(
        _PROBLEMS, "{summary}", {"summary": f"{len(found)} problem(s)", "problems": found}
    )


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise _problem(
            "must be a slug: lowercase ASCII letters, digits and '-', "
            "starting with a letter or digit, at most 63 characters"
        )
    return value


def _prefix(value: str) -> str:
    if not _PREFIX.fullmatch(value):
        raise _problem("must be 1–2 uppercase letters")
    return value


def _text(value: str) -> str:
    # Editors on some systems save Vietnamese decomposed (NFD); NFC keeps names equal to
    # what the kiosk, the reports and the database compare them with.
    return unicodedata.normalize("NFC", value).strip()


def _required_text(value: str) -> str:
    value = _text(value)
    if not value:
        raise _problem("must not be empty")
    return value


def _clock(value: object) -> object:
    """Turn "HH:MM" into a time; a TOML local time (07:30:00) is accepted as it is."""
    if isinstance(value, dt.time):
        return value
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise _problem('must be a time "HH:MM" such as "07:30"')
    return dt.time(int(match[1]), int(match[2]))


def _weekdays(value: object) -> frozenset[int]:
    if not isinstance(value, list) or not value:
        raise _problem("must be a non-empty array of days (0–6 or mon…sun)")
    days: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.add(item)
        elif isinstance(item, str) and item.strip().lower() in WEEKDAY_NAMES:
            days.add(WEEKDAY_NAMES[item.strip().lower()])
        else:
            raise _problem(f"unknown day {item!r} (use 0–6 with Monday = 0, or mon…sun, t2…cn)")
    return frozenset(days)


Slug = Annotated[StrictStr, AfterValidator(_slug)]
Text = Annotated[StrictStr, AfterValidator(_required_text)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
TimeOfDay = Annotated[dt.time, BeforeValidator(_clock)]
Weekdays = Annotated[frozenset[int], BeforeValidator(_weekdays)]
ServiceList = Annotated[list[Slug], Field(min_length=1)]


class _Section(BaseModel):
    """A TOML table: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class SiteSection(_Section):
    """``[site]``: who the center is and how its calendar works."""

    id: Slug
    name: Text
    timezone: StrictStr = DEFAULT_TIMEZONE
    rotation_horizon_weeks: Annotated[StrictInt, Field(ge=1, le=1040)] = (
        DEFAULT_ROTATION_HORIZON_WEEKS
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise _problem(f"must be an IANA time zone such as {DEFAULT_TIMEZONE!r}") from None
        return value


class RulesSection(_Section):
    """``[rules]``: the queue rules; every key is optional and defaults to :class:`Rules`."""

    priority_mode: PriorityMode = _DEFAULT_RULES.priority_mode
    interleave_every: PositiveInt = _DEFAULT_RULES.interleave_every
    selection: SelectionMode = _DEFAULT_RULES.selection
    finish_on_call_next: StrictBool = _DEFAULT_RULES.finish_on_call_next
    max_recalls: PositiveInt = _DEFAULT_RULES.max_recalls
    hold_calls: PositiveInt = _DEFAULT_RULES.hold_calls
    rating_levels: Literal[3, 5] = _DEFAULT_RULES.rating_levels  # type: ignore[assignment]
    rolling_window: PositiveInt = _DEFAULT_RULES.rolling_window
    serve_until: TimeOfDay | None = _DEFAULT_RULES.serve_until

    def to_rules(self) -> Rules:
        """Return the domain rules; the keys are named exactly as :class:`Rules` fields."""
        return Rules(**self.model_dump())


class SessionConfig(_Section):
    """``[[sessions]]``: a window in which kiosks issue numbers."""

    name: Text
    start: TimeOfDay
    end: TimeOfDay
    weekdays: Weekdays = frozenset(range(5))

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionConfig:
        if self.end <= self.start:
            found = f"must be after start {self.start:%H:%M} (got {self.end:%H:%M})"
            raise _problems([(("end",), found)])
        return self

    def to_session(self) -> IssuingSession:
        """Return the domain issuing session."""
        return IssuingSession(self.name, self.start, self.end, frozenset(self.weekdays))


class ServiceConfig(_Section):
    """``[[services]]``: something citizens take a number for."""

    code: Slug
    prefix: Annotated[StrictStr, AfterValidator(_prefix)]
    name: Text
    field: Annotated[StrictStr, AfterValidator(_text)] = ""
    mean_service_minutes: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)] = 10.0
    daily_cap: PositiveInt | None = None
    active: StrictBool = True

    def to_service(self) -> Service:
        """Return the domain service; the keys are named exactly as :class:`Service` fields."""
        return Service(**self.model_dump())


class RotationConfig(_Section):
    """``rotation``: a merged counter's weekly cycle of service lists, from a Monday."""

    start: Annotated[dt.date, Field(strict=True)]
    weeks: Annotated[list[ServiceList], Field(min_length=1)]

    @field_validator("start")
    @classmethod
    def _is_monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise _problem(f"must be a Monday, not a {value:%A}")
        return value

    def assignments(self, horizon_weeks: int) -> tuple[Assignment, ...]:
        """One dated assignment per week for ``horizon_weeks`` weeks, cycling through ``weeks``."""
        return tuple(
            Assignment(
                services=tuple(self.weeks[week % len(self.weeks)]),
                valid_from=self.start + dt.timedelta(weeks=week),
                valid_to=self.start + dt.timedelta(weeks=week, days=6),
            )
            for week in range(horizon_weeks)
        )


class CounterConfig(_Section):
    """``[[counters]]``: a counter, its default ordered services and an optional rotation."""

    number: PositiveInt
    name: Text
    services: list[Slug] = Field(default_factory=list)
    rotation: RotationConfig | None = None

    @model_validator(mode="after")
    def _serves_something(self) -> CounterConfig:
        if not self.services and self.rotation is None:
            raise _problems([(("services",), "a counter needs services or a rotation")])
        return self

    def to_counter(self, horizon_weeks: int) -> CounterSetup:
        """Return the domain counter: the undated default first, then the rotation's weeks."""
        assignments = (Assignment(tuple(self.services)),) if self.services else ()
        if self.rotation is not None:
            assignments += self.rotation.assignments(horizon_weeks)
        return CounterSetup(self.number, self.name, assignments)


def _code_pattern(value: str) -> str:
    try:
        CodeRule(value)
    except ValueError as error:
        raise _problem(str(error)) from None
    return value


class DossiersSection(_Section):
    """``[dossiers]``: looking dossiers up by the code on their slip (issue 11).

    Every key is optional; without the table lookups use the national code pattern and
    return-of-results tickets are refused (no ``return_service``).
    """

    code_pattern: Annotated[StrictStr, AfterValidator(_code_pattern)] = DEFAULT_CODE_PATTERN
    return_service: Slug | None = None
    holidays: StrictStr | None = None
    wrong_codes_per_minute: Annotated[StrictInt, Field(ge=0, le=10_000)] = (
        DEFAULT_WRONG_CODES_PER_MINUTE)

    def to_settings(self, folder: Path | None = None) -> DossierSettings:
        """The settings ready to use; a relative ``holidays`` is taken from ``folder``
        (the site file's folder)."""
        holidays = None
        if self.holidays:
            holidays = Path(self.holidays)
            if not holidays.is_absolute() and folder is not None:
                holidays = folder / holidays
        return DossierSettings(CodeRule(self.code_pattern), self.return_service, holidays,
                               self.wrong_codes_per_minute)


class SiteConfig(_Section):
    """A whole site file, valid as a unit: every service a counter names exists."""

    site: SiteSection
    rules: RulesSection = Field(default_factory=RulesSection)
    priorities: dict[Priority, Text] = Field(default_factory=lambda: dict(DEFAULT_PRIORITY_LABELS))
    sessions: Annotated[list[SessionConfig], Field(min_length=1)]
    services: Annotated[list[ServiceConfig], Field(min_length=1)]
    counters: Annotated[list[CounterConfig], Field(min_length=1)]
    dossiers: DossiersSection = Field(default_factory=DossiersSection)

    @field_validator("sessions")
    @classmethod
    def _sessions_apart(cls, sessions: list[SessionConfig]) -> list[SessionConfig]:
        # Overlapping windows would make "the last session of the day" (when waiting
        # tickets expire) ambiguous, and always mean a typing mistake.
        found: list[tuple[Loc, str]] = []
        for i, session in enumerate(sessions):
            for j, earlier in enumerate(sessions[:i]):
                if session.name == earlier.name:
                    found.append(((i, "name"), f"duplicate session name (first at sessions[{j}])"))
                shared = session.weekdays & earlier.weekdays
                if shared and session.start < earlier.end and earlier.start < session.end:
                    day = _day_name(min(shared))
                    found.append(((i,), f"overlaps sessions[{j}] ({earlier.name!r}) on {day}"))
        if found:
            raise _problems(found)
        return sessions

    @model_validator(mode="after")
    def _serve_until_after_issuing(self) -> SiteConfig:
        # Tickets issued until a session's end must not be expired before it.
        serve_until = self.rules.serve_until
        if serve_until is not None:
            last = max(self.sessions, key=attrgetter("end"))
            if serve_until < last.end:
                found = (f"must not be before the end of session {last.name!r} "
                         f"({last.end:%H:%M}) (got {serve_until:%H:%M})")
                raise _problems([(("rules", "serve_until"), found)])
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> SiteConfig:
        found = _reference_problems(self.model_dump())
        if found:
            raise _problems(found)
        return self

    @property
    def warnings(self) -> list[str]:
        """Legal but suspicious settings, e.g. an active service no counter ever serves."""
        served = set()
        for counter in self.counters:
            served.update(counter.services)
            for week in counter.rotation.weeks if counter.rotation else ():
                served.update(week)
        return [
            f"services[{i}].code: no counter serves {service.code!r}; "
            "its tickets would never be called"
            for i, service in enumerate(self.services)
            if service.active and service.code not in served
        ]

    def priority_labels(self) -> dict[Priority, str]:
        """Kiosk labels of the offered priority groups, in :class:`Priority` order.

        ``normal`` is always offered (with its default label unless the file gives one);
        any other group is offered only when listed.
        """
        labels = {Priority.NORMAL: DEFAULT_PRIORITY_LABELS[Priority.NORMAL], **self.priorities}
        return {p: labels[p] for p in Priority if p in labels}

    def to_setup(self) -> SiteSetup:
        """Return the pure domain setup, counters sorted by number, rotations expanded."""
        horizon = self.site.rotation_horizon_weeks
        return SiteSetup(
            site_id=self.site.id,
            name=self.site.name,
            timezone=self.site.timezone,
            services={s.code: s.to_service() for s in self.services},
            counters={
                c.number: c.to_counter(horizon)
                for c in sorted(self.counters, key=attrgetter("number"))
            },
            sessions=tuple(s.to_session() for s in self.sessions),
            rules=self.rules.to_rules(),
        )


def _day_name(day: int) -> str:
    return next(name for name, number in WEEKDAY_NAMES.items() if number == day)


def _entries(data: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The well-formed tables of an array of tables; anything else is reported elsewhere."""
    items = data.get(key)
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, Mapping):
            yield i, item


def _reference_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Duplicates and unknown service codes, found in raw or validated data alike.

    It tolerates malformed input so that reference problems are reported together with
    the type errors of a file that fails validation, not one run later.
    """
    known, found = _first_of_each(data, "services", "code", str)
    found += _first_of_each(data, "counters", "number", int)[1]
    if not isinstance(data.get("services"), list):
        return found  # every code would look unknown: the missing key is reported instead
    for i, counter in _entries(data, "counters"):
        for loc, codes in _service_lists(counter):
            found += [(("counters", i, *at), text) for at, text in _check(codes, known, loc)]
    dossiers = data.get("dossiers")
    if isinstance(dossiers, Mapping) and isinstance(dossiers.get("return_service"), str):
        found += [(("dossiers", "return_service"), text) for _at, text in
                  _check([dossiers["return_service"]], known, ("return_service",))]
    return found


def _first_of_each(
    data: Mapping[str, Any], table: str, key: str, kind: type
) -> tuple[dict[Any, int], list[tuple[Loc, str]]]:
    """Index of the first entry holding each value of ``key``, and the repeats as problems."""
    first: dict[Any, int] = {}
    repeats: list[tuple[Loc, str]] = []
    for i, entry in _entries(data, table):
        value = entry.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            continue
        if value in first:
            text = f"duplicate {key} {value!r} (first at {table}[{first[value]}])"
            repeats.append(((table, i, key), text))
        else:
            first[value] = i
    return first, repeats


def _service_lists(counter: Mapping[str, Any]) -> Iterator[tuple[Loc, list[Any]]]:
    if isinstance(counter.get("services"), list):
        yield ("services",), counter["services"]
    rotation = counter.get("rotation")
    weeks = rotation.get("weeks") if isinstance(rotation, Mapping) else None
    for w, week in enumerate(weeks if isinstance(weeks, list) else ()):
        if isinstance(week, list):
            yield ("rotation", "weeks", w), week


def _check(codes: list[Any], known: Mapping[str, int], loc: Loc) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for k, code in enumerate(codes):
        if not isinstance(code, str):
            continue
        if code not in known:
            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            yield (*loc, k), f"unknown service {code!r}{hint}"
        elif code in seen:
            yield (*loc, k), f"service {code!r} is listed twice"
        seen.add(code)


#: Readable messages for pydantic's error types, phrased in TOML's words.
_MESSAGES = {
    "missing": "required key is missing",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
    "list_type": "must be an array",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "date_type": "must be a date such as 2026-01-05 (without quotes)",
    "time_type": 'must be a time "HH:MM"',
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "finite_number": "must be a finite number",
    "too_short": "must have at least {min_length} item(s)",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
}


def _path(loc: Loc) -> str:
    """``('counters', 5, 'rotation', 'weeks', 1, 0)`` -> ``counters[5].rotation.weeks[1][0]``."""
    text = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the dict key itself": already shown
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _shown(value: Any) -> str | None:
    """The offending value as written in TOML, when it is short enough to quote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date, dt.time)):
        return str(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    return None


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The section model that the key path ``loc`` points into, if any."""
    model: type[BaseModel] = SiteConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        inner = _inner_model(field.annotation) if field else None
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        model = _inner_model(argument)
        if model is not None:
            return model
    return None


def _describe(error: Mapping[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        allowed = list((_model_at(loc[:-1]) or SiteConfig).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        return "unknown key" + (
            f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
        )
    key = loc[-1] if loc else None
    if kind == "list_type" and isinstance(error.get("input"), Mapping) and isinstance(key, str):
        return f"must be an array of tables: write [[{key}]], not [{key}]"
    if kind == "enum" and loc[:1] == ("priorities",):
        return f"unknown priority group (expected one of {', '.join(p.value for p in Priority)})"
    template = _MESSAGES.get(kind)
    text = template.format(**error.get("ctx", {})) if template else error["msg"]
    shown = None if kind == "missing" else _shown(error.get("input"))
    return f"{text} (got {shown})" if shown is not None else text


def _messages(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors(include_url=False):
        if item["type"] == _PROBLEMS:
            problems = item["ctx"]["problems"]
            lines += [f"{_path(item['loc'] + loc)}: {text}" for loc, text in problems]
        else:
            lines.append(f"{_path(item['loc'])}: {_describe(item)}")
    return lines


def parse_site_config(data: Mapping[str, Any], source: str | None = None) -> SiteConfig:
    """Validate already-parsed TOML data; raise :class:`SiteConfigError` listing every problem."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as error:
        lines = _messages(error)
        # Reference checks run inside the model only once every key is well typed; run
        # them on the raw data too, so one pass reports everything.
        lines += [f"{_path(loc)}: {text}" for loc, text in _reference_problems(data)]
        raise SiteConfigError(list(dict.fromkeys(lines)), source) from None


def load_site_config(path: str | os.PathLike[str] | Traversable) -> SiteConfig:
    """Read and validate a site TOML file.

    Raises:
        SiteConfigError: the file cannot be read, is not UTF-8, is not valid TOML (the
            message gives line and column), or does not describe a valid site.
    """
    source = str(path)
    file = Path(path) if isinstance(path, (str, os.PathLike)) else path
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise SiteConfigError([f"cannot read the file: {reason}"], source) from None
    except UnicodeDecodeError as error:
        raise SiteConfigError([f"not UTF-8 text (byte {error.start})"], source) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError([f"TOML syntax error: {error}"], source) from None
    config = parse_site_config(data, source)
    logger.debug("loaded site %r from %s", config.site.id, source)
    return config


def example_config_path() -> Path:
    """Path of the example center shipped with the package (``motcua/data``)."""
    resource = resources.files("motcua").joinpath("data", "example_center.toml")
    if not isinstance(resource, Path):
        # motcua ships data files for devices and migrations too, so it is always
        # installed unpacked; a zipped install is a packaging mistake worth naming.
        raise RuntimeError(f"motcua is installed zipped; cannot locate {resource}")
    return resource


def example_config_text() -> str:
    """The example center's TOML, comments included, for users to start from."""
    return example_config_path().read_text(encoding="utf-8")
