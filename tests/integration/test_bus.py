"""The MQTT bus against a real Mosquitto: delivery, retained state, reconnects, refusals."""

from __future__ import annotations

import datetime as dt
import queue
import shutil
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from motcua.bus import (
    Bus,
    BusAuthError,
    BusDenied,
    BusError,
    BusMessage,
    BusSettings,
    connect_bus,
    message_properties,
    parse_mqtt_url,
)
from motcua.contract import Board, CalledEvent, Topics
from tests.support.mosquitto import MosquittoBroker

pytestmark = pytest.mark.mosquitto

SITE = Topics("hcm-q1")
TIMEOUT_S = 5.0
AT = dt.datetime(2024, 5, 2, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


class Inbox:
    """A message handler that queues what it receives, for assertions."""

    def __init__(self) -> None:
        self._messages: queue.Queue[BusMessage] = queue.Queue()

    def __call__(self, message: BusMessage) -> None:
        self._messages.put(message)

    def get(self, timeout: float = TIMEOUT_S) -> BusMessage:
        return self._messages.get(timeout=timeout)

    def empty(self) -> bool:
        return self._messages.empty()


@pytest.fixture
def open_bus() -> Iterator[Callable[..., Bus]]:
    """Connect buses with fast test reconnect delays; close them all after the test."""
    buses: list[Bus] = []

    def connect(url: str, client_id: str, **options: object) -> Bus:
        settings = BusSettings(
            url=url, client_id=client_id, reconnect_min_delay_s=0.1,
            reconnect_max_delay_s=0.5, connect_timeout_s=TIMEOUT_S,
            **options,  # type: ignore[arg-type]
        )
        bus = connect_bus(settings)
        buses.append(bus)
        return bus

    yield connect
    for bus in buses:
        bus.close(announce_offline=False)


def _wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


# ----------------------------------------------------------------------------- URLs


def test_mqtt_url_gives_host_port_and_url_decoded_login():
    """Given a URL with an escaped password, Then user and password are decoded."""
    address = parse_mqtt_url("mqtt://counter3:p%40ss%3Aw0rd@10.0.0.5:1884")
    assert (address.host, address.port, address.username, address.password) == (
        "10.0.0.5", 1884, "counter3", "p@ss:w0rd"
    )
    assert "p@ss" not in repr(address)


def test_mqtt_url_defaults_to_port_1883_and_anonymous():
    """Given a URL without port or login, Then port 1883 and no user are used."""
    address = parse_mqtt_url("mqtt://broker.local")
    assert (address.host, address.port, address.username, address.password) == (
        "broker.local", 1883, None, None
    )


@pytest.mark.parametrize("url", ["http://host:1883", "mqtt://", "host:1883", "mqtt://h:99999"])
def test_invalid_broker_urls_are_refused_without_echoing_passwords(url):
    """Given a URL that is not mqtt://host[:port], Then ValueError is raised."""
    with pytest.raises(ValueError):
        parse_mqtt_url(url)


def test_settings_repr_hides_the_url_with_its_password():
    """Given settings holding a password, Then their repr does not show it."""
    assert "secret" not in repr(BusSettings(url="mqtt://hub:secret@h:1883", client_id="hub"))


# ----------------------------------------------------------------------------- delivery


def test_published_message_reaches_a_subscriber(mosquitto_broker, open_bus):
    """Given a display subscribed to event/called, When the hub publishes a call with QoS 1,
    Then the broker acknowledges it and the display receives the exact topic and bytes."""
    display, hub = open_bus(mosquitto_broker.url(), "display1"), open_bus(
        mosquitto_broker.url(), "hub")
    inbox = Inbox()
    display.subscribe(SITE.event_called(), inbox, wait=True)
    payload = '{"ticket":"A015","counter":3,"note":"Quầy số ba"}'.encode()

    delivery = hub.publish(SITE.event_called(), payload, qos=1, wait=True)

    received = inbox.get()
    assert delivery.reason_code is not None and not delivery.reason_code.is_failure
    assert (received.topic, received.payload, received.qos, received.retain) == (
        "motcua/v1/hcm-q1/event/called", payload, 1, False
    )


def test_retained_state_reaches_a_late_subscriber(mosquitto_broker, open_bus):
    """Given the hub published its retained board, When a display subscribes afterwards,
    Then it gets the board at once, flagged retained."""
    hub = open_bus(mosquitto_broker.url(), "hub")
    hub.publish(SITE.board(), b'{"seq":7}', qos=1, retain=True, wait=True)
    display = open_bus(mosquitto_broker.url(), "display1")
    inbox = Inbox()

    display.subscribe(SITE.board(), inbox)

    received = inbox.get()
    assert (received.topic, received.payload, received.retain) == (
        "motcua/v1/hcm-q1/board", b'{"seq":7}', True
    )


def test_v5_properties_travel_with_a_command(mosquitto_broker, open_bus):
    """Given a panel sending a command with expiry, response topic and correlation data,
    Then the hub reads all of them from the message."""
    hub, panel = open_bus(mosquitto_broker.url(), "hub"), open_bus(mosquitto_broker.url(), "c3")
    inbox = Inbox()
    hub.subscribe(SITE.counter_cmd_filter(), inbox, wait=True)
    properties = message_properties(
        message_expiry_s=30, response_topic=SITE.counter_reply(3) + "/panel",
        correlation_data=b"\x01\x02", content_type="application/json",
    )

    panel.publish(SITE.counter_cmd(3), b'{"id":"a","action":"call_next"}', properties=properties)

    received = inbox.get()
    assert received.topic == "motcua/v1/hcm-q1/counter/3/cmd"
    assert 0 < received.message_expiry_s <= 30
    assert received.response_topic == "motcua/v1/hcm-q1/counter/3/reply/panel"
    assert received.correlation_data == b"\x01\x02"
    assert received.content_type == "application/json"


def test_publish_contract_applies_the_topics_qos_retain_and_expiry(mosquitto_broker, open_bus):
    """Given the hub publishing a board and a call through publish_contract, Then a late
    display gets the board retained as compact JSON, and the call carries the 60 s expiry."""
    hub = open_bus(mosquitto_broker.url(), "hub")
    board = Board(epoch="e1", seq=3, at=AT, counters=[], services=[], recent=[])
    call = CalledEvent(epoch="e1", seq=4, at=AT, ticket="A015", counter=3, service="dat-dai",
                       recall=0)
    hub.publish_contract(SITE.board(), board, wait=True)
    display, inbox = open_bus(mosquitto_broker.url(), "display1"), Inbox()
    display.subscribe(SITE.board(), inbox, wait=True)
    display.subscribe(SITE.event_called(), inbox, wait=True)
    retained_board = inbox.get()

    hub.publish_contract(SITE.event_called(), call, wait=True)

    called = inbox.get()
    assert (retained_board.retain, retained_board.qos, retained_board.payload) == (
        True, 1, b'{"epoch":"e1","seq":3,"at":"2024-05-02T08:15:00+07:00","counters":[],'
                 b'"services":[],"recent":[]}'
    )
    assert retained_board.content_type == "application/json"
    assert (called.topic, called.retain) == ("motcua/v1/hcm-q1/event/called", False)
    assert 55 <= called.message_expiry_s <= 60
    with pytest.raises(ValueError):
        hub.publish_contract("motcua/v1/hcm-q1/unknown", b"{}")


def test_client_socket_has_tcp_nodelay(mosquitto_broker, open_bus):
    """Given a connected bus, Then Nagle's algorithm is off on its socket."""
    bus = open_bus(mosquitto_broker.url(), "hub")
    assert bus.client.socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# ----------------------------------------------------------------------------- reconnects


def test_broker_restart_resubscribes_and_reruns_connected_hooks(mosquitto_broker, open_bus):
    """Given a hub subscribed to commands whose hook republishes the retained board, When
    the broker restarts (losing everything), Then the hook runs again, a late display sees
    the board, and commands published after the restart reach the hub."""
    connections: list[int] = []

    def republish_board(bus: Bus) -> None:
        connections.append(1)
        bus.publish(SITE.board(), b'{"seq":1}', qos=1, retain=True)

    commands = Inbox()
    hub = connect_bus(
        BusSettings(url=mosquitto_broker.url(), client_id="hub", reconnect_min_delay_s=0.1,
                    reconnect_max_delay_s=0.5),
        subscriptions={SITE.counter_cmd_filter(): commands},
        on_connected=[republish_board],
    )
    try:
        assert connections == [1]

        mosquitto_broker.restart()
        _wait_until(lambda: len(connections) == 2 and hub.connected)

        display_board = Inbox()
        open_bus(mosquitto_broker.url(), "display1").subscribe(SITE.board(), display_board)
        assert display_board.get().payload == b'{"seq":1}'
        panel = open_bus(mosquitto_broker.url(), "counter3")
        # The resubscription is sent before the hook; the hub's own retained board coming
        # back proves nothing about it, so retry until the broker knows the subscription.
        _wait_until(lambda: _publish_and_check(panel, commands))
    finally:
        hub.close(announce_offline=False)


def _publish_and_check(panel: Bus, inbox: Inbox) -> bool:
    panel.publish(SITE.counter_cmd(3), b'{"id":"x","action":"call_next"}', wait=True)
    try:
        message = inbox.get(timeout=0.2)
    except queue.Empty:
        return False
    return message.topic == "motcua/v1/hcm-q1/counter/3/cmd"


def test_clean_close_publishes_the_offline_will(mosquitto_broker, open_bus):
    """Given a kiosk with a retained last will, When it closes cleanly, Then watchers still
    see {"online":false} on its status topic (the will is sent on purpose)."""
    status_topic = SITE.device_status("kiosk", "1")
    watcher = open_bus(mosquitto_broker.url(), "display1")
    statuses = Inbox()
    watcher.subscribe(status_topic, statuses, wait=True)
    kiosk = open_bus(mosquitto_broker.url(), "kiosk1", will_topic=status_topic)
    kiosk.publish(status_topic, b'{"online":true}', retain=True, wait=True)
    assert statuses.get().payload == b'{"online":true}'

    kiosk.close()

    received = statuses.get()
    assert (received.topic, received.payload) == (status_topic, b'{"online":false}')


# ----------------------------------------------------------------------------- refusals

ACL = """\
user hub
topic readwrite motcua/v1/hcm-q1/#

user counter3
topic write motcua/v1/hcm-q1/counter/3/cmd
"""


@pytest.fixture
def secured_broker(mosquitto_factory) -> MosquittoBroker:
    return mosquitto_factory(users={"hub": "hub-pw", "counter3": "c3-pw"}, acl=ACL)


def test_wrong_password_raises_auth_error_without_retrying(secured_broker):
    """Given a broker that refuses the password, When connect_bus runs, Then BusAuthError
    comes back within a second and the client does not try again."""
    url = f"mqtt://counter3:wrong@{secured_broker.host}:{secured_broker.port}"
    settings = BusSettings(url=url, client_id="counter3", reconnect_min_delay_s=0.05,
                           reconnect_max_delay_s=0.05)
    started = time.monotonic()

    with pytest.raises(BusAuthError, match="Not authorized"):
        connect_bus(settings)

    assert time.monotonic() - started < 1.0
    # Mosquitto may write its log line after it has sent the refusal: wait for it.
    deadline = time.monotonic() + 5.0
    while (refusals := secured_broker.log_text().count("not authorised")) < 1:
        assert time.monotonic() < deadline, "the broker never logged the refusal"
        time.sleep(0.02)
    time.sleep(0.3)  # six retries would fit in this pause if the client kept going
    assert secured_broker.log_text().count("not authorised") == refusals


def test_publish_denied_by_acl_is_detected_from_the_reason_code(secured_broker, open_bus):
    """Given counter 3 may only write its own cmd topic, When it publishes on counter 4's,
    Then the PUBACK reason code 135 surfaces as BusDenied, while its own topic is accepted
    (code 16 "No matching subscribers", a success: no hub is listening in this test)."""
    counter3 = open_bus(secured_broker.url("counter3"), "counter3")

    with pytest.raises(BusDenied) as denied:
        counter3.publish(SITE.counter_cmd(4), b'{"id":"a","action":"call_next"}', wait=True)
    accepted = counter3.publish(SITE.counter_cmd(3), b'{"id":"a","action":"call_next"}',
                                wait=True)

    assert denied.value.reason_code.value == 135
    assert denied.value.topic == "motcua/v1/hcm-q1/counter/4/cmd"
    assert not accepted.reason_code.is_failure and accepted.reason_code.value == 16


def test_waiting_inside_a_callback_is_refused(mosquitto_broker, open_bus):
    """Given a handler that tries to wait for an acknowledgement on the network thread,
    Then it gets BusError instead of deadlocking the bus."""
    bus = open_bus(mosquitto_broker.url(), "hub")
    errors: queue.Queue[BaseException] = queue.Queue()

    def handler(message: BusMessage) -> None:
        try:
            bus.publish(SITE.board(), b"{}", wait=True)
        except BusError as error:
            errors.put(error)

    bus.subscribe(SITE.event_issued(), handler, wait=True)
    bus.publish(SITE.event_issued(), b"{}", qos=0)

    assert "inside a bus callback" in str(errors.get(timeout=TIMEOUT_S))


@pytest.mark.parametrize("drop", [False, True])
def test_a_device_bus_forgets_unacknowledged_commands_at_reconnect(mosquitto_broker, open_bus,
                                                                    drop):
    """Given a bus that published a QoS 1 command while the broker was down, when the broker
    comes back: paho's default resends it (drop=False: the hub would act on it late), and
    a device bus (drop_unacked_on_reconnect) forgets it, failing its delivery, so only the
    device's own retries, with what is left of the command's life, can send it."""
    hub_inbox = Inbox()
    # The device comes back a second after the broker: the hub has subscribed by then.
    device = connect_bus(BusSettings(url=mosquitto_broker.url(), client_id="kiosk1",
                                     reconnect_min_delay_s=1.0, reconnect_max_delay_s=1.0,
                                     drop_unacked_on_reconnect=drop))
    mosquitto_broker.stop()
    _wait_until(lambda: not device.connected)
    delivery = device.publish(SITE.kiosk_cmd("1"), b'{"id":"late","action":"issue"}', qos=1)
    mosquitto_broker.start()
    hub = open_bus(mosquitto_broker.url(), "hub")
    hub.subscribe(SITE.kiosk_cmd_filter(), hub_inbox, wait=True)
    _wait_until(lambda: device.connected, timeout=10)
    try:
        if drop:
            with pytest.raises(BusError, match="dropped at reconnect"):
                delivery.wait(TIMEOUT_S)
            with pytest.raises(queue.Empty):
                hub_inbox.get(timeout=1.0)
        else:
            assert delivery.wait(TIMEOUT_S) is not None
            assert hub_inbox.get().payload == b'{"id":"late","action":"issue"}'
    finally:
        device.close(announce_offline=False)


@pytest.mark.parametrize("broker_limit, expected", [(1000, 1000), (5, 5)])
def test_the_bus_keeps_in_flight_what_the_broker_allows_and_delivers_every_message(
        request, open_bus, broker_limit, expected):
    """Given a broker advertising a Receive Maximum of ``broker_limit`` (its
    ``max_inflight_messages``),
    when a bus publishes 300 QoS 1 messages at once,
    then the bus allows ``expected`` of them in flight (paho alone keeps 20), and a
    subscriber gets all 300 in order."""
    from tests.support.mosquitto import free_port, make_broker_directory

    directory = make_broker_directory()
    port = free_port()
    config = directory / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                      f"max_inflight_messages {broker_limit}\n", encoding="utf-8")
    with MosquittoBroker(config_path=config, port=port) as broker:
        request.addfinalizer(lambda: shutil.rmtree(directory, ignore_errors=True))
        inbox = Inbox()
        reader = open_bus(broker.url(), "reader")
        reader.subscribe("t/#", inbox, wait=True)
        writer = open_bus(broker.url(), "writer")
        assert writer.client._max_inflight_messages == expected
        deliveries = [writer.publish("t/x", str(n).encode(), qos=1) for n in range(300)]
        received = [int(inbox.get().payload) for _ in range(300)]
        assert received == list(range(300))
        for delivery in deliveries:
            delivery.wait(TIMEOUT_S)
