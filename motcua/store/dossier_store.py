"""Dossiers in the database: the read port for lookups and the batch writer for imports.

:class:`StoreDossierReader` implements :class:`motcua.dossiers.lookup.DossierReader` with
two indexed queries per lookup (the dossier joined to its procedure by primary key, then
its events by the ``(site_id, code, at)`` index), over committed rows only.

:func:`apply_dossier_batch` applies a batch of dossiers and status events in ONE
transaction. Valid rows are kept and invalid rows reported (:class:`ImportReport`), so a
file with one bad row still brings its good ones in; a database failure writes nothing.
Events are idempotent by ``(site, event_id)``: the same id with the same content is
skipped, with other content it is a row error. Bulk statements (executemany), not one
statement per row, keep it well above 100,000 events a minute on SQLite.

When the hub runs, only its writer thread writes: run the batch through
:func:`submit_dossier_batch`; the CLI takes the hub lock instead (``docs/dossiers.md``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.contract import DossierView
from motcua.dossiers.calendar import WorkCalendar
from motcua.dossiers.lateness import FINISHED
from motcua.dossiers.procedures import Procedure
from motcua.dossiers.records import DossierInput, EventInput, RowError, row_error
from motcua.dossiers.status import DossierStatus, TransitionRefused, check_transition
from motcua.dossiers.views import DEFAULT_TZ, public_view

from .database import write_transaction
from .schema import dossier, dossier_event, procedure, site

log = logging.getLogger(__name__)

#: Keys per ``IN (...)`` list: far below SQLite's bound-parameter limit.
CHUNK = 500
SUPPLEMENT = int(DossierStatus.NEEDS_SUPPLEMENT)
T = TypeVar("T")


# --- reading --------------------------------------------------------------------------


def _procedure_of(row: Any) -> Procedure | None:
    if row.p_name is None:
        return None
    try:
        documents = tuple(json.loads(row.p_documents or "[]"))
    except ValueError:
        documents = ()
    return Procedure(code=row.procedure_code, name=row.p_name, field=row.p_field or "",
                     documents=documents, processing_days=row.p_processing_days)


def site_timezone(engine: Engine, site_id: str) -> dt.tzinfo:
    """The site's time zone (the ``site`` row), Asia/Ho_Chi_Minh when there is none."""
    with engine.connect() as conn:
        name = conn.execute(sa.select(site.c.timezone).where(site.c.site_id == site_id)
                            ).scalar()
    return ZoneInfo(name) if name else DEFAULT_TZ


class StoreDossierReader:
    """The :class:`~motcua.dossiers.lookup.DossierReader` of one site over its database.

    ``return_service`` is the queue service of return-of-results tickets (shown on a
    dossier ready for return); ``tz`` defaults to the site's own time zone.
    """

    def __init__(self, engine: Engine, site_id: str, calendar: WorkCalendar,
                 return_service: str | None = None, tz: dt.tzinfo | None = None) -> None:
        self.engine = engine
        self.site_id = site_id
        self.calendar = calendar
        self.return_service = return_service
        self.tz = tz or site_timezone(engine, site_id)
        self._dossier_query = (
            sa.select(dossier, procedure.c.name.label("p_name"),
                      procedure.c.field.label("p_field"),
                      procedure.c.documents.label("p_documents"),
                      procedure.c.processing_days.label("p_processing_days"))
            .select_from(dossier.outerjoin(procedure, sa.and_(
                procedure.c.site_id == dossier.c.site_id,
                procedure.c.code == dossier.c.procedure_code)))
            .where(dossier.c.site_id == sa.bindparam("site"),
                   dossier.c.code == sa.bindparam("code")))
        self._events_query = (
            sa.select(dossier_event)
            .where(dossier_event.c.site_id == sa.bindparam("site"),
                   dossier_event.c.code == sa.bindparam("code"))
            .order_by(dossier_event.c.at, dossier_event.c.recorded_at,
                      dossier_event.c.event_id))

    def record(self, code: str) -> tuple[dict[str, Any], list[dict[str, Any]],
                                         Procedure | None] | None:
        """The whole stored dossier (unmasked, for staff), its events oldest first and its
        procedure; None when ``code`` is not stored."""
        keys = {"site": self.site_id, "code": code}
        with self.engine.connect() as conn:
            row = conn.execute(self._dossier_query, keys).first()
            if row is None:
                return None
            events = [dict(e._mapping) for e in conn.execute(self._events_query, keys)]
        return dict(row._mapping), events, _procedure_of(row)

    def view(self, code: str, now: dt.datetime) -> DossierView | None:
        found = self.record(code)
        if found is None:
            return None
        row, events, proc = found
        return public_view(row, events, proc, self.calendar, now, self.return_service,
                           tz=self.tz)


# --- writing --------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a batch did. ``errors`` are the refused rows, in row order."""

    dossiers_added: int = 0
    events_added: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"dossiers_added": self.dossiers_added, "events_added": self.events_added,
                "skipped": self.skipped, "dry_run": self.dry_run,
                "errors": [error.as_dict() for error in self.errors]}


@dataclass
class _State:
    """A dossier's current state while the batch's events are walked."""

    status: int | None
    supplement_requests: int
    new_appointment_date: dt.date | None
    finished_at: dt.datetime | None
    last_at: dt.datetime | None
    new: bool
    changed: bool = False


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _with_keys(conn: sa.Connection, statement: sa.Select, column: sa.Column,
               keys: Sequence[str]) -> Iterable[Any]:
    """Rows of ``statement`` whose ``column`` is one of ``keys``.

    PostgreSQL joins an ``unnest`` of all the keys in one query: an ``IN`` list of bound
    parameters is searched linearly per row, and right after a bulk import (statistics
    not yet updated) the planner scans the table, so 125,000 keys took 80 s that way.
    SQLite's ``IN`` lists use the index; they go in chunks under its parameter limit."""
    if not keys:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        wanted = sa.func.unnest(sa.literal(list(keys), type_=ARRAY(sa.String))) \
            .table_valued("key").render_derived()
        yield from conn.execute(statement.join_from(column.table, wanted,
                                                    column == wanted.c.key))
        return
    for chunk in _chunks(keys):
        yield from conn.execute(statement.where(column.in_(chunk)))


def _row_order(error: RowError) -> tuple:
    """File lines in order; body places (``dossiers[10].events[2]``) by their numbers."""
    if isinstance(error.row, int):
        return (0, error.row)
    return (1, tuple(int(part) if part.isdigit() else part
                     for part in re.split(r"(\d+)", error.row)))


def _same_dossier(stored: Any, given: DossierInput) -> str | None:
    """The first field in which ``given`` differs from the stored dossier, or None."""
    if stored.procedure_code != given.procedure:
        return "procedure"
    if stored.applicant_name != given.applicant_name:
        return "applicant_name"
    if (stored.applicant_phone or "") != given.phone:
        return "phone"
    if stored.received_at != given.received_at:
        return "received_at"
    if given.appointment_date is not None and stored.appointment_date != given.appointment_date:
        return "appointment_date"
    return None


def apply_dossier_batch(engine: Engine, site_id: str, dossiers: Sequence[DossierInput],
                        events: Sequence[EventInput], calendar: WorkCalendar,
                        now: dt.datetime, *, tz: dt.tzinfo | None = None,
                        source: str = "", dry_run: bool = False,
                        earlier_errors: Sequence[RowError] = ()) -> ImportReport:
    """Write ``dossiers`` and ``events`` in one transaction; report what was refused.

    New dossiers get their appointment date from their procedure's ``processing_days``
    (counted by ``calendar`` from the time received) unless it is given. Events are
    applied per dossier in ``at`` order, each checked against the status before it
    (:func:`motcua.dossiers.status.check_transition`); the dossier's status, supplement
    count, new appointment date and finish time follow. ``earlier_errors`` (rows the
    parser refused) are merged into the report. ``dry_run`` checks without writing.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database failed; nothing was written.
    """
    tz = tz or site_timezone(engine, site_id)
    report = ImportReport(errors=list(earlier_errors), dry_run=dry_run)
    with write_transaction(engine) as conn:
        plan = _Plan(conn, site_id, calendar, tz, report)
        plan.take_dossiers(dossiers)
        plan.take_events(events)
        if not dry_run:
            plan.write(now, source)
    report.errors.sort(key=_row_order)
    log.info("dossier batch: %d dossiers and %d events added, %d skipped, %d rows refused%s",
             report.dossiers_added, report.events_added, report.skipped, len(report.errors),
             " (dry run)" if dry_run else "")
    return report


class _Plan:
    """The batch being checked against the stored rows (inside the write transaction)."""

    def __init__(self, conn: sa.Connection, site_id: str, calendar: WorkCalendar,
                 tz: dt.tzinfo, report: ImportReport) -> None:
        self.conn = conn
        self.site_id = site_id
        self.calendar = calendar
        self.tz = tz
        self.report = report
        self.new_dossiers: dict[str, dict[str, Any]] = {}
        self.refused_codes: dict[str, int | str] = {}
        #: Rows already refused: the event part of such a row is not applied either.
        self.refused_rows: set[int | str] = set()
        self.states: dict[str, _State] = {}
        self.new_events: list[dict[str, Any]] = []

    def _error(self, error: RowError) -> None:
        self.report.errors.append(error)
        self.refused_rows.add(error.row)

    # dossiers

    def take_dossiers(self, dossiers: Sequence[DossierInput]) -> None:
        codes = sorted({d.code for d in dossiers})
        stored = {row.code: row for row in _with_keys(
            self.conn, sa.select(dossier).where(dossier.c.site_id == self.site_id),
            dossier.c.code, codes)}
        procedures = {row.code: row.processing_days for row in self.conn.execute(
            sa.select(procedure.c.code, procedure.c.processing_days)
            .where(procedure.c.site_id == self.site_id))}
        given: dict[str, DossierInput] = {}
        already: set[str] = set()
        for item in dossiers:
            if item.code in stored or item.code in given:
                earlier = stored.get(item.code) or _DossierRow(given[item.code])
                differs = _same_dossier(earlier, item)
                if differs is not None:
                    self._error(row_error(item.row, differs, "dossier_conflict", item.code))
                elif item.code in stored and item.code not in already:
                    already.add(item.code)
                    self.report.skipped += 1
                continue
            if item.procedure not in procedures:
                self._error(row_error(item.row, "procedure", "unknown_procedure",
                                      item.procedure))
                self.refused_codes.setdefault(item.code, item.row)
                continue
            appointment = item.appointment_date
            if appointment is None:
                days = procedures[item.procedure]
                if days is None:
                    self._error(row_error(item.row, "appointment_date", "no_processing_days",
                                          item.procedure))
                    self.refused_codes.setdefault(item.code, item.row)
                    continue
                appointment = self.calendar.add_working_days(item.received_at, days, self.tz)
            given[item.code] = item
            self.new_dossiers[item.code] = {
                "row": item.row, "site_id": self.site_id, "code": item.code,
                "procedure_code": item.procedure, "applicant_name": item.applicant_name,
                "applicant_phone": item.phone, "received_at": item.received_at,
                "appointment_date": appointment}
        for code in list(given):
            self.states[code] = _State(None, 0, None, None, None, new=True)

    # events

    def take_events(self, events: Sequence[EventInput]) -> None:
        known = self._stored_events(sorted({e.event_id for e in events}))
        seen: dict[str, EventInput] = {}
        fresh: list[EventInput] = []
        for event in events:
            earlier = seen.get(event.event_id)
            if earlier is None and event.event_id in known:
                earlier_content = known[event.event_id]
            else:
                earlier_content = earlier.content() if earlier else None
            if earlier_content is not None:
                if earlier_content == event.content():
                    self.report.skipped += 1
                else:
                    self._error(row_error(event.row, "event_id", "event_conflict",
                                          event.event_id))
                continue
            seen[event.event_id] = event
            fresh.append(event)
        self._load_states(sorted({e.code for e in fresh} - set(self.states)))
        by_code: dict[str, list[EventInput]] = {}
        for event in fresh:
            if event.row in self.refused_rows:
                continue
            if event.code in self.refused_codes:
                self._error(row_error(event.row, "code", "dossier_refused", event.code))
            elif event.code not in self.states:
                self._error(row_error(event.row, "code", "unknown_dossier", event.code))
            else:
                by_code.setdefault(event.code, []).append(event)
        for code, items in by_code.items():
            items.sort(key=lambda e: e.at)  # stable: rows of one instant keep file order
            for event in items:
                self._apply(self.states[code], event)
        for code, state in self.states.items():
            if state.new and state.status is None:
                row = self.new_dossiers[code]["row"]
                self._error(row_error(row, "status", "no_status", code))
                del self.new_dossiers[code]

    def _stored_events(self, event_ids: Sequence[str]) -> dict[str, tuple]:
        known = {}
        columns = (dossier_event.c.event_id, dossier_event.c.code, dossier_event.c.status,
                   dossier_event.c.at, dossier_event.c.note,
                   dossier_event.c.new_appointment_date)
        for row in _with_keys(self.conn, sa.select(*columns).where(
                dossier_event.c.site_id == self.site_id), dossier_event.c.event_id, event_ids):
            known[row.event_id] = (row.code, row.status, row.at, row.note,
                                   row.new_appointment_date)
        return known

    def _load_states(self, codes: Sequence[str]) -> None:
        last = {row[0]: row[1] for row in _with_keys(
            self.conn, sa.select(dossier_event.c.code, sa.func.max(dossier_event.c.at))
            .where(dossier_event.c.site_id == self.site_id).group_by(dossier_event.c.code),
            dossier_event.c.code, codes)}
        for row in _with_keys(self.conn, sa.select(
                dossier.c.code, dossier.c.status, dossier.c.supplement_requests,
                dossier.c.new_appointment_date, dossier.c.finished_at).where(
                dossier.c.site_id == self.site_id), dossier.c.code, codes):
            last_at = last.get(row.code)
            if isinstance(last_at, str):  # SQLite gives max() of a datetime as text
                last_at = dt.datetime.fromisoformat(last_at)
            if last_at is not None and last_at.tzinfo is None:  # stored as naive UTC
                last_at = last_at.replace(tzinfo=dt.timezone.utc)
            self.states[row.code] = _State(row.status, row.supplement_requests,
                                           row.new_appointment_date, row.finished_at,
                                           last_at, new=False)

    def _apply(self, state: _State, event: EventInput) -> None:
        if state.last_at is not None and event.at < state.last_at:
            self._error(row_error(event.row, "status_at", "out_of_order",
                                  state.last_at.astimezone(self.tz).strftime("%d/%m/%Y %H:%M")))
            return
        try:
            check_transition(state.status, event.status)
        except TransitionRefused as refused:
            self._error(RowError(event.row, "status", "transition", refused.message_vi,
                                 refused.message_en))
            return
        state.status = event.status
        state.last_at = event.at
        state.changed = True
        if event.status == SUPPLEMENT:
            state.supplement_requests += 1
        if event.new_appointment_date is not None:
            state.new_appointment_date = event.new_appointment_date
        if event.status in FINISHED and state.finished_at is None:
            state.finished_at = event.at
        self.new_events.append({
            "site_id": self.site_id, "event_id": event.event_id, "code": event.code,
            "status": event.status, "at": event.at, "note": event.note,
            "new_appointment_date": event.new_appointment_date})

    # writing

    def write(self, now: dt.datetime, source: str) -> None:
        dossier_rows = []
        for code, values in self.new_dossiers.items():
            state = self.states[code]
            row = {key: value for key, value in values.items() if key != "row"}
            row.update(status=state.status, supplement_requests=state.supplement_requests,
                       new_appointment_date=state.new_appointment_date,
                       finished_at=state.finished_at, updated_at=now)
            dossier_rows.append(row)
        if dossier_rows:
            self.conn.execute(dossier.insert(), dossier_rows)
        updates = [{"b_code": code, "b_status": s.status,
                    "b_supplements": s.supplement_requests,
                    "b_new_date": s.new_appointment_date, "b_finished": s.finished_at}
                   for code, s in self.states.items() if not s.new and s.changed]
        if updates:
            self.conn.execute(
                dossier.update()
                .where(dossier.c.site_id == self.site_id,
                       dossier.c.code == sa.bindparam("b_code"))
                .values(status=sa.bindparam("b_status"),
                        supplement_requests=sa.bindparam("b_supplements"),
                        new_appointment_date=sa.bindparam("b_new_date"),
                        finished_at=sa.bindparam("b_finished"), updated_at=now),
                updates)
        if self.new_events:
            for event in self.new_events:
                event.update(source=source[:128], recorded_at=now)
            self.conn.execute(dossier_event.insert(), self.new_events)
        self.report.dossiers_added = len(dossier_rows)
        self.report.events_added = len(self.new_events)


@dataclass(frozen=True)
class _DossierRow:
    """A dossier of this batch in the shape of a stored row (for :func:`_same_dossier`)."""

    item: DossierInput

    @property
    def procedure_code(self) -> str:
        return self.item.procedure

    @property
    def applicant_name(self) -> str:
        return self.item.applicant_name

    @property
    def applicant_phone(self) -> str:
        return self.item.phone

    @property
    def received_at(self) -> dt.datetime:
        return self.item.received_at

    @property
    def appointment_date(self) -> dt.date | None:
        return self.item.appointment_date


# --- the hub's single writer ---------------------------------------------------------


def submit_dossier_batch(dispatcher: Any, work: Callable[[], T]) -> "Future[T]":
    """Run ``work`` (e.g. a :func:`apply_dossier_batch` call) on the dispatcher's writer
    thread, between command batches, so dossier writes never race the queue's writes;
    the future gets its return value or its exception."""
    future: Future = Future()

    def task() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            future.set_exception(exc)

    dispatcher.run_in_writer(task)
    return future
