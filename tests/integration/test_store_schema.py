"""Migrations, seeding and the schema's safety net, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from motcua.cli import main
from motcua.domain import Service
from motcua.site_config import example_config_path, load_site_config
from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command, Rules
from motcua.domain.views import recent_calls
from motcua.store import SiteStore, create_database_engine, open_site_store, upgrade
from motcua.store.migrate import current_revision
from motcua.store.schema import metadata, ticket
from tests.support.sites import MONDAY_MORNING, ManualClock, small_setup


def test_migrations_build_exactly_the_schema_and_are_idempotent(db_url):
    """Given an empty database,
    when the migrations run twice,
    then the result matches the SQLAlchemy schema with no difference."""
    engine = create_database_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_every_table_has_a_site_id(db_url):
    """Given a database built by the migrations (SQLite and PostgreSQL),
    when its tables are read back from the database itself,
    then every table but Alembic's own carries a site_id column (multi-site from the
    start), and the tables are exactly those of the schema."""
    engine = create_database_engine(db_url)
    upgrade(engine)
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    assert tables == set(metadata.tables)
    without = [name for name in sorted(tables)
               if "site_id" not in {c["name"] for c in inspector.get_columns(name)}]
    assert without == []


def test_the_example_center_seeds_once_and_the_database_stays_the_truth(db_url):
    """Given the example center seeded on first start,
    when the hub starts again with a changed configuration,
    then the database keeps what it had (the TOML only seeds)."""
    setup = load_site_config(example_config_path()).to_setup()
    store = open_site_store(db_url, setup, MONDAY_MORNING)
    assert store.load_setup() == setup
    changed = dataclasses.replace(setup, services={
        **setup.services, "moi": Service("moi", "Z", "Dịch vụ mới")})
    again = open_site_store(db_url, changed, MONDAY_MORNING)
    assert again.load_setup() == setup


def test_the_database_refuses_two_active_tickets_at_one_counter(db_url):
    """Given a counter holding a called ticket,
    when a second ticket is written as active at the same counter behind the engine's back,
    then the partial unique index refuses it."""
    store = open_site_store(db_url, small_setup(), MONDAY_MORNING)
    row = dict(site_id="test-site", business_day=MONDAY_MORNING.date(), prefix="A",
               service="dat-dai", priority="normal", status="called", origin="kiosk",
               counter=1, issued_at=MONDAY_MORNING, recalls=0, hold_remaining=0, front=False)
    with store.engine.begin() as conn:
        conn.execute(ticket.insert().values(id="t1", seq_no=1, number="A001", **row))
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(ticket.insert().values(id="t2", seq_no=2, number="A002", **row))


def test_the_database_refuses_a_duplicate_number(db_url):
    """Given A001 issued today, when another A001 is written for the same day, it is refused."""
    store = open_site_store(db_url, small_setup(), MONDAY_MORNING)
    row = dict(site_id="test-site", business_day=MONDAY_MORNING.date(), prefix="A", seq_no=1,
               number="A001", service="dat-dai", priority="normal", status="waiting",
               origin="kiosk", issued_at=MONDAY_MORNING, recalls=0, hold_remaining=0,
               front=False)
    with store.engine.begin() as conn:
        conn.execute(ticket.insert().values(id="t1", **row))
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(ticket.insert().values(id="t2", **row))


def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url):
    """Given a SQLite store, then journal_mode is WAL and synchronous is FULL (2), so an
    answered command survives a power cut."""
    engine = create_database_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_db_upgrade_command(sqlite_url, capsys):
    """Given an empty SQLite file, when `motcua db upgrade --db URL` runs,
    then it exits 0 and reports revision 0005; `db status` then agrees."""
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert main(["db", "status", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert out.count("database at revision 0005") == 2


def test_migration_0002_keeps_the_tickets_of_a_0001_database(db_url):
    """Given a database at revision 0001 holding a ticket of ho-tich recalled twice,
    when it is upgraded to 0002,
    then the ticket's issued_service is ho-tich, recalls_total is 2 and held_at is empty,
    and the store loads it with those values."""
    engine = create_database_engine(db_url)
    upgrade(engine, "0001")
    store = SiteStore(engine, "test-site")
    store.seed(small_setup(), MONDAY_MORNING)
    legacy = sa.table("ticket", *(sa.column(c) for c in (
        "id", "site_id", "business_day", "prefix", "seq_no", "number", "service", "priority",
        "status", "origin", "issued_at", "recalls", "hold_remaining", "front")))
    with engine.begin() as conn:
        conn.execute(legacy.insert().values(
            id="t1", site_id="test-site", business_day=MONDAY_MORNING.date(), prefix="C",
            seq_no=1, number="C001", service="ho-tich", priority="normal", status="waiting",
            origin="kiosk", issued_at=MONDAY_MORNING.replace(tzinfo=None) - MONDAY_MORNING
            .utcoffset(), recalls=2, hold_remaining=0, front=False))
        conn.execute(sa.text("UPDATE site SET business_day = :day"),
                     {"day": MONDAY_MORNING.date()})
    assert current_revision(engine) == "0001"

    upgrade(engine)

    with engine.connect() as conn:
        row = conn.execute(sa.select(ticket.c.issued_service, ticket.c.recalls_total,
                                     ticket.c.held_at)).one()
    assert tuple(row) == ("ho-tich", 2, None)
    loaded = store.load().state.tickets["t1"]
    assert (loaded.issued_service, loaded.recalls_total, loaded.issued_at) == (
        "ho-tich", 2, MONDAY_MORNING)


def test_migration_0005_keeps_the_days_requests_and_their_replies(db_url):
    """Given a database at revision 0004 whose writer answered two requests today (an
    issue from kiosk 1 and one from kiosk 2),
    when it is upgraded to 0005 (the request table keyed by its place in the log),
    then both rows are there in the order they were answered, and a hub started on it
    answers kiosk 1's repeat with the first reply, acting once; downgraded to 0004 and
    upgraded again, the rows are still the same."""
    from motcua.store.migrate import alembic_config
    from alembic import command

    engine = create_database_engine(db_url)
    upgrade(engine, "0004")
    clock = ManualClock()
    store = SiteStore(engine, "test-site")
    store.seed(small_setup(), clock())
    with Dispatcher(store, clock=clock) as dispatcher:
        first = dispatcher.execute(Request(Command("issue", {"service": "dat-dai"}),
                                           source="kiosk/1", request_id="r-1"))
        clock.advance(seconds=5)
        dispatcher.execute(Request(Command("issue", {"service": "ho-tich"}),
                                   source="kiosk/2", request_id="r-2"))
    assert first.ok
    columns = "source, request_id, result"

    def rows() -> list[tuple]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(
                f"SELECT {columns} FROM request ORDER BY created_at")]

    before = rows()
    assert [r[:2] for r in before] == [("kiosk/1", "r-1"), ("kiosk/2", "r-2")]

    upgrade(engine)
    assert current_revision(engine) == "0005"
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {columns} FROM request ORDER BY id")] == before
    with Dispatcher(SiteStore(engine, "test-site"), clock=clock) as dispatcher:
        repeat = dispatcher.execute(Request(Command("issue", {"service": "dat-dai"}),
                                            source="kiosk/1", request_id="r-1"))
        assert (repeat.repeated, repeat.ticket) == (True, first.ticket)
        assert len(dispatcher.state.tickets) == 2

    command.downgrade(alembic_config(engine), "0004")
    assert current_revision(engine) == "0004" and rows() == before
    upgrade(engine)
    assert rows() == before


def test_a_reloaded_day_has_the_same_tickets_indexes_and_recent_calls(db_url):
    """Given a day with a held ticket, a transfer, a recall, a cancelled ticket, a no-show
    called back and a cap-counted transfer, written through the dispatcher,
    when the store loads the site afresh,
    then the loaded state equals the live one: tickets (issued service, recall totals,
    hold times), queue indexes, recent calls and service times."""
    clock = ManualClock()
    store = open_site_store(db_url, small_setup(), clock())
    with Dispatcher(store, clock=clock) as dispatcher:
        def run(action, counter=None, **args):
            clock.advance(seconds=20)
            result = dispatcher.execute(Request(Command(action, args, counter=counter)))
            assert result.ok, (action, result.error)
            return result

        for service in ("dat-dai", "dat-dai", "ho-tich", "chung-thuc", "dat-dai"):
            run("issue", service=service)
        run("open", 1, clerk="Lan")
        run("open", 2, clerk="Minh")
        run("call_next", 1)
        run("recall", 1)
        run("hold", 1)
        run("call_next", 2)
        run("transfer", 2, to_service="ho-tich")
        run("call_next", 1)
        run("no_show", 1)
        run("call", 2, ticket="A002")
        run("start", 2)
        run("finish", 2)
        run("cancel", 1, ticket="C001")
        live = dispatcher.state

        loaded = store.load().state

    assert loaded == live
    assert loaded.index == live.index and list(loaded.recent_calls) == list(live.recent_calls)
    assert [(c["ticket"], c["counter"]) for c in recent_calls(loaded)] == [
        ("A002", 2), ("A001", 1)]
    assert live.index.issued == {"dat-dai": 3, "ho-tich": 1, "chung-thuc": 1}


def test_a_site_store_for_an_unknown_site_says_so(sqlite_url):
    """Given a migrated database without the site, when its setup is loaded,
    then a LookupError names the site."""
    engine = create_database_engine(sqlite_url)
    upgrade(engine)
    with pytest.raises(LookupError, match="nowhere"):
        SiteStore(engine, "nowhere").load_setup()


def test_serve_until_survives_the_database(db_url):
    """Given a site whose rules set serve_until 17:30, when it is seeded and read back,
    then the rules read back are equal, serve_until included."""
    setup = small_setup(rules=Rules(serve_until=dt.time(17, 30)))
    store = open_site_store(db_url, setup, MONDAY_MORNING)
    assert store.load_setup().rules == setup.rules
    assert store.load_setup().rules.serve_until == dt.time(17, 30)
