"""The single writer under concurrency, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter as Tally

import pytest
import sqlalchemy as sa

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.domain.events import replay
from motcua.store import HubLockHeld, open_site_store
from motcua.store.schema import ticket
from tests.support.sites import ManualClock, small_setup


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(db_url, clock):
    return open_site_store(db_url, small_setup(counters=10), clock())


def issue(dispatcher, service="dat-dai", rid=None, source="kiosk/1"):
    return dispatcher.execute(Request(Command("issue", {"service": service}), source, rid))


def test_fifty_threads_calling_next_assign_each_ticket_exactly_once(store, clock):
    """Given 20 waiting tickets and 10 open counters,
    when 50 threads press call-next (5 per counter) at the same moment,
    then exactly 20 calls succeed, each ticket is called once, the other 30 get queue_empty,
    and the database agrees (20 tickets called or done, no counter holds two)."""
    with Dispatcher(store, clock=clock) as dispatcher:
        for i in range(20):
            assert issue(dispatcher, rid=f"i{i}").ok
        for n in range(1, 11):
            assert dispatcher.execute(
                Request(Command("open", {"clerk": f"cb{n}"}, counter=n), f"counter/{n}", "o")
            ).ok
        barrier = threading.Barrier(50)
        results = []
        lock = threading.Lock()

        def press(thread_no: int) -> None:
            counter = thread_no % 10 + 1
            barrier.wait()
            # Each press is a distinct request (its own id): a clerk pressing again.
            result = dispatcher.execute(Request(
                Command("call_next", counter=counter), f"counter/{counter}", f"p{thread_no}"))
            with lock:
                results.append(result)

        threads = [threading.Thread(target=press, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads)
    assert len(results) == 50
    # A counter that calls again finishes its previous ticket first, so every ticket
    # is called exactly once and ends either called (current) or done.
    called_numbers = [r.ticket["number"] for r in results if r.ok]
    assert len(called_numbers) == 20
    assert sorted(called_numbers) == [f"A{i:03d}" for i in range(1, 21)]
    assert Tally(r.error["code"] for r in results if not r.ok) == {"queue_empty": 30}
    with store.engine.connect() as conn:
        statuses = Tally(s for (s,) in conn.execute(sa.select(ticket.c.status)))
        assert statuses["called"] + statuses["done"] == 20
        assert statuses["waiting"] == 0
        active = conn.execute(
            sa.select(ticket.c.counter, sa.func.count())
            .where(ticket.c.status.in_(["called", "serving"]))
            .group_by(ticket.c.counter)
        ).all()
        assert all(count == 1 for _, count in active)
    assert replay(store.load_setup(), store.load_events()) == store.load().state


def test_two_issuers_racing_never_share_a_number(store, clock):
    """Given one dispatcher and two kiosks issuing in two threads at once,
    when each issues 50 tickets of services sharing prefix C,
    then the 100 numbers are C001..C100, gap-free and distinct."""
    with Dispatcher(store, clock=clock) as dispatcher:
        barrier = threading.Barrier(2)
        results: list = []
        lock = threading.Lock()

        def kiosk(k: int, service: str) -> None:
            # No assert here: an AssertionError in a thread never fails the test. The
            # results are checked by the test's own thread below.
            barrier.wait()
            for i in range(50):
                result = issue(dispatcher, service, rid=f"{k}-{i}", source=f"kiosk/{k}")
                with lock:
                    results.append(result)

        threads = [threading.Thread(target=kiosk, args=(1, "ho-tich")),
                   threading.Thread(target=kiosk, args=(2, "chung-thuc"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads)
    assert [r.error for r in results if not r.ok] == []
    assert len(results) == 100
    assert sorted(r.ticket["number"] for r in results) == [f"C{i:03d}" for i in range(1, 101)]


def test_two_hubs_bypassing_the_lock_are_stopped_by_the_database(store, clock, monkeypatch):
    """Given two dispatchers on the same database that both loaded the empty day, the
    second with its hub lock disabled (as if an operator forced it),
    when they issue đất đai tickets in turn (first, rogue, rogue, first, first, rogue),
    then each one whose memory is behind the other's commit is refused with `conflict`
    and nothing of it is stored (its in-memory A001 / A002 never reaches the database);
    it reloads, so its next issue gets the next free number: A001, conflict, A002,
    conflict, A003, conflict, and the database holds A001..A003 once each."""
    first = Dispatcher(store, clock=clock).start()
    rogue = Dispatcher(store, clock=clock)
    monkeypatch.setattr(rogue._lock, "acquire", lambda: None)
    rogue.start()
    try:
        turns = [(first, "a1"), (rogue, "b1"), (rogue, "b2"), (first, "a2"), (first, "a3"),
                 (rogue, "b3")]
        outcomes = [issue(dispatcher, rid=rid, source=f"kiosk/{rid[0]}")
                    for dispatcher, rid in turns]
    finally:
        rogue.stop()
        first.stop()
    assert [r.ticket["number"] if r.ok else r.error["code"] for r in outcomes] == [
        "A001", "conflict", "A002", "conflict", "A003", "conflict"]
    with store.engine.connect() as conn:
        stored = sorted(n for (n,) in conn.execute(sa.select(ticket.c.seq_no)))
    assert stored == [1, 2, 3]


def test_two_hubs_racing_without_the_lock_never_give_a_number_twice(store, clock,
                                                                     monkeypatch):
    """Given two dispatchers on the same database, the second with its hub lock disabled,
    when both issue 40 tickets of the same service concurrently,
    then no number is ever given twice, the only refusals are `conflict` / `storage_busy`,
    at least one conflict happened (both hubs did write: each got a ticket), and the
    numbers stored are gap-free and exactly the ones given."""
    first = Dispatcher(store, clock=clock).start()
    rogue = Dispatcher(store, clock=clock)
    monkeypatch.setattr(rogue._lock, "acquire", lambda: None)
    rogue.start()
    try:
        barrier = threading.Barrier(2)
        outcomes: list = []
        lock = threading.Lock()

        def run(dispatcher, name):
            barrier.wait()
            for i in range(40):
                result = issue(dispatcher, rid=f"{name}{i}", source=f"kiosk/{name}")
                with lock:
                    outcomes.append((name, result))

        threads = [threading.Thread(target=run, args=(first, "a")),
                   threading.Thread(target=run, args=(rogue, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
    finally:
        rogue.stop()
        first.stop()
    assert len(outcomes) == 80
    given = [r.ticket["number"] for _, r in outcomes if r.ok]
    assert len(given) == len(set(given)), "a number was given twice"
    refusals = Tally(r.error["code"] for _, r in outcomes if not r.ok)
    assert set(refusals) <= {"conflict", "storage_busy"}
    assert refusals["conflict"] >= 1
    assert {name for name, r in outcomes if r.ok} == {"a", "b"}
    with store.engine.connect() as conn:
        stored = sorted(n for (n,) in conn.execute(sa.select(ticket.c.seq_no)))
    assert stored == list(range(1, len(stored) + 1))
    assert sorted(given) == [f"A{n:03d}" for n in stored]


def test_a_second_hub_cannot_start_on_the_same_site(store, clock):
    """Given a running dispatcher,
    when a second one starts on the same site and database,
    then it is refused with HubLockHeld, and once the first stops a new one can start."""
    with Dispatcher(store, clock=clock):
        with pytest.raises(HubLockHeld):
            Dispatcher(store, clock=clock).start()
    with Dispatcher(store, clock=clock) as again:
        assert issue(again, rid="after").ok


def test_releasing_the_hub_lock_frees_it_before_its_session_ends(pg_url, monkeypatch):
    """Given a PostgreSQL hub lock held, when it is released while the server has not
    yet ended its session (closing is made a no-op here: the server ends a closed
    session a moment after the client has gone, and a restart came in between), then a
    new lock on the same site is granted at once: release unlocks, it does not wait for
    the session to end."""
    from motcua.store import create_database_engine
    from motcua.store.lock import HubLock

    engine = create_database_engine(pg_url)
    try:
        first = HubLock(engine, "test-site")
        first.acquire()
        session = first._connection
        monkeypatch.setattr(session, "close", lambda: None)
        first.release()
        second = HubLock(engine, "test-site")
        second.acquire()
        second.release()
        monkeypatch.undo()
        session.close()
    finally:
        engine.dispose()
