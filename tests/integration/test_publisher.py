"""What the hub publishes for a commit, recorded without a broker.

A real dispatcher on a SQLite file commits real commands; the real
:class:`~motcua.publisher.StatePublisher` builds the payloads in the commit listener and
its thread sends them through the real :meth:`motcua.bus.Bus.publish_contract` (the
contract's topic table) into a bus that records what paho would have been given.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest

from motcua import contract
from motcua.bus import Bus
from motcua.dispatch import Dispatcher, Request
from motcua.domain import Command
from motcua.publisher import StatePublisher
from motcua.store import open_site_store
from tests.support.sites import ManualClock, small_setup

ROOT = "motcua/v1/test-site"
SERVICES = ["dat-dai", "ho-tich", "chung-thuc"]


@dataclass(frozen=True)
class Sent:
    topic: str
    body: dict[str, Any] | None
    qos: int
    retain: bool
    expiry_s: int | None
    content_type: str | None


class RecordingBus:
    """Records every publish; ``publish_contract`` is the real Bus method, so QoS, retain
    and expiry come from the contract's table exactly as on a live bus."""

    publish_contract = Bus.publish_contract

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def publish(self, topic, payload, *, qos=1, retain=False, properties=None, wait=False,
                timeout=5.0):
        with self._lock:
            self.sent.append(Sent(
                topic, json.loads(payload) if payload else None, qos, retain,
                getattr(properties, "MessageExpiryInterval", None),
                getattr(properties, "ContentType", None)))

    def take(self) -> list[Sent]:
        with self._lock:
            sent, self.sent = self.sent, []
        return sent


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def dispatcher(sqlite_url, clock):
    store = open_site_store(sqlite_url, small_setup(counters=2), clock())
    with Dispatcher(store, clock=clock) as running:
        yield running


@pytest.fixture
def bus():
    return RecordingBus()


@pytest.fixture
def publisher(dispatcher, bus):
    publisher = StatePublisher(bus, contract.Topics("test-site"))
    dispatcher.add_listener(publisher.publish_commit)
    yield publisher
    publisher.stop()


def run(dispatcher, action, counter=None, source="internal", **args):
    result = dispatcher.execute(Request(Command(action, args, counter=counter), source))
    assert result.ok, result.error
    return result


def listeners_done(dispatcher) -> None:
    """Wait until the commit listeners of everything answered so far have queued their
    payloads: results resolve before the listeners run, a writer task runs after them."""
    done = threading.Event()
    dispatcher.run_in_writer(done.set)
    assert done.wait(5)


def settle(dispatcher, publisher) -> None:
    """Wait until every payload of the commits so far has been sent."""
    listeners_done(dispatcher)
    assert publisher.flush()


def stamp(dispatcher, seq, time="08:00:00"):
    return {"epoch": dispatcher.epoch, "seq": seq, "at": f"2026-11-23T{time}+07:00"}


def test_an_issue_publishes_the_event_the_board_and_the_service_state(
        dispatcher, publisher, bus):
    """Given counter 1 open (clerk lan) and nothing waiting,
    when a kiosk issues a đất đai ticket at 08:00,
    then the publisher sends exactly, in this order: event/issued (QoS 0, not retained,
    A001, 1 waiting), the retained board (counter 1 open and free, counter 2 closed) and
    the retained đất đai state (1 waiting, 2 × 12 min estimate, issuing), all stamped with
    the commit's seq."""
    run(dispatcher, "open", counter=1, clerk="lan")
    publisher.start()
    settle(dispatcher, publisher)
    bus.take()

    result = run(dispatcher, "issue", source="kiosk/1", service="dat-dai")
    settle(dispatcher, publisher)

    seq = result.seq
    assert bus.take() == [
        Sent(f"{ROOT}/event/issued", {
            **stamp(dispatcher, seq), "ticket": "A001", "service": "dat-dai", "prefix": "A",
            "priority": "normal", "waiting": 1}, 0, False, None, "application/json"),
        Sent(f"{ROOT}/board", {
            **stamp(dispatcher, seq),
            "counters": [
                {"counter": 1, "name": "Quầy 1", "status": "open", "ticket": None},
                {"counter": 2, "name": "Quầy 2", "status": "closed", "ticket": None}],
            "services": [{"code": "dat-dai", "name": "Đất đai", "waiting": 1},
                         {"code": "ho-tich", "name": "Hộ tịch", "waiting": 0},
                         {"code": "chung-thuc", "name": "Chứng thực", "waiting": 0}],
            "recent": []}, 1, True, None, "application/json"),
        Sent(f"{ROOT}/service/dat-dai/state", {
            **stamp(dispatcher, seq), "code": "dat-dai", "name": "Đất đai", "prefix": "A",
            "field": "Đất đai", "waiting": 1, "est_wait_s": 2 * 12 * 60, "issuing": True},
            1, True, None, "application/json"),
    ]


def test_a_call_publishes_the_called_event_with_expiry_the_board_and_the_states(
        dispatcher, publisher, clock, bus):
    """Given A001 waiting and counter 1 open (clerk lan),
    when counter 1 calls next at 08:02,
    then the publisher sends, in this order: event/called (QoS 1, 60 s expiry, A001 at
    counter 1, recall 0), the board with A001 at counter 1 as last call, counter 1's
    retained state carrying the called ticket and the đất đai state (none waiting, a new
    ticket waits one service time)."""
    run(dispatcher, "open", counter=1, clerk="lan")
    issued = run(dispatcher, "issue", source="kiosk/1", service="dat-dai")
    publisher.start()
    settle(dispatcher, publisher)
    bus.take()
    clock.advance(minutes=2)

    result = run(dispatcher, "call_next", counter=1)
    settle(dispatcher, publisher)

    seq = result.seq
    ticket_id = issued.ticket["id"]
    assert bus.take() == [
        Sent(f"{ROOT}/event/called", {
            **stamp(dispatcher, seq, "08:02:00"), "ticket": "A001", "counter": 1,
            "service": "dat-dai", "recall": 0}, 1, False, 60, "application/json"),
        Sent(f"{ROOT}/board", {
            **stamp(dispatcher, seq, "08:02:00"),
            "counters": [
                {"counter": 1, "name": "Quầy 1", "status": "open", "ticket": "A001"},
                {"counter": 2, "name": "Quầy 2", "status": "closed", "ticket": None}],
            "services": [{"code": "dat-dai", "name": "Đất đai", "waiting": 0},
                         {"code": "ho-tich", "name": "Hộ tịch", "waiting": 0},
                         {"code": "chung-thuc", "name": "Chứng thực", "waiting": 0}],
            "recent": [{"ticket": "A001", "counter": 1, "service": "dat-dai",
                        "at": "2026-11-23T08:02:00+07:00"}]}, 1, True, None,
             "application/json"),
        Sent(f"{ROOT}/counter/1/state", {
            **stamp(dispatcher, seq, "08:02:00"), "counter": 1, "name": "Quầy 1",
            "status": "open", "clerk": "lan", "services": SERVICES,
            "ticket": {"id": ticket_id, "number": "A001", "service": "dat-dai", "prefix": "A",
                       "priority": "normal", "status": "called", "counter": 1,
                       "issued_at": "2026-11-23T08:00:00+07:00", "waiting_ahead": 0,
                       "est_wait_s": 0}}, 1, True, None, "application/json"),
        Sent(f"{ROOT}/service/dat-dai/state", {
            **stamp(dispatcher, seq, "08:02:00"), "code": "dat-dai", "name": "Đất đai",
            "prefix": "A", "field": "Đất đai", "waiting": 0, "est_wait_s": 12 * 60, "issuing": True},
            1, True, None, "application/json"),
    ]


def test_a_publisher_behind_sends_the_latest_retained_state_but_every_event(
        dispatcher, publisher, bus):
    """Given a publisher whose thread is not running yet,
    when five tickets are issued in five commits and the thread then starts,
    then five event/issued go out (A001..A005 with 1..5 waiting, never coalesced) but each
    retained topic goes out once, with the seq of the last commit that touched it: the
    counters and the other services of the first commit (which started the day) in their
    place, the board and đất đai of the fifth (5 waiting) after the fifth event, since a
    replaced message moves to the end of the queue."""
    results = [run(dispatcher, "issue", source="kiosk/1", service="dat-dai")
               for _ in range(5)]
    last = results[-1].seq
    listeners_done(dispatcher)

    publisher.start()
    settle(dispatcher, publisher)

    sent = bus.take()
    issued = [s.body for s in sent if s.topic == f"{ROOT}/event/issued"]
    assert [(e["ticket"], e["seq"], e["waiting"]) for e in issued] == [
        (f"A00{i}", r.seq, i) for i, r in enumerate(results, start=1)]
    boards = [s.body for s in sent if s.topic == f"{ROOT}/board"]
    assert [(b["seq"], b["services"][0]["waiting"]) for b in boards] == [(last, 5)]
    states = [s.body for s in sent if s.topic == f"{ROOT}/service/dat-dai/state"]
    assert [(s["seq"], s["waiting"]) for s in states] == [(last, 5)]
    assert publisher.queue.coalesced == 2 * 4
    topics = [s.topic.removeprefix(ROOT + "/") for s in sent]
    assert topics == [
        "event/issued", "counter/1/state", "counter/2/state",
        "service/chung-thuc/state", "service/ho-tich/state"] \
        + ["event/issued"] * 4 + ["board", "service/dat-dai/state"]
    first = results[0].seq
    assert {s.topic.removeprefix(ROOT + "/"): s.body["seq"] for s in sent if s.retain} == {
        "counter/1/state": first, "counter/2/state": first,
        "service/chung-thuc/state": first, "service/ho-tich/state": first,
        "service/dat-dai/state": last, "board": last}


def test_no_topic_ever_goes_back_in_seq_while_commits_race_the_publisher(
        dispatcher, publisher, bus, clock):
    """Given a running publisher and two counters open,
    when 4 threads issue and call 200 times in total while it publishes,
    then on every topic the seq of consecutive messages strictly increases (retained
    topics) or never decreases (events of one batch share their command's seq), every
    issue has its event/issued, and the last board carries the dispatcher's last seq."""
    publisher.start()
    run(dispatcher, "open", counter=1, clerk="lan")
    run(dispatcher, "open", counter=2, clerk="minh")
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(50):
                if k < 2:
                    dispatcher.execute(Request(Command("issue", {"service": "dat-dai"}),
                                               f"kiosk/{k}", f"{k}-{i}"))
                else:
                    dispatcher.execute(Request(Command("call_next", counter=k - 1),
                                               f"counter/{k - 1}", f"{k}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and not any(thread.is_alive() for thread in threads)
    settle(dispatcher, publisher)

    by_topic: dict[str, list[int]] = {}
    for sent in bus.take():
        by_topic.setdefault(sent.topic, []).append(sent.body["seq"])
    for topic, seqs in by_topic.items():
        if "/event/" in topic:
            assert seqs == sorted(seqs), topic
        else:
            assert all(a < b for a, b in zip(seqs, seqs[1:])), (topic, seqs)
    assert len(by_topic[f"{ROOT}/event/issued"]) == 100
    assert by_topic[f"{ROOT}/board"][-1] == dispatcher.seq


#: Contract model of each topic kind the hub publishes for a commit.
MODEL_OF_TOPIC = {
    contract.TopicKind.EVENT_CALLED: contract.CalledEvent,
    contract.TopicKind.EVENT_ISSUED: contract.IssuedEvent,
    contract.TopicKind.BOARD: contract.Board,
    contract.TopicKind.COUNTER_STATE: contract.CounterState,
    contract.TopicKind.SERVICE_STATE: contract.ServiceState,
}


def test_every_payload_and_reply_of_a_busy_day_is_what_its_contract_model_would_send(
        dispatcher, publisher, bus, clock):
    """Given a day with every kind of counter and kiosk command (priorities, a return
    ticket's absent dossier, calls, recalls, holds, transfers, walk-ins, pauses, ratings,
    a refusal, a cancel, a close),
    when the publisher sends their payloads without validating them (``dump_view``),
    then every payload and every reply validates as its contract model, and dumping that
    model gives the same JSON document: the hub's views never drift from the contract.
    """
    publisher.start()
    replies = []

    def send(action, counter=None, source="internal", **args):
        result = dispatcher.execute(Request(Command(action, args, counter=counter), source))
        replies.append(result.reply())
        return result

    send("open", 1, clerk="lan")
    send("open", 2, clerk="minh", services=["ho-tich"])
    for service, priority in [("dat-dai", "normal"), ("ho-tich", "elderly"),
                              ("chung-thuc", "disabled"), ("dat-dai", "pregnant"),
                              ("ho-tich", "normal"), ("dat-dai", "merit")]:
        send("issue", source="kiosk/1", service=service, priority=priority)
        clock.advance(seconds=7)
    send("issue", source="kiosk/1", service="khong-co")  # refused: unknown service
    send("call_next", 1)
    send("recall", 1)
    send("start", 1)
    clock.advance(seconds=95)
    send("finish", 1)
    send("rate", 1, score=5)
    send("call_next", 2)
    send("hold", 2)
    send("call_next", 1)
    send("transfer", 1, to_service="ho-tich")
    send("call_next", 2)
    send("no_show", 2)
    send("walk_in", 1, service="dat-dai")
    send("pause", 1)
    send("resume", 1)
    send("cancel", 2, ticket="A004")
    send("call", 2, ticket="C003")
    send("close", 2)
    settle(dispatcher, publisher)

    sent = bus.take()
    kinds = set()
    for message in sent:
        parsed = contract.Topics("test-site").parse(message.topic)
        model = MODEL_OF_TOPIC[parsed.kind]
        kinds.add(parsed.kind)
        checked = model.model_validate(message.body)
        assert json.loads(contract.dump(checked)) == message.body, message.topic
    assert kinds == set(MODEL_OF_TOPIC)
    assert sum(1 for reply in replies if not reply["ok"]) >= 1
    counters = {}

    def counter_states() -> None:  # what the hub adds to the replies to counter commands
        for number in (1, 2):
            counters[number] = publisher.counter_after_commit(
                dispatcher.state, number, dispatcher.epoch, dispatcher.seq,
                dispatcher.committed_at)

    dispatcher.run_in_writer(counter_states)
    listeners_done(dispatcher)
    assert set(counters) == {1, 2}
    for reply in replies + [{**replies[-1], "counter": counters[1]},
                            {**replies[-1], "counter": counters[2]}]:
        text = contract.dump_view(reply)
        checked = contract.Reply.model_validate_json(text)
        assert json.loads(contract.dump(checked)) == json.loads(text)
