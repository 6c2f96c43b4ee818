"""The hub on a real Mosquitto: commands, replies, retained state, failures."""

from __future__ import annotations

import datetime as dt
import json
import queue
import time

import pytest

from motcua.bus import BusAuthError
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

ROOT = "motcua/v1/van-lam"
TICKET_KEYS = {"id", "number", "service", "prefix", "priority", "status", "counter",
               "issued_at", "waiting_ahead", "est_wait_s"}


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def config(tmp_path, mosquitto_broker):
    return HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                     http_port=0)


@pytest.fixture
def hub(config, clock):
    with Hub(config, clock=clock, serve_http=False) as running:
        yield running


@pytest.fixture
def probe(mosquitto_broker):
    device = MqttProbe(mosquitto_broker.url())
    device.subscribe(f"{ROOT}/#")
    yield device
    device.close()


def late_retained(broker, topic: str, timeout: float = 10.0, until=None) -> dict:
    """The retained message of ``topic``, as a subscriber arriving now receives it.

    Only a message delivered with the retain flag counts: a live copy published while
    the late subscriber connects (MQTT 5 clears the flag on live delivery) would prove
    nothing about what the broker keeps for the next display. While the hub is still
    (re)publishing (or, with ``until``, until the retained payload satisfies it: the
    publisher runs just after the reply), a new subscriber tries again, until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        late = MqttProbe(broker.url())
        try:
            late.subscribe(topic)
            retained = _first_retained(late, topic, 1.0)
        finally:
            late.close()
        if retained is not None and (until is None or until(json.loads(retained))):
            return json.loads(retained)
    raise AssertionError(f"no matching retained message on {topic} within {timeout} s")


def _first_retained(probe: MqttProbe, topic: str, wait_s: float) -> bytes | None:
    """The payload of the first message on ``topic`` delivered as retained, or None."""
    deadline = time.monotonic() + wait_s
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = probe.messages.get(timeout=remaining)
        except queue.Empty:
            return None
        if message.topic == topic and message.retain and message.payload:
            return message.payload
    return None


def test_kiosk_issue_gets_a_reply_with_the_ticket(hub, probe):
    """Given the example center at 08:00 on a Monday,
    when kiosk 1 sends `issue` for đất đai,
    then its reply topic gets {"id", ok, ticket A001 waiting, error null}."""
    reply = probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    assert reply["ok"] is True and reply["error"] is None
    assert set(reply["ticket"]) == TICKET_KEYS
    assert (reply["ticket"]["number"], reply["ticket"]["status"]) == ("A001", "waiting")
    assert reply["ticket"]["issued_at"] == "2026-11-23T08:00:00+07:00"


def test_counter_call_next_publishes_event_state_and_retained_board(hub, probe, mosquitto_broker):
    """Given A001 waiting,
    when counter 1 opens and calls next,
    then the reply carries A001 called at counter 1 and the counter's state, event/called
    announces it with recall 0, and a late subscriber receives the retained board and
    the same counter state."""
    probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    assert probe.request(f"{ROOT}/counter/1/cmd", {"action": "open", "clerk": "Nguyễn Thị Lan"})["ok"]
    reply = probe.request(f"{ROOT}/counter/1/cmd", {"action": "call_next"})
    assert (reply["ticket"]["number"], reply["ticket"]["status"], reply["ticket"]["counter"]) == (
        "A001", "called", 1)
    called = json.loads(probe.wait_for(f"{ROOT}/event/called").payload)
    assert {k: called[k] for k in ("ticket", "counter", "service", "recall")} == {
        "ticket": "A001", "counter": 1, "service": "dat-dai", "recall": 0}
    board = late_retained(mosquitto_broker, f"{ROOT}/board",
                          until=lambda b: b["seq"] == hub.dispatcher.seq)
    assert board["epoch"] == hub.dispatcher.epoch and board["seq"] == hub.dispatcher.seq
    assert board["counters"][0] == {"counter": 1, "name": board["counters"][0]["name"],
                                    "status": "open", "ticket": "A001"}
    assert board["recent"][0]["ticket"] == "A001"
    state = late_retained(mosquitto_broker, f"{ROOT}/counter/1/state",
                          until=lambda s: s["ticket"] is not None)
    assert (state["status"], state["clerk"], state["ticket"]["number"]) == (
        "open", "Nguyễn Thị Lan", "A001")
    # The reply carries the same committed counter state (the counter's sign shows it
    # without waiting for the retained copy); a kiosk's reply carries none.
    assert reply["counter"] == state
    assert "counter" not in probe.request(f"{ROOT}/kiosk/1/cmd",
                                          {"action": "issue", "service": "dat-dai"})


def test_a_repeated_command_acts_once_and_a_reused_id_is_refused(hub, probe):
    """Given an issue command answered with A001,
    when the kiosk sends the same id and payload again, then the same reply comes back and
    no ticket is added; the same id for another service gets id_reused."""
    body = {"id": "k1-0001", "action": "issue", "service": "dat-dai"}
    probe.publish(f"{ROOT}/kiosk/1/cmd", body)
    first = json.loads(probe.wait_for(f"{ROOT}/kiosk/1/reply").payload)
    probe.publish(f"{ROOT}/kiosk/1/cmd", body)
    second = json.loads(probe.wait_for(f"{ROOT}/kiosk/1/reply").payload)
    assert second == first
    probe.publish(f"{ROOT}/kiosk/1/cmd", {**body, "service": "ho-tich"})
    reused = json.loads(probe.wait_for(f"{ROOT}/kiosk/1/reply").payload)
    assert reused["error"]["code"] == "id_reused"
    nxt = probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    assert nxt["ticket"]["number"] == "A002"


def test_an_old_command_without_expiry_is_refused(hub, probe, clock):
    """Given an MQTT 3.1.1-style command (no message expiry) sent 60 s ago by the hub's clock,
    when it arrives, then it is refused with `expired` and no ticket is issued."""
    sent_at = (clock() - dt.timedelta(seconds=60)).isoformat()
    probe.publish(f"{ROOT}/kiosk/1/cmd", {"id": "old", "action": "issue", "service": "dat-dai",
                                           "sent_at": sent_at}, expiry_s=None)
    reply = json.loads(probe.wait_for(f"{ROOT}/kiosk/1/reply").payload)
    assert (reply["ok"], reply["error"]["code"]) == (False, "expired")
    fresh = probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    assert fresh["ticket"]["number"] == "A001"


@pytest.mark.parametrize("payload, code", [
    (b"{not json", "bad_json"),
    (b"\xff\xfe", "bad_json"),
    (b"[1, 2]", "bad_json"),
    (json.dumps({"id": "x", "action": "explode"}).encode(), "unknown_action"),
    (json.dumps({"id": "x", "action": "issue", "service": 7}).encode(), "invalid_argument"),
    (json.dumps({"id": "x", "action": "issue", "service": "x" * 70000}).encode(),
     "payload_too_large"),
])
def test_malformed_payloads_get_an_error_reply_and_the_hub_keeps_serving(hub, probe, payload, code):
    """Given a running hub, when a kiosk sends a malformed command,
    then it gets an error reply with a stable code, and the next good command is served."""
    probe.publish(f"{ROOT}/kiosk/1/cmd", payload)
    reply = json.loads(probe.wait_for(f"{ROOT}/kiosk/1/reply").payload)
    assert (reply["ok"], reply["error"]["code"]) == (False, code)
    good = probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    assert good["ticket"]["number"] == "A001"


def test_a_v5_response_topic_in_the_reply_subtree_is_honoured(hub, probe):
    """Given a kiosk asking for the reply on kiosk/1/reply/abc with correlation data,
    then the reply arrives there carrying the same correlation data."""
    probe.publish(f"{ROOT}/kiosk/1/cmd", {"id": "rr", "action": "issue", "service": "ho-tich"},
                  ResponseTopic=f"{ROOT}/kiosk/1/reply/abc", CorrelationData=b"corr-1")
    message = probe.wait_for(f"{ROOT}/kiosk/1/reply/abc")
    assert message.properties.CorrelationData == b"corr-1"
    # Published through the contract's topic table: QoS 1, not retained, JSON.
    assert (message.qos, message.retain, message.properties.ContentType) == (
        1, False, "application/json")
    assert json.loads(message.payload)["ticket"]["number"] == "C001"


def test_a_restarted_hub_republishes_with_the_same_epoch(config, clock, probe, mosquitto_broker):
    """Given a hub that issued a ticket, whose retained board a test then wipes,
    when the hub restarts, then the board is retained again with the same epoch and seq,
    and the next command gets a larger seq."""
    with Hub(config, clock=clock, serve_http=False) as first:
        probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
        epoch, seq = first.dispatcher.epoch, first.dispatcher.seq
    probe.client.publish(f"{ROOT}/board", b"", qos=1, retain=True).wait_for_publish(5)
    with Hub(config, clock=clock, serve_http=False):
        board = late_retained(mosquitto_broker, f"{ROOT}/board")
        assert (board["epoch"], board["seq"]) == (epoch, seq)
        probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
        board = json.loads(probe.wait_for(f"{ROOT}/board", predicate=lambda b: b and b["seq"] > seq).payload)
        assert board["epoch"] == epoch


def test_after_a_broker_restart_the_hub_reconnects_and_republishes(hub, mosquitto_broker):
    """Given a running hub, when the broker restarts (losing its retained messages),
    then the hub reconnects, serves commands, and the board is retained again."""
    mosquitto_broker.restart()
    board = late_retained(mosquitto_broker, f"{ROOT}/board")
    assert board["epoch"] == hub.dispatcher.epoch
    status = late_retained(mosquitto_broker, f"{ROOT}/hub/status")
    assert status["online"] is True
    device = MqttProbe(mosquitto_broker.url())
    device.subscribe(f"{ROOT}/kiosk/1/reply")
    try:
        reply = device.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})
    finally:
        device.close()
    assert reply["ticket"]["number"] == "A001"


def test_a_wrong_broker_password_stops_the_hub_with_a_clear_error(tmp_path, mosquitto_factory, clock):
    """Given a broker with authentication, when the hub logs in with a wrong password,
    then start() raises BusAuthError within seconds instead of retrying forever."""
    broker = mosquitto_factory(users={"hub": "right"})
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db",
                       mqtt_url=f"mqtt://hub:wrong@127.0.0.1:{broker.port}")
    started = time.monotonic()
    with pytest.raises(BusAuthError):
        Hub(config, clock=clock, serve_http=False).start()
    assert time.monotonic() - started < 10
    # The lock was released: a correct hub can start right after.
    good = HubConfig(db_url=config.db_url, mqtt_url=broker.url("hub"))
    Hub(good, clock=clock, serve_http=False).start().stop()


def test_the_hub_serves_http_beside_mqtt(config, clock, mosquitto_broker):
    """Given a hub started with HTTP on a free port,
    when /healthz and /api/v1/board are fetched over real HTTP,
    then health is ok (database and broker up), the board has the site's six counters,
    and /api/v1/services offers the site file's priority groups with their labels."""
    import urllib.request

    with Hub(config, clock=clock) as running:
        base = f"http://127.0.0.1:{running.http_port}"
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            health = json.loads(response.read())
        with urllib.request.urlopen(f"{base}/api/v1/board", timeout=5) as response:
            board = json.loads(response.read())
        with urllib.request.urlopen(f"{base}/api/v1/services", timeout=5) as response:
            priorities = json.loads(response.read())["priorities"]
    assert health["status"] == "ok" and health["broker"]["connected"] is True
    assert [c["counter"] for c in board["counters"]] == [1, 2, 3, 4, 5, 6]
    assert priorities == [
        {"code": "normal", "label": "Thông thường"},
        {"code": "elderly", "label": "Người cao tuổi"},
        {"code": "disabled", "label": "Người khuyết tật"},
        {"code": "pregnant", "label": "Phụ nữ có thai"},
        {"code": "merit", "label": "Người có công với cách mạng"},
        {"code": "child", "label": "Người đi cùng trẻ nhỏ"},
    ]
