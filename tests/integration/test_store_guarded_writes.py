"""The write path's guards: an update conditional on what the writer believed (the site's
seq, a ticket's status) that changes fewer rows than expected is a conflict, and the
batch is written not at all. On PostgreSQL the statements run in pipeline mode, where a
row count is known only after the pipeline's sync: the guards must still hold there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.store import Batch, StoreConflict, open_site_store
from motcua.store.schema import site, ticket, ticket_event
from tests.support.sites import ManualClock, small_setup


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(db_url, clock):
    store = open_site_store(db_url, small_setup(), clock())
    yield store
    store.close()


def site_seq(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(site.c.seq)).scalar_one()


def test_a_batch_from_a_stale_seq_is_a_conflict_and_writes_nothing(store, clock):
    """Given a site at seq 0 and a batch that believes it is at seq 5, when it is
    committed, then StoreConflict says another writer is active, the seq is still 0 and
    the batch's event is not in the log; the writer's next commit, from the right seq,
    goes through."""
    day = clock().date()
    event = {"site_id": store.site_id, "seq": 6, "at": clock(), "kind": "counter_opened",
             "ticket_id": None, "counter": 1, "data": "{}"}
    with pytest.raises(StoreConflict, match="another writer is active"):
        store.commit(Batch(seq_before=5, seq_after=6, business_day=day, events=[event]))
    assert site_seq(store) == 0
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ticket_event)).scalar() == 0

    store.commit(Batch(seq_before=0, seq_after=1, business_day=day,
                       events=[{**event, "seq": 1}]))
    assert site_seq(store) == 1


def test_a_ticket_changed_behind_the_writers_back_is_never_called(store, clock):
    """Given a waiting ticket that something other than the hub cancels in the database,
    when a counter calls next, then the write that would call it changes no row and is
    refused as a conflict: the ticket stays cancelled and no call event is logged for it;
    the writer, reloaded from the database, answers the next call with queue_empty."""
    dispatcher = Dispatcher(store, clock=clock).start()
    try:
        issued = dispatcher.execute(Request(Command("issue", {"service": "dat-dai"}),
                                            "kiosk/1", "i1"))
        assert issued.ok
        ticket_id = issued.ticket["id"]
        assert dispatcher.execute(Request(Command("open", {"clerk": "an"}, counter=1),
                                          "counter/1", "o1")).ok
        with store.engine.begin() as conn:
            conn.execute(sa.update(ticket).where(ticket.c.id == ticket_id)
                         .values(status="cancelled"))

        called = dispatcher.execute(Request(Command("call_next", {}, counter=1),
                                            "counter/1", "c1"))
        again = dispatcher.execute(Request(Command("call_next", {}, counter=1),
                                           "counter/1", "c2"))
    finally:
        dispatcher.stop()

    assert (called.ok, called.error["code"]) == (False, "conflict")
    assert (again.ok, again.error["code"]) == (False, "queue_empty")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(ticket.c.status)
                            .where(ticket.c.id == ticket_id)).scalar_one() == "cancelled"
        kinds = conn.execute(sa.select(ticket_event.c.kind)
                             .where(ticket_event.c.ticket_id == ticket_id)).scalars().all()
    assert kinds == ["ticket_issued"]
