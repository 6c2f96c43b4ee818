"""Readers see committed snapshots only, never a batch the writer is still applying."""

from __future__ import annotations

import threading

import pytest

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command, TicketStatus
from motcua.snapshot import CommittedReads, SnapshotUnavailable
from motcua.store import open_site_store
from tests.support.held_commit import HeldCommit
from tests.support.sites import ManualClock, small_setup


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(sqlite_url, clock):
    return open_site_store(sqlite_url, small_setup(counters=3), clock())


def run(dispatcher, action, counter=None, **args):
    result = dispatcher.execute(Request(Command(action, args, counter=counter)))
    assert result.ok, result.error
    return result


def test_a_reader_never_sees_a_batch_the_writer_has_not_committed(store, clock):
    """Given A001 waiting, counter 1 open and a snapshot of that,
    when counter 1 calls next and the writer is held after applying the call to its live
    state but before the commit,
    then readers still get the snapshot before the call (counter 1 free, one waiting, A001
    waiting with nobody ahead) although the live state already has A001 called; once the
    commit is done they get the call (A001 at counter 1, nothing waiting, A001 called at
    counter 1), stamped with the new seq."""
    held = HeldCommit(store)
    with Dispatcher(store, clock=clock) as dispatcher:
        reads = CommittedReads(dispatcher, timeout_s=0.5)
        run(dispatcher, "open", counter=1, clerk="lan")
        ticket_id = run(dispatcher, "issue", service="dat-dai").ticket["id"]
        before, view = reads.ticket(ticket_id)
        assert (view["status"], view["counter"], view["waiting_ahead"]) == ("waiting", None, 0)

        held.hold = True
        pending = dispatcher.submit(Request(Command("call_next", counter=1), "counter/1", "c1"))
        assert held.entered.wait(5)
        # The scenario is real: the writer's live state is half way.
        assert dispatcher.state.tickets[ticket_id].status is TicketStatus.CALLED
        during = reads.snapshot()
        during_ticket = reads.ticket(ticket_id)
        held.release.set()
        result = pending.result(5)

        assert result.ok
        assert during is before
        assert during.board["counters"][0] == {"counter": 1, "name": "Quầy 1",
                                               "status": "open", "ticket": None}
        assert during.waiting == {"dat-dai": 1}
        assert during.board["recent"] == []
        assert during_ticket == (before, view)

        after = reads.snapshot()
        assert after.seq == result.seq == before.seq + 1
        assert after.board["seq"] == after.seq
        assert after.board["counters"][0]["ticket"] == "A001"
        assert after.waiting == {}
        assert [s["waiting"] for s in after.services] == [0, 0, 0]
        _, called = reads.ticket(ticket_id)
        assert (called["status"], called["counter"]) == ("called", 1)


def test_without_any_earlier_snapshot_a_held_writer_is_unavailable_not_half_read(store, clock):
    """Given a dispatcher whose writer is held inside a commit and no snapshot taken yet,
    when a reader asks for one,
    then it gets SnapshotUnavailable after its timeout instead of the live state."""
    held = HeldCommit(store)
    with Dispatcher(store, clock=clock) as dispatcher:
        reads = CommittedReads(dispatcher, timeout_s=0.3)
        held.hold = True
        pending = dispatcher.submit(Request(Command("open", {"clerk": "lan"}, counter=1),
                                            "counter/1", "o1"))
        assert held.entered.wait(5)
        with pytest.raises(SnapshotUnavailable):
            reads.snapshot()
        held.release.set()
        assert pending.result(5).ok
        assert reads.snapshot().board["counters"][0]["status"] == "open"


def test_readers_racing_the_writer_only_see_whole_commits(store, clock):
    """Given three counters open and two reader threads reading snapshots and ticket views,
    when a kiosk issues 90 tickets and the counters call and finish them meanwhile,
    then in every snapshot the board's seq is the snapshot's, the board's waiting counts
    equal the snapshot's and the services', no ticket number is on two counters, snapshots
    never go back in seq, and every ticket view read agrees with itself (a waiting ticket
    has no counter; a called or serving one has one)."""
    with Dispatcher(store, clock=clock) as dispatcher:
        reads = CommittedReads(dispatcher)
        for n in (1, 2, 3):
            run(dispatcher, "open", counter=n, clerk=f"cb{n}")
        stop = threading.Event()
        problems: list[str] = []
        ids: list[str] = []
        seen = [0, 0]

        def reader(k: int) -> None:
            last = -1
            while not stop.is_set():
                snapshot = reads.snapshot()
                board = snapshot.board
                numbers = [c["ticket"] for c in board["counters"] if c["ticket"]]
                board_waiting = {s["code"]: s["waiting"] for s in board["services"]}
                listed = {s["code"]: s["waiting"] for s in snapshot.services}
                expected = {code: snapshot.waiting.get(code, 0) for code in listed}
                if board["seq"] != snapshot.seq or snapshot.seq < last \
                        or len(numbers) != len(set(numbers)) \
                        or board_waiting != expected or listed != expected:
                    problems.append(f"inconsistent snapshot {snapshot.seq}: {board}")
                last = snapshot.seq
                for ticket_id in ids[-5:]:
                    _, view = reads.ticket(ticket_id)
                    if view is None:
                        problems.append(f"today's ticket {ticket_id} not found")
                    elif (view["status"] == "waiting") != (view["counter"] is None):
                        problems.append(f"ticket half applied: {view}")
                seen[k] += 1

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(2)]
        for thread in threads:
            thread.start()
        try:
            for i in range(90):
                ids.append(run(dispatcher, "issue", service="dat-dai").ticket["id"])
                if i % 3 == 2:
                    for n in (1, 2, 3):
                        dispatcher.submit(Request(Command("call_next", counter=n)))
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        assert not any(thread.is_alive() for thread in threads)
        assert problems == []
        assert min(seen) > 0


def test_a_derived_view_is_built_once_per_commit_from_committed_state_only(store, clock):
    """Given A001 waiting and counter 1 open, when a derived view (the clerk panel's
    waiting count) is read three times, then it is built once; while a call_next is held
    before its commit the view still says 1 waiting (the live state already has A001
    called); after the commit it is rebuilt once and says 0, with the new seq."""
    built: list[int] = []

    def waiting_count(state, at):
        built.append(len(state.index.line("dat-dai", False)))
        return {"waiting": built[-1], "at": at.isoformat()}

    held = HeldCommit(store)
    with Dispatcher(store, clock=clock) as dispatcher:
        reads = CommittedReads(dispatcher, timeout_s=0.5)
        run(dispatcher, "open", counter=1, clerk="lan")
        run(dispatcher, "issue", service="dat-dai")
        first = [reads.derived("waiting", waiting_count) for _ in range(3)]

        held.hold = True
        pending = dispatcher.submit(Request(Command("call_next", counter=1), "counter/1", "c1"))
        assert held.entered.wait(5)
        during = reads.derived("waiting", waiting_count)
        held.release.set()
        result = pending.result(5)
        after = reads.derived("waiting", waiting_count)

    assert [view for _, view in first] == [first[0][1]] * 3
    assert first[0][1]["waiting"] == 1 and during[1]["waiting"] == 1
    assert (after[0].seq, after[1]["waiting"]) == (result.seq, 0)
    assert built == [1, 0]
