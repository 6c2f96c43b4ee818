"""The lobby board's model: retained state, call events by epoch/seq, blinking, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from display.model import BLINK_PERIOD_S, BoardModel, CallView

VN = dt.timezone(dt.timedelta(hours=7))
AT = "2026-11-30T08:15:00+07:00"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def board(seq: int, epoch: str = "e1", counters=None, services=None, recent=None) -> dict:
    return {
        "epoch": epoch, "seq": seq, "at": AT,
        "counters": counters if counters is not None else [
            {"counter": 1, "name": "Quầy 1 – Đất đai", "status": "open", "ticket": None},
            {"counter": 2, "name": "Quầy 2 – Hộ tịch", "status": "paused", "ticket": "C004"},
        ],
        "services": services if services is not None else [
            {"code": "dat-dai", "name": "Đất đai", "waiting": 3},
            {"code": "ho-tich", "name": "Hộ tịch", "waiting": 0},
        ],
        "recent": recent if recent is not None else [
            {"ticket": "C004", "counter": 2, "service": "ho-tich", "at": AT}],
    }


def called(seq: int, ticket: str = "A001", counter: int = 1, epoch: str = "e1",
           recall: int = 0) -> dict:
    return {"epoch": epoch, "seq": seq, "ticket": ticket, "counter": counter,
            "service": "dat-dai", "recall": recall, "at": AT}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def model(clock) -> BoardModel:
    m = BoardModel(clock, blink_s=6.0, recent_limit=4)
    m.update_retained(board(10))
    return m


def tickets(model: BoardModel) -> dict[int, str | None]:
    return {c.number: c.ticket for c in model.view().counters}


def test_the_board_gives_counters_services_and_recent_calls(model):
    """Given a retained board, when the model reads it, then every counter shows its name,
    status and number, every service its waiting count, and the last call is listed."""
    view = model.view()
    assert [(c.number, c.name, c.status, c.ticket) for c in view.counters] == [
        (1, "Quầy 1 – Đất đai", "open", None), (2, "Quầy 2 – Hộ tịch", "paused", "C004")]
    assert [(s.code, s.name, s.waiting) for s in view.services] == [
        ("dat-dai", "Đất đai", 3), ("ho-tich", "Hộ tịch", 0)]
    assert [(r.ticket, r.counter) for r in view.recent] == [("C004", 2)]
    assert view.latest == CallView("C004", 2, 0, dt.datetime(2026, 11, 30, 8, 15, tzinfo=VN),
                                   "ho-tich")
    assert view.latest_blinking is False and view.has_state is True


def test_a_call_shows_at_once_and_blinks_for_blink_s(model, clock):
    """Given counter 1 serving nobody, when event/called A001 → 1 arrives, then counter 1
    shows A001 before any new board, lit for the first half second, dark in the second
    half, still blinking at 5.9 s and steady from 6 s on."""
    call = model.accept_called(called(11))
    assert call == CallView("A001", 1, 0, dt.datetime(2026, 11, 30, 8, 15, tzinfo=VN), "dat-dai")
    view = model.view()
    assert tickets(model) == {1: "A001", 2: "C004"}
    assert (view.counters[0].blinking, view.counters[0].lit) == (True, True)
    assert (view.latest.ticket, view.latest_blinking, view.latest_lit) == ("A001", True, True)
    assert [r.ticket for r in view.recent] == ["A001", "C004"]
    clock.now += BLINK_PERIOD_S * 0.75
    assert (model.view().counters[0].blinking, model.view().counters[0].lit) == (True, False)
    assert model.next_change_in() == pytest.approx(BLINK_PERIOD_S * 0.25)
    clock.now = 1000.0 + 5.9
    assert model.view().latest_blinking is True
    clock.now = 1000.0 + 6.0
    view = model.view()
    assert (view.counters[0].blinking, view.latest_blinking, view.latest.ticket) == (
        False, False, "A001")
    assert model.next_change_in() is None
    assert view.counters[1].blinking is False  # counter 2 was not called


def test_older_or_repeated_seq_in_the_same_epoch_is_ignored(model):
    """Given A002 accepted at seq 12, when seq 12 comes again and seq 11 comes late, then
    both are ignored (nothing to announce) and counter 1 keeps A002."""
    assert model.accept_called(called(12, "A002")) is not None
    assert model.accept_called(called(12, "A002")) is None
    assert model.accept_called(called(11, "A001")) is None
    assert tickets(model)[1] == "A002"


def test_a_newer_board_wins_over_the_event_it_follows(model):
    """Given A001 called at seq 11 (shown from the event), when the board of seq 12 says
    counter 1 serves A005, then the board's number is shown."""
    model.accept_called(called(11, "A001"))
    newer = board(12, counters=[{"counter": 1, "name": "Quầy 1", "status": "open",
                                 "ticket": "A005"}])
    model.update_retained(newer)
    assert tickets(model) == {1: "A005"}


def test_a_new_epoch_is_accepted_and_an_old_one_is_then_ignored(model):
    """Given a board and calls of epoch e1, when a call of the new epoch e2 arrives with a
    smaller seq, then it is accepted and e1's board is gone; a later e1 event or a late e1
    board is ignored."""
    model.accept_called(called(11, "A001"))
    assert model.accept_called(called(1, "B001", counter=2, epoch="e2")) is not None
    view = model.view()
    assert view.latest.ticket == "B001" and view.counters == ()
    assert [r.ticket for r in view.recent] == ["B001"]
    assert model.accept_called(called(50, "A099", epoch="e1")) is None
    model.update_retained(board(60, epoch="e1"))
    assert model.view().counters == ()
    model.update_retained(board(2, epoch="e2", counters=[
        {"counter": 2, "name": "Quầy 2", "status": "open", "ticket": "B001"}]))
    assert tickets(model) == {2: "B001"}


def test_the_hub_naming_an_epoch_makes_it_current(model):
    """Given the display moved from e1 to e2, when the hub says e1 is its epoch again (a
    restored database), then e1's board is shown again."""
    model.accept_called(called(1, "B001", epoch="e2"))
    model.update_retained(board(70, epoch="e1"), epoch="e1")
    assert tickets(model) == {1: None, 2: "C004"}


def test_a_counter_state_newer_than_the_board_wins(model):
    """Given the board of seq 10, when counter/2/state of seq 14 says paused → open with
    ticket C005 (the whole ticket object), then counter 2 shows open C005; an older
    counter state (seq 9) changes nothing."""
    model.update_retained(board(10), counter_states=[
        {"epoch": "e1", "seq": 14, "counter": 2, "name": "Quầy 2", "status": "open",
         "ticket": {"number": "C005", "status": "called"}},
        {"epoch": "e1", "seq": 9, "counter": 1, "name": "Quầy 1", "status": "closed",
         "ticket": None}])
    view = model.view()
    assert [(c.number, c.status, c.ticket) for c in view.counters] == [
        (1, "open", None), (2, "open", "C005")]


def test_a_service_state_adds_its_waiting_count(model):
    """Given the board of seq 10, when service/dat-dai/state of seq 13 says 5 waiting and a
    new service appears, then both show."""
    model.update_retained(board(10), service_states=[
        {"epoch": "e1", "seq": 13, "code": "dat-dai", "name": "Đất đai", "waiting": 5},
        {"epoch": "e1", "seq": 13, "code": "xay-dung", "name": "Xây dựng", "waiting": 1}])
    assert [(s.code, s.waiting) for s in model.view().services] == [
        ("dat-dai", 5), ("ho-tich", 0), ("xay-dung", 1)]


def test_an_unknown_counter_is_announced_but_draws_no_tile(model):
    """Given counters 1 and 2, when A009 is called to counter 7, then the call is accepted
    (shown large and listed) and the tiles stay the two known counters."""
    assert model.accept_called(called(11, "A009", counter=7)).counter == 7
    view = model.view()
    assert [c.number for c in view.counters] == [1, 2]
    assert (view.latest.ticket, view.latest.counter) == ("A009", 7)
    assert view.recent[0].counter == 7


@pytest.mark.parametrize("body", [
    None, "A001", 42, [], {}, {"epoch": "e1"}, {"epoch": "e1", "seq": "12"},
    {"epoch": "e1", "seq": True, "ticket": "A1", "counter": 1},
    {"epoch": "e1", "seq": 12, "ticket": "A001", "counter": 0},
    {"epoch": "e1", "seq": 12, "ticket": "A001", "counter": True},
    {"epoch": "e1", "seq": 12, "ticket": 15, "counter": 1},
    {"epoch": "e1", "seq": 12, "ticket": "", "counter": 1},
    {"epoch": "e1", "seq": 12, "ticket": "A001", "counter": 1, "recall": -1},
    {"epoch": 5, "seq": 12, "ticket": "A001", "counter": 1},
])
def test_garbage_events_are_dropped(model, body):
    """Given a board, when an event body of the wrong shape arrives, then nothing is
    accepted and the board is unchanged."""
    before = model.view()
    assert model.accept_called(body) is None
    assert model.view() == before


def test_malformed_board_entries_are_dropped_one_by_one(model):
    """Given a board whose lists hold garbage next to good entries, when the model reads
    it, then only the good entries show, and control characters are stripped."""
    model.update_retained({
        "epoch": "e1", "seq": 20, "at": AT,
        "counters": [{"counter": "1"}, 7, None, {"counter": 3, "name": "Quầy\n3\x00",
                     "status": "weird", "ticket": ["A"]}, {"counter": -2, "name": "x"}],
        "services": [{"code": "dat-dai", "waiting": -1}, {"code": "ho-tich", "waiting": 2},
                     "x"],
        "recent": {"not": "a list"}})
    view = model.view()
    assert [(c.number, c.name, c.status, c.ticket) for c in view.counters] == [
        (3, "Quầy3", "unknown", None)]
    assert [(s.code, s.name, s.waiting) for s in view.services] == [("ho-tich", "ho-tich", 2)]
    assert view.recent == ()


@pytest.mark.parametrize("body", [None, [], {"counters": []}, {"epoch": "e1", "seq": -1},
                                  {"epoch": "", "seq": 3, "counters": []}])
def test_a_board_without_a_usable_stamp_is_ignored(clock, body):
    """Given an empty model, when a board body without a usable epoch/seq arrives, then the
    model stays empty and the view says there is no state."""
    model = BoardModel(clock)
    model.update_retained(body)
    view = model.view()
    assert (view.counters, view.services, view.has_state) == ((), (), False)


def test_a_burst_of_twenty_calls_keeps_the_last_and_lists_the_newest(model, clock):
    """Given two counters, when 20 calls arrive within one second (counters 1, 2, 1, ...),
    then all 20 are accepted in order, each counter shows its last number, the latest call
    is A020 at counter 2 and the recent list holds the 4 newest."""
    accepted = []
    for i in range(1, 21):
        clock.now += 0.05
        accepted.append(model.accept_called(called(10 + i, f"A{i:03d}", counter=2 - i % 2)))
    assert [c.ticket for c in accepted] == [f"A{i:03d}" for i in range(1, 21)]
    view = model.view()
    assert tickets(model) == {1: "A019", 2: "A020"}
    assert (view.latest.ticket, view.latest.counter) == ("A020", 2)
    assert [r.ticket for r in view.recent] == ["A020", "A019", "A018", "A017"]


def test_the_offline_flag_changes_the_version(model):
    """Given an online model, when the hub goes away, then the view says offline and the
    version moved (the loop redraws)."""
    model.set_online(True)
    version = model.version
    model.set_online(False)
    assert model.view().online is False and model.version > version
