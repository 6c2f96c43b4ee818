"""The call log the committed snapshot carries for the web board (``Snapshot.calls``),
over a real dispatcher on SQLite: calls and recalls in commit order, as ``event/called``."""

from __future__ import annotations

from motcua.contract import CalledEvent
from motcua.snapshot import CALL_LOG_SIZE
# The same clock, site store, dispatcher and runtime as the API tests.
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    clock, dispatcher, run, runtime, store,
)


def issue(dispatcher, service: str = "dat-dai"):
    return run(dispatcher, "issue", service=service)


def test_calls_and_recalls_are_kept_in_commit_order(runtime, dispatcher):
    """Given A001 and A002 waiting and counter 1 open,
    when counter 1 calls next, recalls twice, then calls next again,
    then the snapshot's calls are A001 recall 0, 1, 2 then A002 recall 0, each with the
    seq of its own commit, valid event/called bodies of the snapshot's epoch."""
    issue(dispatcher)
    issue(dispatcher)
    run(dispatcher, "open", counter=1, clerk="Lan")
    seqs = [run(dispatcher, "call_next", counter=1).seq,
            run(dispatcher, "recall", counter=1).seq,
            run(dispatcher, "recall", counter=1).seq,
            run(dispatcher, "call_next", counter=1).seq]

    snapshot = runtime.reads.snapshot()

    assert [(call["ticket"], call["counter"], call["recall"], call["seq"])
            for call in snapshot.calls] == [
        ("A001", 1, 0, seqs[0]), ("A001", 1, 1, seqs[1]), ("A001", 1, 2, seqs[2]),
        ("A002", 1, 0, seqs[3])]
    assert {call["epoch"] for call in snapshot.calls} == {snapshot.epoch}
    for call in snapshot.calls:
        CalledEvent.model_validate(call)  # the contract's own model accepts it
    assert snapshot.calls[0]["at"] == "2026-11-23T08:00:00+07:00"


def test_a_walk_in_is_not_logged(runtime, dispatcher):
    """Given counter 1 open, when the clerk serves a walk-in (already at the counter),
    then no call is logged (the hub does not announce it either), though the board
    shows the walk-in's number at counter 1."""
    run(dispatcher, "open", counter=1, clerk="Lan")
    run(dispatcher, "walk_in", counter=1, service="dat-dai")

    snapshot = runtime.reads.snapshot()

    assert snapshot.calls == ()
    assert snapshot.board["counters"][0]["ticket"] == "A001"


def test_the_log_keeps_the_last_calls_only(runtime, dispatcher):
    """Given counter 1 open, when it calls and recalls 12 times (24 calls),
    then only the last CALL_LOG_SIZE (20) are kept, the newest last."""
    run(dispatcher, "open", counter=1, clerk="Lan")
    for _ in range(12):
        issue(dispatcher)
        run(dispatcher, "call_next", counter=1)
        run(dispatcher, "recall", counter=1)

    calls = runtime.reads.snapshot().calls

    assert CALL_LOG_SIZE == 20 and len(calls) == 20
    assert (calls[0]["ticket"], calls[0]["recall"]) == ("A003", 0)
    assert (calls[-1]["ticket"], calls[-1]["recall"]) == ("A012", 1)
    assert [call["seq"] for call in calls] == sorted(call["seq"] for call in calls)


def test_a_new_business_day_empties_the_log(runtime, clock, dispatcher):
    """Given A001 called yesterday, when a command of the next day starts a new business
    day, then the log is empty, like the board's recent calls."""
    issue(dispatcher)
    run(dispatcher, "open", counter=1, clerk="Lan")
    run(dispatcher, "call_next", counter=1)
    assert len(runtime.reads.snapshot().calls) == 1

    clock.advance(days=1)
    issue(dispatcher)

    snapshot = runtime.reads.snapshot()
    assert snapshot.calls == ()
    assert snapshot.board["recent"] == []
