"""Reading and writing one site's queue in the database.

:meth:`SiteStore.commit` writes a whole batch of decided commands in ONE transaction:
the events, the new and changed tickets, the counters, the number counters, the request
ids and the new ``seq``. Every update is conditional on what the writer believed was in
the database (ticket status, last number, seq), so a second writer or a stale cache is
caught as :class:`StoreConflict` and nothing is half-written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from motcua.domain import (
    Assignment,
    CounterSetup,
    Event,
    IssuingSession,
    Service,
    SiteSetup,
    SiteState,
    Ticket,
)
from motcua.domain.model import ACTIVE_STATUSES, RECENT_CALLS

from . import codec
from .checkpoint import WalCheckpointer
from .database import is_sqlite, write_transaction
from .schema import (
    counter,
    counter_service,
    issuing_session,
    number_counter,
    request,
    service,
    site,
    ticket,
    ticket_event,
)

log = logging.getLogger(__name__)
#: Call events read to find the last RECENT_CALLS distinct tickets called (a ticket is
#: called again only after a hold, a no-show or a transfer, so a few times at most).
_RECENT_CALL_ROWS = 20 * RECENT_CALLS


class StoreConflict(RuntimeError):
    """The database did not hold what the writer expected; the transaction was rolled back."""


@dataclass
class Loaded:
    """A site's state as the database holds it, with its ``epoch`` and last ``seq``."""

    state: SiteState
    epoch: str
    seq: int


@dataclass
class StoredRequest:
    payload_hash: str
    result: dict[str, Any]


@dataclass
class Batch:
    """Everything one transaction writes. Built by the dispatcher, written by :meth:`commit`."""

    seq_before: int
    seq_after: int = 0
    business_day: dt.date | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    #: ticket id -> (the live Ticket object, its status in the database or None if new)
    tickets: dict[str, tuple[Ticket, str | None]] = field(default_factory=dict)
    counters: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: (prefix, business day) -> (last number in the database, new last number)
    numbers: dict[tuple[str, dt.date], tuple[int, int]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    purge_requests_before: dt.date | None = None


class SiteStore:
    """The database side of one site. Thread-safe: each call uses its own connection,
    except :meth:`commit`, which keeps one connection per calling thread from commit to
    commit (see :meth:`commit`) until :meth:`close`. On SQLite, while a writer holds its
    connection, a :class:`~motcua.store.checkpoint.WalCheckpointer` copies the log into
    the database file, so that commits do not."""

    def __init__(self, engine: Engine, site_id: str) -> None:
        self.engine = engine
        self.site_id = site_id
        self._writers: dict[int, sa.Connection] = {}  # thread ident → its connection
        self._writers_lock = threading.Lock()
        self._statements = _Statements(engine.dialect)
        self.checkpointer = WalCheckpointer(engine) if is_sqlite(engine.url) else None

    # --- setup ---------------------------------------------------------------------

    def exists(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(site.c.site_id).where(site.c.site_id == self.site_id)
            ).first() is not None

    def seed(self, setup: SiteSetup, now: dt.datetime) -> bool:
        """Write ``setup`` if the site is new; return False (and change nothing) otherwise.

        After the first start the database is the truth: later edits of the TOML file
        do not overwrite what admins changed.
        """
        if setup.site_id != self.site_id:
            raise ValueError(f"setup is for site {setup.site_id!r}, store for {self.site_id!r}")
        with write_transaction(self.engine) as conn:
            if conn.execute(sa.select(site.c.site_id).where(site.c.site_id == self.site_id)).first():
                return False
            conn.execute(site.insert().values(
                site_id=self.site_id, name=setup.name, timezone=setup.timezone,
                rules=codec.rules_to_json(setup.rules), epoch=uuid.uuid4().hex, seq=0,
                business_day=None, created_at=now,
            ))
            conn.execute(service.insert(), [
                {"site_id": self.site_id, "code": s.code, "prefix": s.prefix, "name": s.name,
                 "field": s.field, "mean_service_minutes": s.mean_service_minutes,
                 "daily_cap": s.daily_cap, "active": s.active, "position": i}
                for i, s in enumerate(setup.services.values())
            ])
            conn.execute(counter.insert(), [
                {"site_id": self.site_id, "number": c.number, "name": c.name,
                 "status": "closed", "session_services": "[]", "normal_streak": 0}
                for c in setup.counters.values()
            ])
            assignment_rows = [
                {"site_id": self.site_id, "counter": c.number, "assignment": a_no,
                 "position": pos, "service_code": code,
                 "valid_from": a.valid_from, "valid_to": a.valid_to}
                for c in setup.counters.values()
                for a_no, a in enumerate(c.assignments)
                for pos, code in enumerate(a.services)
            ]
            if assignment_rows:
                conn.execute(counter_service.insert(), assignment_rows)
            conn.execute(issuing_session.insert(), [
                {"site_id": self.site_id, "name": s.name, "start": s.start.strftime("%H:%M"),
                 "end": s.end.strftime("%H:%M"),
                 "weekdays": ",".join(str(d) for d in sorted(s.weekdays)), "position": i}
                for i, s in enumerate(setup.sessions)
            ])
        log.info("site %s seeded: %d services, %d counters", self.site_id,
                 len(setup.services), len(setup.counters))
        return True

    def load_setup(self) -> SiteSetup:
        """The site's setup as the database holds it (raises LookupError if not seeded)."""
        with self.engine.connect() as conn:
            site_row = conn.execute(sa.select(site).where(site.c.site_id == self.site_id)).first()
            if site_row is None:
                raise LookupError(f"site {self.site_id!r} is not in the database")
            services = {
                r.code: Service(r.code, r.prefix, r.name, r.field, r.mean_service_minutes,
                                r.daily_cap, bool(r.active))
                for r in conn.execute(sa.select(service).where(service.c.site_id == self.site_id)
                                      .order_by(service.c.position))
            }
            assignments: dict[int, dict[int, list[Any]]] = {}
            for r in conn.execute(sa.select(counter_service)
                                  .where(counter_service.c.site_id == self.site_id)
                                  .order_by(counter_service.c.counter,
                                            counter_service.c.assignment,
                                            counter_service.c.position)):
                assignments.setdefault(r.counter, {}).setdefault(r.assignment, []).append(r)
            counters = {}
            for r in conn.execute(sa.select(counter).where(counter.c.site_id == self.site_id)
                                  .order_by(counter.c.number)):
                groups = assignments.get(r.number, {})
                counters[r.number] = CounterSetup(r.number, r.name, tuple(
                    Assignment(tuple(row.service_code for row in rows),
                               rows[0].valid_from, rows[0].valid_to)
                    for _, rows in sorted(groups.items())
                ))
            sessions = tuple(
                IssuingSession(r.name, codec.parse_hhmm(r.start), codec.parse_hhmm(r.end),
                               frozenset(int(d) for d in r.weekdays.split(",") if d))
                for r in conn.execute(sa.select(issuing_session)
                                      .where(issuing_session.c.site_id == self.site_id)
                                      .order_by(issuing_session.c.position))
            )
        return SiteSetup(self.site_id, site_row.name, site_row.timezone, services, counters,
                         sessions, codec.rules_from_json(site_row.rules))

    # --- state ---------------------------------------------------------------------

    def load(self, setup: SiteSetup | None = None) -> Loaded:
        """The live state: today's tickets, counters, numbers and recent service times."""
        setup = setup or self.load_setup()
        with self.engine.connect() as conn:
            site_row = conn.execute(sa.select(site).where(site.c.site_id == self.site_id)).one()
            state = SiteState(setup=setup, business_day=site_row.business_day)
            for r in conn.execute(sa.select(counter).where(counter.c.site_id == self.site_id)):
                if r.number in state.counters:
                    state.counters[r.number] = codec.counter_from_row(r)
            day = site_row.business_day
            if day is not None:
                for r in conn.execute(sa.select(ticket).where(
                        ticket.c.site_id == self.site_id, ticket.c.business_day == day)):
                    state.tickets[r.id] = codec.ticket_from_row(r)
                for r in conn.execute(sa.select(number_counter).where(
                        number_counter.c.site_id == self.site_id,
                        number_counter.c.business_day == day)):
                    state.last_numbers[r.prefix] = r.last_number
                finishes = conn.execute(
                    sa.select(ticket_event.c.ticket_id)
                    .join(ticket, ticket.c.id == ticket_event.c.ticket_id)
                    .where(ticket_event.c.site_id == self.site_id,
                           ticket_event.c.kind == "ticket_finished",
                           ticket.c.business_day == day)
                    .order_by(ticket_event.c.id)
                )
                window = setup.rules.rolling_window
                for (ticket_id,) in finishes:
                    done = state.tickets[ticket_id]
                    began = done.started_at or done.called_at
                    if began is not None and done.finished_at is not None:
                        durations = state.service_durations.setdefault(done.service, [])
                        durations.append(max(0.0, (done.finished_at - began).total_seconds()))
                        del durations[:-window]
                self._load_recent_calls(conn, state, day)
            state.reindex()
        return Loaded(state, site_row.epoch, site_row.seq)

    def _load_recent_calls(self, conn: sa.Connection, state: SiteState, day: dt.date) -> None:
        """The day's last calls, as the ``ticket_called`` applier keeps them: the latest
        call of each of the last RECENT_CALLS distinct tickets called, oldest first."""
        calls = conn.execute(
            sa.select(ticket_event.c.ticket_id, ticket_event.c.counter, ticket_event.c.data,
                      ticket_event.c.at)
            .join(ticket, ticket.c.id == ticket_event.c.ticket_id)
            .where(ticket_event.c.site_id == self.site_id,
                   ticket_event.c.kind == "ticket_called",
                   ticket.c.business_day == day)
            .order_by(ticket_event.c.id.desc())
            .limit(_RECENT_CALL_ROWS)
        )
        latest: dict[str, tuple] = {}
        for ticket_id, counter_no, data, at in calls:
            if ticket_id not in latest:
                service = json.loads(data).get("service") or state.tickets[ticket_id].service
                latest[ticket_id] = (ticket_id, counter_no, service, at)
                if len(latest) == RECENT_CALLS:
                    break
        state.recent_calls.extend(reversed(list(latest.values())))

    def load_events(self) -> list[Event]:
        """The whole event log of the site, oldest first (for replay and audits)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ticket_event)
                                .where(ticket_event.c.site_id == self.site_id)
                                .order_by(ticket_event.c.id))
            return [codec.event_from_row(r) for r in rows]

    def load_requests(self, day: dt.date | None) -> dict[tuple[str, str], StoredRequest]:
        """Request ids remembered for ``day`` (idempotence lasts one business day)."""
        if day is None:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(request).where(
                request.c.site_id == self.site_id, request.c.business_day == day))
            return {(r.source, r.request_id): StoredRequest(r.payload_hash, json.loads(r.result))
                    for r in rows}

    # --- the one write path ----------------------------------------------------------

    def commit(self, batch: Batch) -> None:
        """Write ``batch`` atomically, or raise (StoreConflict or a database error) having
        written nothing.

        The writer's connection is kept between commits: taking one from the pool for
        every commit cost a checkout (and on PostgreSQL a ping, a round trip) per batch.
        After any failure it is closed, so the next commit starts on a fresh one (a
        database restarted in between costs one failed batch, which the dispatcher
        retries)."""
        thread = threading.get_ident()
        conn = self._writer_connection(thread)
        # The transaction is run on the DBAPI connection too: SQLAlchemy's begin (its
        # event hook, an execution context and a result for "BEGIN IMMEDIATE") cost
        # more than the BEGIN itself. The SQLAlchemy connection only holds the pooled
        # connection; it never starts a transaction of its own on it.
        dbapi_connection = conn.connection.dbapi_connection
        writes = _Writes(dbapi_connection)
        try:
            self._statements.begin(dbapi_connection)
            with self._statements.pipeline(dbapi_connection):
                self._write_batch(writes, batch)
            writes.verify()  # before COMMIT: a conflict leaves nothing written
            self._statements.commit(dbapi_connection)
            if self.checkpointer is not None:
                self.checkpointer.committed()
        except BaseException:
            try:
                dbapi_connection.rollback()
            except Exception:  # noqa: BLE001 - the connection is dropped just below
                log.debug("rollback after a failed commit failed", exc_info=True)
            self.close(thread)
            raise
        finally:
            writes.close()

    def close(self, thread: int | None = None) -> None:
        """Return the connection kept by :meth:`commit` for ``thread`` (a thread ident;
        default: the calling thread). The dispatcher calls it when its writer stops; the
        background checkpoint stops with the last writer."""
        with self._writers_lock:
            conn = self._writers.pop(thread if thread is not None
                                     else threading.get_ident(), None)
            last = not self._writers
        if last and self.checkpointer is not None:
            self.checkpointer.stop()
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dead connection is being dropped anyway
                log.debug("closing the writer's connection failed", exc_info=True)

    def _writer_connection(self, thread: int) -> sa.Connection:
        with self._writers_lock:
            conn = self._writers.get(thread)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            if self.checkpointer is not None:
                self.checkpointer.start()
            with self._writers_lock:
                self._writers[thread] = conn
        return conn

    def _write_batch(self, writes: _Writes, batch: Batch) -> None:
        # Every statement goes straight to the DBAPI cursor, compiled once per dialect
        # and set of columns (see _Statements): SQLAlchemy's per-execution work (its
        # execution context, parameter processing, result wrapping) cost more than the
        # statements themselves. The row counts that detect another writer are checked
        # by the caller once every result is in (see _Statements.pipeline).
        statements = self._statements
        cursor = writes.cursor()
        statements.run(cursor, _SITE_ADVANCE, [{
            "site_id": self.site_id, "b_seq": batch.seq_before,
            "seq": batch.seq_after, "business_day": batch.business_day,
        }])
        writes.expect(cursor, 1, lambda _: "site seq moved: another writer is active")
        self._write_numbers(writes, batch)
        self._write_tickets(writes, batch)
        cursor = writes.cursor()
        if batch.counters:  # one statement for every counter touched
            statements.run(cursor, _COUNTER_UPDATE, [
                {"site_id": self.site_id, "number": number, **values}
                for number, values in batch.counters.items()])
        if batch.events:
            statements.run(cursor, _Insert(ticket_event), batch.events)
        if batch.requests:
            statements.run(cursor, _Insert(request), batch.requests)
        if batch.purge_requests_before is not None:
            statements.run(cursor, _REQUEST_PURGE, [{
                "site_id": self.site_id, "business_day": batch.purge_requests_before}])

    def _write_numbers(self, writes: _Writes, batch: Batch) -> None:
        for (prefix, day), (old, new) in batch.numbers.items():
            cursor = writes.cursor()
            if old == 0:
                # A primary-key clash here means someone else numbered this prefix today.
                self._statements.run(cursor, _Insert(number_counter), [{
                    "site_id": self.site_id, "prefix": prefix, "business_day": day,
                    "last_number": new}])
                continue
            self._statements.run(cursor, _NUMBER_ADVANCE, [{
                "site_id": self.site_id, "prefix": prefix, "business_day": day,
                "b_last_number": old, "last_number": new,
            }])
            writes.expect(cursor, 1, lambda _, prefix=prefix, day=day:
                          f"number counter {prefix} {day} moved")

    def _write_tickets(self, writes: _Writes, batch: Batch) -> None:
        # Tickets leaving a counter are written before tickets taking one, so the
        # "one active ticket per counter" index never sees two at once: the updates go
        # first, those that end inactive ahead of the active ones (executemany runs its
        # rows in order), then the new tickets. One statement per kind (executemany).
        updates: list[tuple[bool, dict[str, Any]]] = []
        inserts: list[dict[str, Any]] = []
        for live, status_before in batch.tickets.values():
            row = codec.ticket_to_row(self.site_id, live)
            if status_before is None:
                inserts.append(row)
                continue
            for name in _SET_AT_ISSUE:
                del row[name]
            row["b_status"] = status_before
            updates.append((live.status in ACTIVE_STATUSES, row))
        if updates:
            rows = [row for _active, row in sorted(updates, key=lambda entry: entry[0])]
            cursor = writes.cursor()
            self._statements.run(cursor, _TICKET_UPDATE, rows)
            writes.expect(cursor, len(rows), lambda updated, expected=len(rows):
                          f"{expected - updated} ticket(s) changed behind the writer's back")
        if inserts:
            self._statements.run(writes.cursor(), _Insert(ticket), inserts)


class _Writes:
    """The cursors of one write transaction, and the row counts some of them must show.

    A guarded update (the site's ``seq``, a number counter, tickets in the status the
    writer last saw) that changes fewer rows than expected means another writer got
    there first. Each guarded statement has a cursor of its own, whose row count is read
    by :meth:`verify` once every result is in: in PostgreSQL's pipeline mode a cursor
    knows its count only after the pipeline's sync."""

    def __init__(self, dbapi_connection: Any) -> None:
        self._connection = dbapi_connection
        self._cursors: list[Any] = []
        self._expected: list[tuple[Any, int, Callable[[int], str]]] = []

    def cursor(self) -> Any:
        cursor = self._connection.cursor()
        self._cursors.append(cursor)
        return cursor

    def expect(self, cursor: Any, rows: int, conflict: Callable[[int], str]) -> None:
        """After the writes, ``cursor`` must have changed ``rows`` rows; otherwise
        :meth:`verify` raises StoreConflict with ``conflict(rows changed)``."""
        self._expected.append((cursor, rows, conflict))

    def verify(self) -> None:
        for cursor, rows, conflict in self._expected:
            if cursor.rowcount != rows:
                raise StoreConflict(conflict(cursor.rowcount))

    def close(self) -> None:
        for cursor in self._cursors:
            try:
                cursor.close()
            except Exception:  # noqa: BLE001 - a failed transaction's cursor
                log.debug("closing a write cursor failed", exc_info=True)


@dataclass(frozen=True)
class _Insert:
    """``INSERT INTO table (the row's keys) VALUES (...)``."""

    table: sa.Table


@dataclass(frozen=True)
class _Update:
    """``UPDATE table SET <the row's other keys> WHERE <where> AND <conditions>``: the
    ``where`` keys name columns compared with the row's value, each ``b_<column>`` key of
    the row (the ``conditions``) is compared with that column's value before the update."""

    table: sa.Table
    where: tuple[str, ...]


#: Ticket columns written once, at issue (no event applier changes them). An update
#: leaves them out: SQLite rewrites the entries of every index whose columns are in the
#: SET list (the number's unique index, the business-day index), changed or not.
_SET_AT_ISSUE = ("business_day", "prefix", "seq_no", "number", "issued_at", "origin",
                 "issued_service")

_SITE_ADVANCE = _Update(site, ("site_id",))
_NUMBER_ADVANCE = _Update(number_counter, ("site_id", "prefix", "business_day"))
_COUNTER_UPDATE = _Update(counter, ("site_id", "number"))
_TICKET_UPDATE = _Update(ticket, ("id", "site_id"))
_REQUEST_PURGE = "request_purge"


@dataclass(frozen=True)
class _Prepared:
    sql: str
    #: the row's keys in placeholder order, and (position, bind processor) of the values
    #: that need converting (e.g. datetimes to SQLite's text).
    keys: tuple[str, ...]
    converters: tuple[tuple[int, Any], ...]

    def params(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values = [row[key] for key in self.keys]
        for position, convert in self.converters:
            value = values[position]
            if value is not None:
                values[position] = convert(value)
        return tuple(values)


class _Statements:
    """The write path's SQL text, built once per (statement, row keys) for the engine's
    dialect, and run with the DBAPI cursor of the caller's transaction.

    Values are converted with the column types' own bind processors (so SQLite stores
    datetimes exactly as SQLAlchemy does, and loads read them back the same), and DBAPI
    errors are raised as SQLAlchemy's exception classes, as ``Connection.execute`` would.
    """

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        style = dialect.paramstyle
        if style not in ("qmark", "format", "pyformat"):
            raise NotImplementedError(f"paramstyle {style!r} is not supported")
        self._placeholder = "?" if style == "qmark" else "%s"
        self._quote = dialect.identifier_preparer.quote
        self._prepared: dict[tuple[Any, tuple[str, ...]], _Prepared] = {}

    def begin(self, dbapi_connection: Any) -> None:
        """Start the write transaction: ``BEGIN IMMEDIATE`` on SQLite (the write lock up
        front, as :func:`~motcua.store.database.write_transaction`); PostgreSQL's driver
        begins by itself at the first statement."""
        if self.dialect.name == "sqlite":
            with self._translated("BEGIN IMMEDIATE"):
                dbapi_connection.execute("BEGIN IMMEDIATE")

    def commit(self, dbapi_connection: Any) -> None:
        with self._translated("COMMIT"):
            dbapi_connection.commit()

    @contextlib.contextmanager
    def pipeline(self, dbapi_connection: Any):
        """On PostgreSQL, send the statements run inside without waiting for each result
        (psycopg's pipeline mode): the results, and any error, arrive at the block's end.
        A batch's six or so statements cost one round trip to the server instead of one
        each: in ``bench/hub_roundtrip.py`` the paced reply p99 on PostgreSQL went from
        17.3 and 18.4 ms to 9.5 and 8.7 ms. SQLite runs in this process: there is no
        round trip to save."""
        if self.dialect.name != "postgresql":
            yield
            return
        with self._translated("(pipeline sync)"), dbapi_connection.pipeline():
            yield

    @contextlib.contextmanager
    def _translated(self, sql: str):
        """DBAPI errors raised as SQLAlchemy's classes, as ``Connection.execute`` does."""
        try:
            yield
        except self.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DBAPIError.instance(
                sql, None, error, self.dialect.loaded_dbapi.Error,
                dialect=self.dialect) from error

    def run(self, cursor: Any, statement: Any, rows: list[dict[str, Any]]) -> None:
        """Run ``statement`` once per row (one ``executemany``) on ``cursor``, whose
        ``rowcount`` then tells the rows changed (in a pipeline: after its sync)."""
        prepared = self._prepared.get((statement, tuple(rows[0])))
        if prepared is None:
            prepared = self._prepare(statement, tuple(rows[0]))
        params = [prepared.params(row) for row in rows]
        with self._translated(prepared.sql):
            if len(params) == 1:
                cursor.execute(prepared.sql, params[0])
            else:
                cursor.executemany(prepared.sql, params)

    def _prepare(self, statement: Any, keys: tuple[str, ...]) -> _Prepared:
        q, mark = self._quote, self._placeholder
        if statement == _REQUEST_PURGE:
            table, order = request, ("site_id", "business_day")
            sql = (f"DELETE FROM {q(table.name)} WHERE {q('site_id')} = {mark} "
                   f"AND {q('business_day')} < {mark}")
        elif isinstance(statement, _Insert):
            table, order = statement.table, keys
            sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(k) for k in keys)}) "
                   f"VALUES ({', '.join(mark for _ in keys)})")
        else:
            table = statement.table
            sets = tuple(k for k in keys if k not in statement.where and not k.startswith("b_"))
            conditions = tuple(k for k in keys if k.startswith("b_"))
            order = sets + statement.where + conditions
            clauses = [f"{q(k)} = {mark}" for k in statement.where]
            clauses += [f"{q(k[2:])} = {mark}" for k in conditions]
            sql = (f"UPDATE {q(table.name)} SET {', '.join(f'{q(k)} = {mark}' for k in sets)}"
                   f" WHERE {' AND '.join(clauses)}")
        converters = []
        for position, key in enumerate(order):
            column = table.c[key[2:] if key.startswith("b_") and key not in table.c else key]
            convert = column.type.bind_processor(self.dialect)
            if convert is not None:
                converters.append((position, convert))
        prepared = _Prepared(sql, order, tuple(converters))
        self._prepared[(statement, keys)] = prepared
        return prepared
