"""A press made while the broker is away is never queued inside paho (which would send it
on reconnect with the life it had then, counted afresh by the broker): the device
runtime's sender publishes only while connected, and on reconnect with what is left."""

from __future__ import annotations

import datetime as dt
import threading
import time

from motcua.contract import CommandEnvelope
from motcua.device import CommandSender

TOPIC = "motcua/v1/van-lam/counter/2/cmd"


class SwitchableBus:
    """Records publishes (id, expiry_s); ``connected`` is set by the test."""

    def __init__(self) -> None:
        self.connected = False
        self.sent: list[tuple[str, int | None]] = []
        self.lock = threading.Lock()

    def publish_contract(self, topic, payload, *, expiry_s=None, **_options):
        with self.lock:
            self.sent.append((payload.id, expiry_s))


def call_next() -> CommandEnvelope:
    return CommandEnvelope.new("call_next", dt.datetime.now(dt.timezone.utc))


def test_a_command_sent_while_disconnected_is_published_only_on_reconnect_with_its_rest():
    """Given a disconnected bus, when call_next is sent with a 4 s expiry and retried every
    0.2 s, then nothing is published while disconnected; when the bus reconnects 1.2 s
    later, it is published once, same id, with 2 s of life left (4 - 1.2, rounded down)."""
    bus = SwitchableBus()
    sender = CommandSender(bus, expiry_s=4, first_retry_s=0.2, max_retry_s=0.2,
                           is_connected=lambda: bus.connected)
    try:
        command = call_next()
        future = sender.send(TOPIC, command)
        time.sleep(1.2)
        assert bus.sent == []
        bus.connected = True
        sender.republish_all()
        assert bus.sent == [(command.id, 2)]
        assert not future.done()
    finally:
        sender.close()


def test_a_command_that_expires_while_disconnected_is_never_published():
    """Given a disconnected bus, when call_next is sent with a 1.5 s expiry, then it
    resolves hub_unreachable after its life, nothing was ever published, and a reconnect
    afterwards publishes nothing."""
    bus = SwitchableBus()
    sender = CommandSender(bus, expiry_s=1.5, first_retry_s=0.2, max_retry_s=0.2,
                           is_connected=lambda: bus.connected)
    try:
        future = sender.send(TOPIC, call_next())
        reply = future.result(timeout=5)
        assert (reply["ok"], reply["error"]["code"]) == (False, "hub_unreachable")
        bus.connected = True
        sender.republish_all()
        assert bus.sent == []
    finally:
        sender.close()
