"""The SQLite log is copied into the database file by a thread of its own, not in commits."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.store import open_site_store
from motcua.store.checkpoint import (
    SQLITE_AUTOCHECKPOINT_PAGES,
    WRITER_AUTOCHECKPOINT_PAGES,
    WalCheckpointer,
)
from tests.support.sites import ManualClock, small_setup


def issue(rid: str) -> Request:
    return Request(Command("issue", {"service": "dat-dai"}), "kiosk/1", rid)


def wait_for(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def wal_state(path: str) -> tuple[int, int]:
    """(pages in the log, pages of it already in the database file), read without
    copying anything (a PASSIVE checkpoint of nothing new is a no-op by design)."""
    connection = sqlite3.connect(path)
    try:
        _busy, log_pages, copied = connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return log_pages, copied
    finally:
        connection.close()


@pytest.fixture
def store(sqlite_url):
    clock = ManualClock()
    store = open_site_store(sqlite_url, small_setup(), clock())
    store.checkpointer.interval_s = 0.05
    yield store, clock, sqlite_url.split("///", 1)[1]
    store.engine.dispose()


def test_the_writer_checkpoints_rarely_and_the_background_thread_copies_the_log(store):
    """Given a hub writing on SQLite,
    when commands are committed,
    then the writer's connection has the large automatic limit, the background thread
    checkpoints within a few rounds, and after the writer stops its connection has
    SQLite's own limit back and the thread is gone."""
    store, clock, _path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        for n in range(5):
            assert dispatcher.execute(issue(f"r{n}")).ok
        limits: list[int] = []
        dispatcher.run_in_writer(lambda: limits.append(store._writer_connection(
            threading.get_ident()).connection.dbapi_connection.execute(
                "PRAGMA wal_autocheckpoint").fetchone()[0]))
        assert wait_for(lambda: limits == [WRITER_AUTOCHECKPOINT_PAGES])
        assert wait_for(lambda: store.checkpointer.checkpoints >= 1)
    assert not any(t.name == "motcua-wal-checkpoint" for t in threading.enumerate())
    with store.engine.connect() as conn:  # the pool's one connection: the writer's
        pages = conn.connection.dbapi_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    assert pages == SQLITE_AUTOCHECKPOINT_PAGES


def test_idle_rounds_do_not_checkpoint(store):
    """Given commits already checkpointed,
    when nothing more is committed,
    then the thread does not checkpoint again (it only counts commits)."""
    store, clock, _path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        dispatcher.execute(issue("r1"))
        assert wait_for(lambda: store.checkpointer.checkpoints >= 1)
        done = store.checkpointer.checkpoints
        time.sleep(0.3)  # six rounds of 50 ms
        assert store.checkpointer.checkpoints == done
        dispatcher.execute(issue("r2"))
        assert wait_for(lambda: store.checkpointer.checkpoints == done + 1)


def test_the_log_is_in_the_database_file_without_a_checkpoint_in_any_commit(store):
    """Given a writer whose own checkpoint limit is never reached,
    when 40 commands are committed,
    then every page of the log reaches the database file all the same."""
    store, clock, path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        for n in range(40):
            assert dispatcher.execute(issue(f"r{n}")).ok
        assert wait_for(lambda: (lambda s: s[0] > 0 and s[0] == s[1])(wal_state(path)))


def test_a_failed_round_is_logged_and_the_next_one_runs(sqlite_url, caplog):
    """Given a checkpointer whose connection fails once,
    when it runs,
    then the failure is logged as a warning and a later round checkpoints."""
    clock = ManualClock()
    store = open_site_store(sqlite_url, small_setup(), clock())
    checkpointer = WalCheckpointer(store.engine, interval_s=0.02)
    real = checkpointer._checkpoint
    failures = []

    def flaky(connection):
        if not failures:
            failures.append(1)
            raise sqlite3.OperationalError("disk I/O error")
        real(connection)

    checkpointer._checkpoint = flaky
    checkpointer.start()
    try:
        checkpointer.committed()
        assert wait_for(lambda: checkpointer.checkpoints == 1)
    finally:
        checkpointer.stop()
        store.engine.dispose()
    assert failures == [1]
    assert "background WAL checkpoint failed" in caplog.text


def test_postgresql_has_no_checkpointer(pg_url):
    """PostgreSQL checkpoints on its own: the store starts no thread for it."""
    store = open_site_store(pg_url, small_setup(), ManualClock()())
    try:
        assert store.checkpointer is None
    finally:
        store.engine.dispose()
