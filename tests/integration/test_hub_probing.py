"""What probing the hub from outside found (issue 7, section 6), each on a real Mosquitto
configured by `motcua broker init` and reached with the generated device logins."""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import shutil
import time
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from motcua.broker import Devices, init_broker, load_credentials
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mosquitto import make_broker_directory
from tests.support.mqtt_probe import MqttProbe
from tests.support.ports import free_port
from tests.support.sites import ManualClock

pytestmark = pytest.mark.mosquitto

SITE_ID = "van-lam"  # the example center's site
ROOT = f"motcua/v1/{SITE_ID}"
DEVICES = Devices(counters=(1, 2), kiosks=("1", "2"), displays=("1",))
KIOSK1_CMD, KIOSK1_REPLY = f"{ROOT}/kiosk/1/cmd", f"{ROOT}/kiosk/1/reply"


class Site:
    """A broker from `motcua broker init` and the logins it generated."""

    def __init__(self, broker, passwords: dict[str, str], tmp_path) -> None:
        self.broker = broker
        self.passwords = passwords
        self.db_url = f"sqlite:///{tmp_path}/hub.db"
        self.probes: list[MqttProbe] = []

    def url(self, user: str) -> str:
        return f"mqtt://{user}:{self.passwords[user]}@{self.broker.host}:{self.broker.port}"

    def hub_config(self, **settings: object) -> HubConfig:
        return HubConfig(db_url=self.db_url, mqtt_url=self.url("hub"), http_port=0,
                         **settings)

    def login(self, user: str, *subscriptions: str) -> MqttProbe:
        probe = MqttProbe(self.url(user), client_id=f"{user}-probe")
        self.probes.append(probe)
        for topic_filter in subscriptions:
            probe.subscribe(topic_filter)
        return probe


@pytest.fixture
def site(mosquitto_factory, tmp_path) -> Iterator[Site]:
    directory = make_broker_directory()
    port = free_port()
    files = init_broker(SITE_ID, DEVICES, directory / "broker", "127.0.0.1", port)
    broker = mosquitto_factory(config_path=files.config, port=port)
    running = Site(broker, load_credentials(files.credentials), tmp_path)
    yield running
    for probe in running.probes:
        probe.close()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def start_hub(site, clock) -> Iterator[Callable[..., Hub]]:
    hubs: list[Hub] = []

    def start(serve_http: bool = False, **settings: object) -> Hub:
        hub = Hub(site.hub_config(**settings), clock=clock, serve_http=serve_http).start()
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        hub.stop()


def reply_to(probe: MqttProbe, body: dict, topic: str = KIOSK1_CMD, **publish) -> dict:
    """Send ``body`` (with its own ``id``) and return the reply carrying that id."""
    probe.publish(topic, body, **publish)
    message = probe.wait_for(topic[: -len("cmd")] + "reply",
                             predicate=lambda reply: reply and reply.get("id") == body["id"])
    return json.loads(message.payload)


def issue(probe: MqttProbe, request_id: str, topic: str = KIOSK1_CMD) -> dict:
    return reply_to(probe, {"id": request_id, "action": "issue", "service": "dat-dai"}, topic)


def retained_now(site: Site, topic: str, wait_s: float = 1.0) -> list[bytes]:
    """Payloads a fresh subscriber receives as retained on ``topic`` within ``wait_s``."""
    late = site.login("hub")
    late.subscribe(topic)
    deadline = time.monotonic() + wait_s
    received = []
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = late.messages.get(timeout=remaining)
        except queue.Empty:
            break
        if message.topic == topic and message.retain:
            received.append(message.payload)
    return received


# --------------------------------------------------------------- retained commands


def test_a_retained_command_is_ignored_and_cleared_instead_of_replayed(site, start_hub):
    """Given kiosk 1 (MQTT 3.1.1 style: no expiry, no sent_at) publishing `issue` with the
    retain flag while the hub is down,
    when the hub starts, then the command issues nothing (the next issue is A001), the
    broker no longer holds it, and a second hub start does not replay it either."""
    kiosk = site.login("kiosk1", KIOSK1_REPLY)
    kiosk.client.publish(KIOSK1_CMD, json.dumps({"id": "stuck", "action": "issue",
                                                 "service": "dat-dai"}),
                         qos=1, retain=True).wait_for_publish(5)

    hub = start_hub()
    assert issue(kiosk, "fresh-1")["ticket"]["number"] == "A001"
    assert retained_now(site, KIOSK1_CMD) == []
    hub.stop()

    start_hub()
    assert issue(kiosk, "fresh-2")["ticket"]["number"] == "A002"


# --------------------------------------------------------------- staleness


def test_a_sent_at_far_in_the_future_is_refused_as_clock_skew(site, start_hub, clock):
    """Given a kiosk without MQTT expiry stamping its command a year ahead of the hub,
    when it asks for a number, then it gets clock_skew (Vietnamese message naming the
    seconds) and no ticket; a command stamped 5 s ahead is still served as A001, and so is
    one a year ahead that carries the contract's 30 s expiry (the broker judged its age)."""
    start_hub()
    kiosk = site.login("kiosk1", KIOSK1_REPLY)
    year_ahead = clock() + dt.timedelta(days=365)

    refused = reply_to(kiosk, {"id": "future", "action": "issue", "service": "dat-dai",
                               "sent_at": year_ahead.isoformat()}, expiry_s=None)
    within = reply_to(kiosk, {"id": "close", "action": "issue", "service": "dat-dai",
                              "sent_at": (clock() + dt.timedelta(seconds=5)).isoformat()},
                      expiry_s=None)

    assert (refused["ok"], refused["ticket"], refused["error"]["code"]) == (
        False, None, "clock_skew")
    assert refused["error"]["message"] == (
        "Đồng hồ của thiết bị chạy nhanh hơn máy chủ 31536000 giây, vui lòng chỉnh lại giờ")
    assert within["ticket"]["number"] == "A001"
    with_expiry = reply_to(kiosk, {"id": "v5", "action": "issue", "service": "dat-dai",
                                   "sent_at": year_ahead.isoformat()}, expiry_s=30)
    assert with_expiry["ticket"]["number"] == "A002"


def test_a_huge_v5_expiry_does_not_save_an_old_command(site, start_hub, clock):
    """Given a command sent 60 s ago (by its sent_at) with a v5 expiry of 4,294,967,295 s,
    when it arrives, then the expiry is not trusted beyond 30 s: it is refused as expired;
    the same old command with the contract's 30 s expiry is judged by the broker and served."""
    start_hub()
    kiosk = site.login("kiosk1", KIOSK1_REPLY)
    old = (clock() - dt.timedelta(seconds=60)).isoformat()

    stale = reply_to(kiosk, {"id": "huge", "action": "issue", "service": "dat-dai",
                             "sent_at": old}, expiry_s=4_294_967_295)
    trusted = reply_to(kiosk, {"id": "normal", "action": "issue", "service": "dat-dai",
                               "sent_at": old}, expiry_s=30)

    assert (stale["ok"], stale["error"]["code"]) == (False, "expired")
    assert trusted["ticket"]["number"] == "A001"


# --------------------------------------------------------------- bounded input


@pytest.mark.parametrize(("action_length", "code"), [(60_000, "payload_too_large"),
                                                     (5_000, "invalid_argument")])
def test_a_huge_action_is_neither_echoed_in_the_reply_nor_in_the_log(
        site, start_hub, caplog, action_length, code):
    """Given a kiosk sending an action name of 60 KB (over the 8 KiB payload limit) or
    5 KB (under it),
    when the hub answers, then the reply is a short refusal (under 400 bytes) and no log
    line of the hub carries more than 600 characters; the next good command is served."""
    start_hub()
    kiosk = site.login("kiosk1", KIOSK1_REPLY)
    caplog.set_level(logging.INFO, logger="motcua")

    kiosk.publish(KIOSK1_CMD, {"id": "big", "action": "a" * action_length})
    message = kiosk.wait_for(KIOSK1_REPLY)

    assert len(message.payload) < 400
    assert json.loads(message.payload)["error"]["code"] == code
    assert issue(kiosk, "good")["ticket"]["number"] == "A001"
    hub_lines = [record.getMessage() for record in caplog.records
                 if record.name.startswith("motcua")]
    assert hub_lines and max(len(line) for line in hub_lines) < 600


def test_control_characters_in_a_clerk_name_are_refused_and_never_published(
        site, start_hub):
    """Given counter 1 opening with the clerk name "Lan<NUL>" (and one with an escape),
    when the hub answers, then both are invalid_argument on clerk, and the retained counter
    state a fresh subscriber gets is still closed with no clerk."""
    start_hub()
    counter = site.login("counter1", f"{ROOT}/counter/1/reply")
    cmd = f"{ROOT}/counter/1/cmd"

    nul = reply_to(counter, {"id": "o1", "action": "open", "clerk": "Lan\u0000"}, cmd)
    escape = reply_to(counter, {"id": "o2", "action": "open", "clerk": "\u001b[2JLan"}, cmd)

    assert [(r["error"]["code"], r["error"]["params"]) for r in (nul, escape)] == [
        ("invalid_argument", {"field": "clerk"})] * 2
    [state] = retained_now(site, f"{ROOT}/counter/1/state")
    assert (json.loads(state)["status"], json.loads(state)["clerk"]) == ("closed", None)


# --------------------------------------------------------------- printer


def test_printer_shares_the_idempotence_of_every_command(site, start_hub):
    """Given kiosk 1 issued A001 with request id k1-1,
    when it sends `printer` with the same id, then it gets id_reused (not ok); a printer
    report with its own id is ok, and repeating it gives the same reply."""
    start_hub()
    kiosk = site.login("kiosk1", KIOSK1_REPLY)
    assert issue(kiosk, "k1-1")["ticket"]["number"] == "A001"

    reused = reply_to(kiosk, {"id": "k1-1", "action": "printer", "status": "paper_low"})
    first = reply_to(kiosk, {"id": "k1-2", "action": "printer", "status": "paper_low"})
    again = reply_to(kiosk, {"id": "k1-2", "action": "printer", "status": "paper_low"})

    assert (reused["ok"], reused["error"]["code"]) == (False, "id_reused")
    assert first == again == {"id": "k1-2", "ok": True, "ticket": None, "error": None}


def test_the_kiosk_printer_and_presence_are_readable_over_http(site, start_hub, clock):
    """Given kiosk 2 retaining its presence with printer paper_out before the hub starts,
    and kiosk 1 reporting paper_low by the `printer` action after,
    when /api/v1/devices is fetched, then both kiosks are listed online with their printer
    and the hub clock's time as last seen."""
    kiosk2 = site.login("kiosk2")
    kiosk2.client.publish(f"{ROOT}/device/kiosk/2/status",
                          json.dumps({"online": True, "version": "0.1.0",
                                      "printer": "paper_out"}),
                          qos=1, retain=True).wait_for_publish(5)
    hub = start_hub(serve_http=True)
    kiosk1 = site.login("kiosk1", KIOSK1_REPLY)
    assert reply_to(kiosk1, {"id": "p1", "action": "printer", "status": "paper_low"})["ok"]

    with urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}/api/v1/devices",
                                timeout=5) as response:
        devices = json.loads(response.read())

    at = clock().isoformat()
    assert [d for d in devices if d["kind"] == "kiosk"] == [
        {"kind": "kiosk", "id": "1", "online": True, "printer": "paper_low", "last_seen": at},
        {"kind": "kiosk", "id": "2", "online": True, "printer": "paper_out", "last_seen": at},
    ]


# --------------------------------------------------------------- issue rate


def test_a_stuck_kiosk_is_rate_limited_per_kiosk_after_its_burst(site, start_hub, clock,
                                                                  caplog):
    """Given an issue rate of 6 a minute with a burst of 3,
    when kiosk 1 asks for a 4th number at once, then it gets rate_limited ("wait 10 s") and
    a log line, while kiosk 2 is still served; its first request id still gets A001 back
    (idempotence first); 10 s later kiosk 1 is served again."""
    start_hub(kiosk_issue_per_minute=6, kiosk_issue_burst=3)
    kiosk1 = site.login("kiosk1", KIOSK1_REPLY)
    kiosk2 = site.login("kiosk2", f"{ROOT}/kiosk/2/reply")
    caplog.set_level(logging.WARNING, logger="motcua")

    numbers = [issue(kiosk1, f"k1-{i}")["ticket"]["number"] for i in range(1, 4)]
    limited = issue(kiosk1, "k1-4")
    other = issue(kiosk2, "k2-1", f"{ROOT}/kiosk/2/cmd")
    repeat = issue(kiosk1, "k1-1")
    clock.advance(seconds=10)
    later = issue(kiosk1, "k1-5")

    assert numbers == ["A001", "A002", "A003"]
    assert (limited["ok"], limited["ticket"], limited["error"]) == (False, None, {
        "code": "rate_limited",
        "message": "Thiết bị 1 lấy số quá nhanh, vui lòng chờ 10 giây",
        "message_en": "Device 1 is issuing too fast; wait 10 s",
        "params": {"device": "1", "retry_s": 10}})
    assert other["ticket"]["number"] == "A004"
    assert repeat["ticket"]["number"] == "A001"
    assert later["ticket"]["number"] == "A005"
    assert any("kiosk 1 issues too fast" in record.getMessage() for record in caplog.records)


def test_the_issue_rate_comes_from_the_hub_file_and_the_environment(tmp_path):
    """Given a hub file with kiosk_issue_per_minute = 4 and the environment setting the
    burst to 2, then the hub config carries 4 and 2; without either, 12 and 12."""
    from motcua.hub_config import load_hub_config

    path = tmp_path / "hub.toml"
    path.write_text("[hub]\nkiosk_issue_per_minute = 4\n", encoding="utf-8")
    config = load_hub_config(path, {"MOTCUA_KIOSK_ISSUE_BURST": "2"})
    default = load_hub_config(None, {})

    assert (config.kiosk_issue_per_minute, config.kiosk_issue_burst) == (4, 2)
    assert (default.kiosk_issue_per_minute, default.kiosk_issue_burst) == (12, 12)
