"""Migrations, seeding and the schema's safety net, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from motcua.cli import main
from motcua.domain import Service
from motcua.site_config import example_config_path, load_site_config
from motcua.store import SiteStore, create_database_engine, open_site_store, upgrade
from motcua.store.schema import metadata, ticket
from tests.support.sites import MONDAY_MORNING, small_setup


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
    """Given the schema, then every table carries site_id (multi-site from the start)."""
    assert all("site_id" in table.c for table in metadata.sorted_tables)


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
    then it exits 0 and reports revision 0001; `db status` then agrees."""
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert main(["db", "status", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert out.count("database at revision 0001") == 2


def test_a_site_store_for_an_unknown_site_says_so(sqlite_url):
    """Given a migrated database without the site, when its setup is loaded,
    then a LookupError names the site."""
    engine = create_database_engine(sqlite_url)
    upgrade(engine)
    with pytest.raises(LookupError, match="nowhere"):
        SiteStore(engine, "nowhere").load_setup()
