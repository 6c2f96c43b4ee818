"""The counter bridge end to end: a simulated box and sign on a pty, the bridge, a real
Mosquitto and the real hub. Only the box is simulated (the hardware edge)."""

from __future__ import annotations

import json
import logging
import time

import pytest

from counter_panel.bridge import CounterBridge
from counter_panel.config import load_counter_config
from counter_panel.protocol import encode_frame, key_frame
from counter_panel.simulator import SimulatedBus
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock
from tests.support.hub_fixtures import hub, probe  # noqa: F401

ROOT = "motcua/v1/van-lam"
ADDRESS = 7  # box address 07 serves counter 1 (Đất đai, prefix A)
CLERK_CODE, CLERK = "1234", "Nguyễn Thị Lan"


def bridge_file(tmp_path, broker_url: str, link, *, expiry_s: float = 30,
                rating_timeout_s: float = 30) -> object:
    path = tmp_path / "counter.toml"
    path.write_text(f"""
[bridge]
id = "test-bus"
mqtt_url = "{broker_url}"
command_expiry_s = {expiry_s}

[bus]
serial = "{link}"
heartbeat_s = 0.5
rating_timeout_s = {rating_timeout_s}

[[counters]]
address = {ADDRESS}
counter = 1

[clerks]
"{CLERK_CODE}" = "{CLERK}"
""", encoding="utf-8")
    return load_counter_config(path, environ={})


@pytest.fixture
def box(tmp_path):
    with SimulatedBus([ADDRESS], link=tmp_path / "bus" / "sim") as simulated:
        yield simulated


@pytest.fixture
def bridge(tmp_path, mosquitto_broker, box):
    with CounterBridge(bridge_file(tmp_path, mosquitto_broker.url(), box.link)) as running:
        yield running


def issue(probe: MqttProbe, service: str = "dat-dai") -> str:
    reply = probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": service})
    assert reply["ok"], reply
    return reply["ticket"]["number"]


def shows(number: str, mode: str = "blink"):
    return lambda view: (view.mode, view.text) == (mode, number)


def commands_seen(probe: MqttProbe, action: str, window_s: float) -> list[dict]:
    """Every command with ``action`` on counter 1's cmd topic seen within ``window_s``."""
    seen, deadline = [], time.monotonic() + window_s
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = probe.messages.get(timeout=remaining)
        except Exception:
            break
        if message.topic == f"{ROOT}/counter/1/cmd":
            body = json.loads(message.payload)
            if body.get("action") == action:
                seen.append(body)
    return seen


def login_and_wait_open(box: SimulatedBus, bridge: CounterBridge) -> None:
    box.wait_for(lambda view: view.mode == "clear", timeout=10)  # online, counter closed
    box.press("LOGIN", CLERK_CODE)
    state_is_open(bridge)


def state_is_open(bridge: CounterBridge, timeout: float = 5.0) -> None:
    station = bridge.station(1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = station.runtime.cache.get(f"{ROOT}/counter/1/state") or {}
        if state.get("status") == "open" and state.get("clerk") == CLERK:
            return
        time.sleep(0.02)
    raise AssertionError(f"counter 1 not open for {CLERK}: {state}")


def test_login_and_next_on_the_box_show_the_called_number_on_its_sign(hub, probe, box, bridge):
    """Given a waiting ticket A001 and a box at address 07 bridged to counter 1, when the
    clerk types their login code and presses NEXT, then the counter opens for that clerk
    (by name), A001 is called at counter 1 and the sign blinks A001; START makes it steady."""
    assert issue(probe) == "A001"
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    view = box.wait_for(shows("A001"), timeout=5)
    assert view.describe() == "A001 (nhấp nháy)"
    called = probe.wait_for(f"{ROOT}/event/called")
    assert (json.loads(called.payload)["ticket"], json.loads(called.payload)["counter"]) == (
        "A001", 1)
    box.press("START")
    box.wait_for(shows("A001", "show"))


def test_a_bounce_of_next_calls_one_ticket(hub, probe, box, bridge):
    """Given two waiting tickets and an open counter, when NEXT bounces (two frames 50 ms
    apart, well inside the 300 ms window), then one call_next command is published, A001
    is called and A002 still waits."""
    assert [issue(probe), issue(probe)] == ["A001", "A002"]
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    time.sleep(0.05)
    box.press("NEXT")
    box.wait_for(shows("A001"))
    assert len(commands_seen(probe, "call_next", 1.0)) == 1
    assert bridge.station(1).sent.count("call_next") == 1
    state = bridge.station(1).runtime.cache.get(f"{ROOT}/counter/1/state")
    assert state["ticket"]["number"] == "A001"
    assert probe.request(f"{ROOT}/kiosk/1/cmd", {"action": "issue", "service": "dat-dai"})[
        "ticket"]["waiting_ahead"] == 1  # A002 is still ahead of the new A003


def test_a_garbage_line_is_logged_and_nothing_is_sent(hub, probe, box, bridge, caplog):
    """Given a bridged box, when the bus carries garbage, a bad checksum, an overlong line
    and a frame from an unknown address, then each is dropped with a log line, no command
    is published, and a real NEXT afterwards still works."""
    assert issue(probe) == "A001"
    login_and_wait_open(box, bridge)
    caplog.set_level(logging.WARNING, logger="counter_panel.serial_link")
    dropped_before = bridge.link.dropped_lines
    box.send_raw(b"\x00\xff garbage\r\n")
    box.send_raw(b"<07 050 KEY NEXT*00\r\n")            # bad checksum
    box.send_raw(b"<" + b"7" * 100 + b"\r\n")           # overlong
    box.send_raw(encode_frame(key_frame(42, 51, "NEXT")))  # 42 is not on this bus
    assert commands_seen(probe, "call_next", 1.0) == []
    assert bridge.link.dropped_lines - dropped_before == 4
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "bad checksum '00', expected 42" in messages
    assert "overlong" in messages and "unknown address 42" in messages
    box.press("NEXT")
    box.wait_for(shows("A001"))


def test_a_broker_restart_shows_offline_then_the_current_number_and_runs_nothing_twice(
        hub, probe, box, bridge, mosquitto_broker):
    """Given A001 called at counter 1, when the broker restarts, then the sign shows the
    offline mark while it is down and A001 again once the bridge resyncs; a NEXT pressed
    just after calls A002 once, and A001 was called once in all."""
    assert [issue(probe), issue(probe)] == ["A001", "A002"]
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    box.wait_for(shows("A001"))
    probe.close()
    mosquitto_broker.stop()
    box.wait_for(lambda view: view.mode == "offline", timeout=10)
    mosquitto_broker.start()
    box.wait_for(shows("A001"), timeout=20)
    watcher = MqttProbe(mosquitto_broker.url())
    try:
        watcher.subscribe(f"{ROOT}/#")
        box.press("NEXT")
        box.wait_for(shows("A002"), timeout=10)
        calls = [json.loads(watcher.wait_for(f"{ROOT}/event/called").payload)["ticket"]]
        assert calls == ["A002"]
    finally:
        watcher.close()
    assert list(bridge.station(1).sent) == ["open", "call_next", "call_next"]
    assert hub_called_tickets(hub) == ["A001", "A002"]


def hub_called_tickets(hub: Hub) -> list[str]:
    from sqlalchemy import select

    from motcua.store.schema import ticket, ticket_event

    with hub.store.engine.connect() as connection:
        rows = connection.execute(
            select(ticket.c.number).join(ticket_event, ticket_event.c.ticket_id == ticket.c.id)
            .where(ticket_event.c.kind == "ticket_called").order_by(ticket_event.c.seq)).all()
    return [row.number for row in rows]


def test_a_pulled_cable_is_reopened_without_a_restart(hub, probe, box, bridge):
    """Given a bridged box showing A001, when its pty is closed and a new one plugged in
    under the same path, then the bridge reopens it by itself, the box gets A001 back on
    its sign, and NEXT calls A002."""
    assert [issue(probe), issue(probe)] == ["A001", "A002"]
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    box.wait_for(shows("A001"))
    box.unplug()
    time.sleep(0.5)
    for address_box in box.boxes.values():  # a fresh box after the power cut
        address_box.view.mode, address_box.view.text = "clear", ""
    box.plug()
    box.wait_for(shows("A001"), timeout=10)
    box.press("NEXT")
    box.wait_for(shows("A002"), timeout=5)


def test_the_rating_pad_lights_after_finish_and_rates_that_ticket_once(hub, probe, box, bridge):
    """Given A001 served at counter 1 by the clerk, when the clerk presses FINISH, then the
    pad lights; a citizen's RATE 3 is sent as rate score 3 naming A001 (the visit the pad
    lit for), the pad goes dark, and a second RATE sends nothing."""
    assert issue(probe) == "A001"
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    box.wait_for(shows("A001"))
    box.press("FINISH")
    view = box.wait_for(lambda v: v.pad_lit and v.mode == "clear")
    assert "3 rất hài lòng" in view.describe()
    box.press("RATE", "3")
    box.wait_for(lambda v: not v.pad_lit)
    time.sleep(0.4)
    box.press("RATE", "2")
    time.sleep(0.5)
    assert list(bridge.station(1).sent) == ["open", "call_next", "finish", "rate"]
    assert hub_ratings(hub) == [("A001", 3, 1, CLERK)]
    rate = json.loads(probe.wait_for(f"{ROOT}/counter/1/cmd",
                                     predicate=lambda body: body["action"] == "rate").payload)
    assert (rate["score"], rate["ticket"]) == (3, "A001")


def hub_ratings(hub: Hub) -> list[tuple]:
    from sqlalchemy import select

    from motcua.store.schema import ticket, ticket_event

    with hub.store.engine.connect() as connection:
        rows = connection.execute(
            select(ticket.c.number, ticket.c.rating, ticket_event.c.counter, ticket_event.c.clerk)
            .join(ticket_event, ticket_event.c.ticket_id == ticket.c.id)
            .where(ticket_event.c.kind == "ticket_rated")).all()
    return [tuple(row) for row in rows]


def test_an_unknown_login_code_shows_the_refused_mark_and_sends_nothing(hub, probe, box, bridge):
    """Given a bridged box, when a login code that no clerk has is typed, then the sign
    shows the refused mark, no open command is sent, and the sign clears again after."""
    box.wait_for(lambda view: view.mode == "clear", timeout=10)
    box.press("LOGIN", "9999")
    box.wait_for(lambda view: view.mode == "refused")
    assert commands_seen(probe, "open", 0.5) == []
    assert list(bridge.station(1).sent) == []
    box.wait_for(lambda view: view.mode == "clear", timeout=5)


def test_the_simulate_command_plays_a_script_through_its_own_bridge(hub, probe, tmp_path,
                                                                     mosquitto_broker):
    """Given a waiting A001 and a bridge file, when `motcua counter simulate --config FILE
    --script "LOGIN 1234; NEXT; ..."` runs, then it prints the sign blinking A001, steady
    after START, blank with the rating pad lit after FINISH, in Vietnamese then English."""
    import os
    import subprocess
    import sys

    assert issue(probe) == "A001"
    config = tmp_path / "counter.toml"
    bridge_file(tmp_path, mosquitto_broker.url(), tmp_path / "unused")
    script = "LOGIN 1234; wait 0.5; NEXT; wait 0.8; START; wait 0.5; FINISH"
    completed = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "counter", "simulate", "--config", str(config),
         "--link", str(tmp_path / "sim-bus"), "--script", script, "--linger", "1"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, "MOTCUA_MQTT_URL": mosquitto_broker.url()}, check=False)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert "Quầy @07 │ A001 (nhấp nháy) / Box @07 │ A001 (blinking)" in lines
    assert "Quầy @07 │ A001 / Box @07 │ A001" in lines
    lit = [line for line in lines if "bàn phím đánh giá sáng" in line]
    assert lit and lit[-1].startswith("Quầy @07 │ (trống) · bàn phím đánh giá sáng: 3 rất hài lòng")


def test_a_press_while_the_broker_is_down_runs_once_when_it_returns_in_time(
        hub, probe, box, bridge, mosquitto_broker):
    """Given A001 called and A002 waiting, when NEXT is pressed while the broker is down
    and the broker is back within the command's expiry, then the same command (one request
    id) reaches the hub, A002 is called once and the sign blinks it."""
    assert [issue(probe), issue(probe)] == ["A001", "A002"]
    login_and_wait_open(box, bridge)
    box.press("NEXT")
    box.wait_for(shows("A001"))
    probe.close()
    mosquitto_broker.stop()
    box.wait_for(lambda view: view.mode == "offline", timeout=10)
    time.sleep(0.4)  # past the debounce window of the first NEXT: a new press
    box.press("NEXT")
    time.sleep(1.0)
    mosquitto_broker.start()
    box.wait_for(shows("A002"), timeout=20)
    assert list(bridge.station(1).sent) == ["open", "call_next", "call_next"]
    assert hub_called_tickets(hub) == ["A001", "A002"]


def test_a_press_that_expires_while_the_broker_is_down_is_refused_and_never_runs(
        tmp_path, hub, probe, mosquitto_broker):
    """Given a bridge whose commands expire after 3 s, when NEXT is pressed while the broker
    is down and the broker stays down past the expiry, then the sign shows the refused
    mark, and once the broker is back nothing was called: a press never calls late."""
    assert [issue(probe), issue(probe)] == ["A001", "A002"]
    with SimulatedBus([ADDRESS], link=tmp_path / "bus" / "late") as late_box, \
            CounterBridge(bridge_file(tmp_path, mosquitto_broker.url(), late_box.link,
                                      expiry_s=3)) as late_bridge:
        login_and_wait_open(late_box, late_bridge)
        probe.close()
        mosquitto_broker.stop()
        late_box.wait_for(lambda view: view.mode == "offline", timeout=10)
        late_box.press("NEXT")
        late_box.wait_for(lambda view: view.mode == "refused", timeout=8)
        mosquitto_broker.start()
        late_box.wait_for(lambda view: view.mode == "clear", timeout=20)
        time.sleep(1.0)
        assert list(late_bridge.station(1).sent) == ["open", "call_next"]
    assert hub_called_tickets(hub) == []


def test_keys_written_to_the_simulators_fifo_press_the_box(hub, probe, tmp_path,
                                                           mosquitto_broker):
    """Given `motcua counter simulate --config FILE --keys-fifo PATH --script "LOGIN 1234"`
    running (as `make run` starts it), when another terminal writes "NEXT" into PATH, then
    the simulator prints A001 blinking on box 07, and it runs on until terminated."""
    import os
    import subprocess
    import sys

    assert issue(probe) == "A001"
    config = tmp_path / "counter.toml"
    bridge_file(tmp_path, mosquitto_broker.url(), tmp_path / "unused")
    fifo = tmp_path / "keys"
    simulator = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "counter", "simulate", "--config", str(config),
         "--link", str(tmp_path / "sim-bus"), "--keys-fifo", str(fifo),
         "--script", "LOGIN 1234"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        text=True, env={**os.environ, "MOTCUA_MQTT_URL": mosquitto_broker.url()})
    try:
        deadline = time.monotonic() + 15
        while not fifo.exists():
            assert time.monotonic() < deadline, "no fifo"
            time.sleep(0.05)
        time.sleep(1.0)  # the start-up LOGIN opens the counter
        with open(fifo, "w", encoding="utf-8") as pipe:
            pipe.write("NEXT\n")
        seen = []
        while (line := simulator.stdout.readline()) and time.monotonic() < deadline:
            seen.append(line.rstrip("\n"))
            if "A001 (nhấp nháy)" in line:
                break
        assert "Quầy @07 │ A001 (nhấp nháy) / Box @07 │ A001 (blinking)" in seen
        assert simulator.poll() is None  # still running after its script
    finally:
        simulator.terminate()
        assert simulator.wait(10) == 0


def test_the_sign_shows_offline_while_the_hub_is_down_and_the_number_when_it_is_back(
        tmp_path, mosquitto_broker, probe, box, bridge):
    """Given A001 called at counter 1, when the hub stops (the broker stays up), then the
    sign shows the offline mark; when a hub starts again on the same database, the sign
    blinks A001 again."""
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    clock = ManualClock()
    hub = Hub(config, clock=clock, serve_http=False).start()
    try:
        assert issue(probe) == "A001"
        login_and_wait_open(box, bridge)
        box.press("NEXT")
        box.wait_for(shows("A001"))
    finally:
        hub.stop()
    box.wait_for(lambda view: view.mode == "offline", timeout=10)
    with Hub(config, clock=clock, serve_http=False):
        box.wait_for(shows("A001"), timeout=15)


def test_the_rating_pad_goes_dark_after_its_timeout_or_the_next_key(
        tmp_path, hub, probe, mosquitto_broker):
    """Given a 1 s rating window, when A001 is finished and nobody rates, then the pad goes
    dark by itself; when A002 is finished and the clerk presses NEXT, the pad goes dark at
    once; a RATE on the dark pad sends nothing and no ticket is rated."""
    assert [issue(probe), issue(probe), issue(probe)] == ["A001", "A002", "A003"]
    with SimulatedBus([ADDRESS], link=tmp_path / "bus" / "pad") as pad_box, \
            CounterBridge(bridge_file(tmp_path, mosquitto_broker.url(), pad_box.link,
                                      rating_timeout_s=1)) as pad_bridge:
        login_and_wait_open(pad_box, pad_bridge)
        pad_box.press("NEXT")
        pad_box.wait_for(shows("A001"))
        pad_box.press("FINISH")
        lit = pad_box.wait_for(lambda view: view.pad_lit)
        dark = pad_box.wait_for(lambda view: not view.pad_lit, timeout=3)
        assert 0.9 <= dark.changed_at - lit.changed_at <= 2.0
        pad_box.press("NEXT")
        pad_box.wait_for(shows("A002"))
        pad_box.press("FINISH")
        pad_box.wait_for(lambda view: view.pad_lit)
        time.sleep(0.35)  # past the debounce window of the first NEXT
        pad_box.press("NEXT")
        pad_box.wait_for(lambda view: not view.pad_lit and view.text == "A003", timeout=3)
        pad_box.press("RATE", "1")
        time.sleep(0.5)
        assert list(pad_bridge.station(1).sent) == [
            "open", "call_next", "finish", "call_next", "finish", "call_next"]
    assert hub_ratings(hub) == []
