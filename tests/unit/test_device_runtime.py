"""The device runtime's pure parts: the epoch/seq cache and the command retries."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

from motcua.bus import BusMessage
from motcua.contract import CommandEnvelope
from motcua.device import CommandSender, StampedCache, unreachable_reply

TOPIC = "motcua/v1/van-lam/service/dat-dai/state"
OTHER = "motcua/v1/van-lam/service/ho-tich/state"
CMD = "motcua/v1/van-lam/kiosk/1/cmd"


def stamped(epoch: str, seq: int, **body: object) -> bytes:
    return json.dumps({"epoch": epoch, "seq": seq, **body}).encode()


def test_an_older_or_repeated_seq_of_the_same_epoch_is_dropped() -> None:
    """Given seq 5 cached, when seq 4 and seq 5 arrive again, then the cache keeps seq 5's body."""
    cache = StampedCache()
    assert cache.apply(TOPIC, stamped("e1", 5, waiting=3)) is True
    assert cache.apply(TOPIC, stamped("e1", 4, waiting=9)) is False
    assert cache.apply(TOPIC, stamped("e1", 5, waiting=7)) is False
    assert cache.get(TOPIC)["waiting"] == 3
    assert cache.apply(TOPIC, stamped("e1", 6, waiting=2)) is True
    assert cache.get(TOPIC)["waiting"] == 2


def test_a_new_epoch_is_accepted_with_a_smaller_seq_and_drops_the_old_epoch() -> None:
    """Given two topics of epoch e1, when e2 arrives with seq 1 on one topic, then it is
    taken and the other topic's e1 body is gone (the database was replaced)."""
    cache = StampedCache()
    cache.apply(TOPIC, stamped("e1", 90, waiting=3))
    cache.apply(OTHER, stamped("e1", 91, waiting=4))
    assert cache.apply(TOPIC, stamped("e2", 1, waiting=0)) is True
    assert cache.get(TOPIC) == {"epoch": "e2", "seq": 1, "waiting": 0}
    assert cache.get(OTHER) is None
    assert cache.epoch == "e2"


def test_the_hubs_epoch_drops_state_of_another_epoch() -> None:
    """Given state of epoch e1, when the hub's status says e2, then nothing of e1 is kept."""
    cache = StampedCache()
    cache.apply(TOPIC, stamped("e1", 3))
    assert cache.adopt_epoch("e2") is True
    assert cache.get(TOPIC) is None
    assert cache.adopt_epoch("e2") is False


def test_an_empty_payload_clears_the_topic_and_garbage_is_ignored() -> None:
    """Given a cached topic, when garbage arrives it stays; when an empty payload arrives it goes."""
    cache = StampedCache()
    cache.apply(TOPIC, stamped("e1", 3, waiting=1))
    for garbage in (b"\xff\xfe", b"[1,2]", b'{"epoch": 1, "seq": 4}', b'{"epoch": "e1", "seq": "4"}',
                    b'{"epoch": "e1", "seq": true}', b"{" * 70_000):
        assert cache.apply(TOPIC, garbage) is False
    assert cache.get(TOPIC)["waiting"] == 1
    assert cache.apply(TOPIC, b"") is True
    assert cache.get(TOPIC) is None


class RecordingBus:
    """Records what the sender publishes: (topic, id, expiry_s)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int | None]] = []
        self.lock = threading.Lock()

    def publish_contract(self, topic, payload, *, expiry_s=None, **_options):
        with self.lock:
            self.sent.append((topic, payload.id, expiry_s))


def envelope() -> CommandEnvelope:
    return CommandEnvelope.new("issue", dt.datetime.now(dt.timezone.utc), service="dat-dai",
                               priority="normal")


def reply_message(body: dict) -> BusMessage:
    return BusMessage(topic="motcua/v1/van-lam/kiosk/1/reply", payload=json.dumps(body).encode(),
                      qos=1, retain=False, properties=None)


def test_an_unanswered_command_is_republished_with_the_same_id_then_reported_unreachable() -> None:
    """Given a hub that never answers, when a command is sent with a 3 s expiry and 0.5 s
    first retry, then it is published again under the same id with less and less expiry,
    and resolves as hub_unreachable once the expiry passed, and is not published after."""
    bus = RecordingBus()
    sender = CommandSender(bus, expiry_s=3.0, first_retry_s=0.5, max_retry_s=1.0)
    command = envelope()
    started = time.monotonic()
    try:
        reply = sender.send(CMD, command).result(timeout=6)
        elapsed = time.monotonic() - started
    finally:
        sender.close()
    assert reply == unreachable_reply(command.id)
    assert reply["error"]["code"] == "hub_unreachable"
    assert 2.9 <= elapsed <= 4.0
    assert {topic for topic, _, _ in bus.sent} == {CMD}
    assert {request_id for _, request_id, _ in bus.sent} == {command.id}
    assert 3 <= len(bus.sent) <= 5
    expiries = [expiry for _, _, expiry in bus.sent]
    assert expiries[0] == 3 and expiries == sorted(expiries, reverse=True) and expiries[-1] >= 1
    count = len(bus.sent)
    time.sleep(0.6)
    assert len(bus.sent) == count


def test_a_reply_resolves_the_command_and_stops_its_retries() -> None:
    """Given a sent command, when its reply arrives (and a stray reply for another id),
    then the future has the reply and no retry follows."""
    bus = RecordingBus()
    sender = CommandSender(bus, expiry_s=5.0, first_retry_s=0.3)
    command = envelope()
    try:
        future = sender.send(CMD, command)
        sender.on_reply(reply_message({"id": "someone-else", "ok": True}))
        sender.on_reply(BusMessage("t", b"not json", 1, False, None))
        assert not future.done()
        sender.on_reply(reply_message({"id": command.id, "ok": True, "ticket": {"number": "A001"}}))
        assert future.result(timeout=1) == {"id": command.id, "ok": True,
                                            "ticket": {"number": "A001"}}
        time.sleep(0.8)
    finally:
        sender.close()
    assert bus.sent == [(CMD, command.id, 5)]


def test_sending_the_same_envelope_twice_returns_the_first_future() -> None:
    """Given a command in flight, when the same envelope is sent again (a double tap that
    reuses its id), then no second publish happens and both callers share one future."""
    bus = RecordingBus()
    sender = CommandSender(bus, expiry_s=5.0, first_retry_s=5.0)
    command = envelope()
    try:
        first = sender.send(CMD, command)
        second = sender.send(CMD, command)
    finally:
        sender.close()
    assert first is second
    assert len(bus.sent) == 1
