"""The SQLite log is copied into the database file by a thread of its own, not in commits."""

from __future__ import annotations

import sqlite3
import shutil
import threading
import time
from pathlib import Path

import pytest

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.store import open_site_store
from motcua.store.checkpoint import WalCheckpointer
from tests.support.hub_fixtures import eventually
from tests.support.sites import ManualClock, small_setup


def issue(rid: str) -> Request:
    return Request(Command("issue", {"service": "dat-dai"}), "kiosk/1", rid)


def tickets_in_database_file(path: str, copy: Path) -> int:
    """Tickets in the database file alone, as if the log were lost: a copy of the file
    without its ``-wal`` is opened (looking through SQLite would checkpoint it)."""
    shutil.copyfile(path, copy)
    connection = sqlite3.connect(copy)
    try:
        return connection.execute("SELECT count(*) FROM ticket").fetchone()[0]
    except sqlite3.DatabaseError:  # no table yet, or copied while a checkpoint wrote it
        return -1
    finally:
        connection.close()
        copy.unlink()


@pytest.fixture
def store(sqlite_url):
    clock = ManualClock()
    store = open_site_store(sqlite_url, small_setup(), clock())
    store.checkpointer.interval_s = 0.05
    yield store, clock, sqlite_url.split("///", 1)[1]
    store.engine.dispose()


def test_the_checkpoint_thread_runs_while_a_writer_holds_its_connection(store):
    """Given a hub writing on SQLite,
    when commands are committed,
    then the background thread checkpoints within a few rounds, and it is gone once the
    writer has stopped."""
    store, clock, _path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        for n in range(5):
            assert dispatcher.execute(issue(f"r{n}")).ok
        eventually(lambda: store.checkpointer.checkpoints >= 1)
        assert any(t.name == "motcua-wal-checkpoint" for t in threading.enumerate())
    assert not any(t.name == "motcua-wal-checkpoint" for t in threading.enumerate())


def test_idle_rounds_do_not_checkpoint(store):
    """Given commits already checkpointed,
    when nothing more is committed,
    then the thread does not checkpoint again (it only counts commits)."""
    store, clock, _path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        dispatcher.execute(issue("r1"))
        eventually(lambda: store.checkpointer.checkpoints >= 1)
        done = store.checkpointer.checkpoints
        time.sleep(0.3)  # six rounds of 50 ms
        assert store.checkpointer.checkpoints == done
        dispatcher.execute(issue("r2"))
        eventually(lambda: store.checkpointer.checkpoints == done + 1)


def test_the_log_reaches_the_database_file_before_the_writers_limit(store, tmp_path):
    """Given a writer far from its own automatic checkpoint (1,000 pages),
    when 40 tickets are issued,
    then the database file holds them all the same (the log copied into it)."""
    store, clock, path = store
    with Dispatcher(store, clock=clock) as dispatcher:
        assert tickets_in_database_file(path, tmp_path / "copy.db") <= 0  # none, or no table
        for n in range(40):
            assert dispatcher.execute(issue(f"r{n}")).ok
        eventually(lambda: tickets_in_database_file(path, tmp_path / "copy.db") == 40)


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
        eventually(lambda: checkpointer.checkpoints == 1)
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
