"""Dispatcher promises: durable replies, idempotence, expiry, failures that change nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.store import SiteStore, create_database_engine, open_site_store
from motcua.store.schema import site, ticket, ticket_event
from tests.support.sites import ManualClock, small_setup


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(db_url, clock):
    return open_site_store(db_url, small_setup(), clock())


def issue_request(rid="r1", service="dat-dai", **extra):
    return Request(Command("issue", {"service": service}), "kiosk/1", rid, **extra)


def count(store, table):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_a_repeated_request_id_returns_the_first_reply_even_after_a_restart(store, clock):
    """Given a kiosk issue answered with A001,
    when the hub restarts and the kiosk repeats the same id and payload,
    then the reply is the first one (A001, marked repeated) and no second ticket exists."""
    with Dispatcher(store, clock=clock) as first:
        original = first.execute(issue_request())
    with Dispatcher(store, clock=clock) as second:
        again = second.execute(issue_request())
    assert original.ticket["number"] == "A001"
    assert again.repeated and again.ticket == original.ticket
    assert count(store, ticket) == 1


def test_the_same_id_with_another_payload_is_id_reused(store, clock):
    """Given an answered issue with id r1,
    when the same device sends id r1 for another service,
    then it gets id_reused with its Vietnamese and English messages, and nothing is issued."""
    with Dispatcher(store, clock=clock) as dispatcher:
        dispatcher.execute(issue_request())
        reused = dispatcher.execute(issue_request(service="ho-tich"))
    assert reused.error == {
        "code": "id_reused",
        "message": "Mã yêu cầu r1 đã dùng cho một yêu cầu khác",
        "message_en": "Request id r1 was already used for a different request",
        "params": {"id": "r1"},
    }
    assert count(store, ticket) == 1


def test_the_same_id_from_another_device_is_a_different_request(store, clock):
    """Given kiosk 1 sent id r1,
    when kiosk 2 sends id r1 too,
    then both are served: idempotence is keyed by (device, id)."""
    with Dispatcher(store, clock=clock) as dispatcher:
        first = dispatcher.execute(issue_request())
        other = dispatcher.execute(Request(Command("issue", {"service": "dat-dai"}), "kiosk/2", "r1"))
    assert (first.ticket["number"], other.ticket["number"]) == ("A001", "A002")


def test_expired_commands_are_refused_and_change_nothing(store, clock):
    """Given commands whose MQTT expiry passed, or sent more than 30 s ago without expiry,
    when they reach the dispatcher,
    then each is refused with `expired` and no ticket is issued."""
    now = clock()
    with Dispatcher(store, clock=clock) as dispatcher:
        late = dispatcher.execute(issue_request("a", expires_at=now - dt.timedelta(seconds=1)))
        old = dispatcher.execute(issue_request("b", sent_at=now - dt.timedelta(seconds=31)))
        fresh = dispatcher.execute(issue_request("c", sent_at=now - dt.timedelta(seconds=5)))
    assert late.error["code"] == old.error["code"] == "expired"
    assert fresh.ok and fresh.ticket["number"] == "A001"


def test_replies_come_after_the_commit_with_a_growing_seq(store, clock):
    """Given a listener on commits,
    when two commands change the queue,
    then each result's seq is stored in the site row and on its events before the reply."""
    seen = []
    with Dispatcher(store, clock=clock) as dispatcher:
        dispatcher.add_listener(lambda notice: seen.append(notice.seq))
        first = dispatcher.execute(issue_request("a"))
        second = dispatcher.execute(issue_request("b"))
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(site.c.seq)).scalar() == second.seq
            assert conn.execute(sa.select(sa.func.max(ticket_event.c.seq))).scalar() == second.seq
    assert second.seq == first.seq + 1
    assert seen == [first.seq, second.seq]


def test_domain_refusals_change_nothing_but_are_remembered(store, clock):
    """Given an empty queue,
    when counter 1 (closed) presses call-next,
    then it is refused with counter_closed, the seq does not move, and a repeat of the
    same id gets the same refusal."""
    with Dispatcher(store, clock=clock) as dispatcher:
        seq_before = dispatcher.seq
        refusal = dispatcher.execute(Request(Command("call_next", counter=1), "counter/1", "x"))
        repeat = dispatcher.execute(Request(Command("call_next", counter=1), "counter/1", "x"))
        assert dispatcher.seq == seq_before
    assert refusal.error["code"] == "counter_closed"
    assert repeat.repeated and repeat.error == refusal.error


def test_a_locked_sqlite_database_gives_storage_busy_and_loses_nothing(sqlite_url, clock):
    """Given a SQLite database another process holds locked longer than the busy timeout,
    when a kiosk issues a ticket,
    then the reply is storage_busy, nothing is written, and once the lock is gone the
    same request succeeds with A001 (numbering did not skip)."""
    open_site_store(sqlite_url, small_setup(), clock())
    store = SiteStore(create_database_engine(sqlite_url, busy_timeout_ms=100), "test-site")
    blocker = sqlite3.connect(sa.make_url(sqlite_url).database, isolation_level=None)
    with Dispatcher(store, clock=clock) as dispatcher:
        blocker.execute("BEGIN IMMEDIATE")
        busy = dispatcher.execute(issue_request())
        blocker.execute("ROLLBACK")
        retried = dispatcher.execute(issue_request())
    blocker.close()
    assert busy.error["code"] == "storage_busy"
    assert busy.error["message"].startswith("Cơ sở dữ liệu đang bận")
    assert retried.ok and retried.ticket["number"] == "A001"


def test_a_full_sqlite_database_gives_storage_full_and_keeps_the_state(sqlite_url, clock):
    """Given a SQLite database that cannot grow any more,
    when kiosks keep issuing until a write fails,
    then the failing command gets storage_full, the state in memory equals the database,
    and every number answered is in the database."""
    open_site_store(sqlite_url, small_setup(all_day=True), clock())
    engine = create_database_engine(sqlite_url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()  # the cap below must apply to every connection, so start afresh

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 3}")

    store = SiteStore(engine, "test-site")
    answered = []
    with Dispatcher(store, clock=clock) as dispatcher:
        for i in range(500):
            result = dispatcher.execute(issue_request(f"r{i}"))
            if not result.ok:
                break
            answered.append(result.ticket["number"])
        assert result.error["code"] == "storage_full"
        assert dispatcher.state == store.load().state
    with engine.connect() as conn:
        stored = {n for (n,) in conn.execute(sa.select(ticket.c.number))}
    assert answered and set(answered) == stored


def test_every_command_submitted_around_a_stop_gets_an_answer(store, clock):
    """Given a running dispatcher and a thread submitting issues back to back,
    when the dispatcher is stopped in the middle,
    then every future resolves within a second: tickets queued before the stop are
    issued, anything after it is refused with shutting_down, none is left waiting."""
    import threading

    dispatcher = Dispatcher(store, clock=clock).start()
    futures = []
    started = threading.Event()

    def submit_many() -> None:
        for i in range(400):
            futures.append(dispatcher.submit(issue_request(rid=f"s{i}")))
            if i == 50:
                started.set()

    submitter = threading.Thread(target=submit_many)
    submitter.start()
    started.wait(5)
    dispatcher.stop()
    submitter.join(5)

    results = [future.result(1.0) for future in futures]
    codes = {result.error["code"] for result in results if not result.ok}
    assert len(results) == 400
    assert codes <= {"shutting_down"}
    assert any(result.ok for result in results)
