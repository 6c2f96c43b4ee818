"""`motcua broker init`: generated files, idempotence, and the ACL enforced by real Mosquitto."""

from __future__ import annotations

import grp
import queue
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from motcua.broker import BrokerFiles, Devices, init_broker, load_credentials
from motcua.bus import Bus, BusAuthError, BusDenied, BusMessage, BusSettings, connect_bus
from motcua.cli import main as motcua_main
from motcua.contract import Topics
from tests.support.mosquitto import MosquittoBroker, make_broker_directory
from tests.support.ports import free_port

pytestmark = pytest.mark.mosquitto

SITE_ID = "hcm-q1"
SITE = Topics(SITE_ID)
DEVICES = Devices(counters=(3, 4), kiosks=("1",), displays=("1",))
TIMEOUT_S = 5.0


@pytest.fixture
def broker_dir() -> Iterator[Path]:
    """A directory the privilege-dropped mosquitto user can reach (pytest's tmp_path is 0700)."""
    directory = make_broker_directory()
    yield directory / "broker"
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def site_broker(broker_dir, mosquitto_factory) -> tuple[MosquittoBroker, BrokerFiles]:
    """Mosquitto running the configuration `init_broker` generated for DEVICES."""
    port = free_port()
    files = init_broker(SITE_ID, DEVICES, broker_dir, "127.0.0.1", port)
    return mosquitto_factory(config_path=files.config, port=port), files


@pytest.fixture
def login(site_broker) -> Iterator[Callable[[str], Bus]]:
    """Connect as one of the generated users, with the generated password."""
    broker, files = site_broker
    passwords = load_credentials(files.credentials)
    buses: list[Bus] = []

    def connect(user: str, client_id: str | None = None) -> Bus:
        url = f"mqtt://{user}:{passwords[user]}@{broker.host}:{broker.port}"
        bus = connect_bus(BusSettings(url=url, client_id=client_id or user,
                                      connect_timeout_s=TIMEOUT_S, reconnect_min_delay_s=0.2))
        buses.append(bus)
        return bus

    yield connect
    for bus in buses:
        bus.close(announce_offline=False)


class Inbox:
    def __init__(self) -> None:
        self.messages: queue.Queue[BusMessage] = queue.Queue()

    def __call__(self, message: BusMessage) -> None:
        self.messages.put(message)

    def received_until(self, last_topic: str) -> list[tuple[str, bytes]]:
        """(topic, payload) received up to and including ``last_topic`` (a sentinel sent last)."""
        received: list[tuple[str, bytes]] = []
        while not received or received[-1][0] != last_topic:
            message = self.messages.get(timeout=TIMEOUT_S)
            received.append((message.topic, message.payload))
        return received


# ----------------------------------------------------------------------------- files


def test_init_writes_config_passwords_acl_and_secret_credentials(broker_dir):
    """Given two counters, a kiosk and a display, When the broker is initialised, Then each
    device has a password, the ACL lists exactly counter 3's topics, and only the
    credentials file is private to its owner."""
    files = init_broker(SITE_ID, DEVICES, broker_dir, "127.0.0.1", 18830)

    passwords = load_credentials(files.credentials)
    assert list(passwords) == ["hub", "monitor", "counter3", "counter4", "kiosk1", "display1"]
    assert len(set(passwords.values())) == 6
    hashed_users = [line.split(":")[0] for line in files.password_file.read_text().splitlines()]
    assert hashed_users == list(passwords)
    assert not any(password in files.password_file.read_text() for password in passwords.values())
    acl = files.acl_file.read_text()
    assert (
        "user counter3\n"
        "topic read motcua/v1/hcm-q1/counter/3/#\n"
        "topic read motcua/v1/hcm-q1/board\n"
        "topic read motcua/v1/hcm-q1/procedures\n"
        "topic read motcua/v1/hcm-q1/event/called\n"
        "topic read motcua/v1/hcm-q1/event/issued\n"
        "topic read motcua/v1/hcm-q1/service/+/state\n"
        "topic read motcua/v1/hcm-q1/hub/status\n"
        "topic write motcua/v1/hcm-q1/counter/3/cmd\n"
        "topic write motcua/v1/hcm-q1/device/counter/3/status\n"
    ) in acl
    assert "user hub\ntopic readwrite motcua/v1/hcm-q1/#\n" in acl
    assert "user monitor\ntopic read motcua/v1/hcm-q1/#\n" in acl
    assert acl.endswith(
        "user display1\n"
        "topic read motcua/v1/hcm-q1/board\n"
        "topic read motcua/v1/hcm-q1/procedures\n"
        "topic read motcua/v1/hcm-q1/event/called\n"
        "topic read motcua/v1/hcm-q1/event/issued\n"
        "topic read motcua/v1/hcm-q1/service/+/state\n"
        "topic read motcua/v1/hcm-q1/hub/status\n"
        "topic write motcua/v1/hcm-q1/device/display/1/status\n"
    )
    config = files.config.read_text()
    for line in ("per_listener_settings false", "allow_anonymous false",
                 f"password_file {files.password_file}", f"acl_file {files.acl_file}",
                 "set_tcp_nodelay true", "listener 18830 127.0.0.1", "persistence true",
                 "use_username_as_clientid true"):
        assert line in config.splitlines()
    assert stat.S_IMODE(files.credentials.stat().st_mode) == 0o600
    for broker_file in (files.config, files.password_file, files.acl_file):
        assert stat.S_IMODE(broker_file.stat().st_mode) == 0o640
        assert broker_file.stat().st_gid == grp.getgrnam("mosquitto").gr_gid


def test_rerunning_keeps_passwords_and_follows_the_device_list(broker_dir):
    """Given an initialised broker, When init runs again with counter 5 instead of 4, Then
    existing passwords are unchanged, counter 5 gets one and counter 4 loses its login."""
    first = load_credentials(init_broker(SITE_ID, DEVICES, broker_dir).credentials)
    changed = Devices(counters=(3, 5), kiosks=("1",), displays=("1",))

    files = init_broker(SITE_ID, changed, broker_dir)

    second = load_credentials(files.credentials)
    kept = ("hub", "monitor", "counter3", "kiosk1", "display1")
    assert {user: second[user] for user in kept} == {user: first[user] for user in kept}
    assert "counter4" not in second and second["counter5"] not in first.values()
    assert "user counter4" not in files.acl_file.read_text()


def test_cli_broker_init_writes_the_files(broker_dir, capsys):
    """Given the command line, When `motcua broker init` runs, Then it exits 0, writes the
    ACL for the listed counters and names the credentials file."""
    code = motcua_main(["broker", "init", "--site", SITE_ID, "--dir", str(broker_dir),
                        "--port", "18831", "--counters", "1,2", "--kiosks", "1",
                        "--displays", "tv-1"])

    assert code == 0
    assert list(load_credentials(broker_dir / "credentials.toml")) == [
        "hub", "monitor", "counter1", "counter2", "kiosk1", "displaytv-1"
    ]
    assert "credentials.toml" in capsys.readouterr().out


def test_cli_refuses_a_site_id_that_is_not_a_slug(broker_dir):
    """Given a site id with a wildcard, When `motcua broker init` runs, Then it exits 1."""
    assert motcua_main(["broker", "init", "--site", "hcm/#", "--dir", str(broker_dir)]) == 1
    assert not broker_dir.exists()


# ----------------------------------------------------------------------------- real broker


def test_counter_publishes_its_own_commands_but_not_another_counters(login):
    """Given the generated broker with the hub listening to all counter commands, When
    counter 3 publishes on its own and on counter 4's cmd topic, Then the first reaches the
    hub, the second is refused with 135 and never reaches the hub."""
    hub = login("hub")
    commands = Inbox()
    hub.subscribe(SITE.counter_cmd_filter(), commands, wait=True)
    counter3 = login("counter3")

    counter3.publish(SITE.counter_cmd(3), b'{"id":"a","action":"call_next"}', wait=True)
    with pytest.raises(BusDenied) as denied:
        counter3.publish(SITE.counter_cmd(4), b'{"id":"b","action":"call_next"}', wait=True)
    login("counter4").publish(SITE.counter_cmd(4), b'{"id":"c","action":"call_next"}')

    assert denied.value.reason_code.value == 135
    assert commands.received_until(SITE.counter_cmd(4)) == [
        ("motcua/v1/hcm-q1/counter/3/cmd", b'{"id":"a","action":"call_next"}'),
        ("motcua/v1/hcm-q1/counter/4/cmd", b'{"id":"c","action":"call_next"}'),
    ]


def test_counter_cannot_read_another_counters_reply(login):
    """Given counter 3 subscribed to counter 4's and its own replies, When the hub replies to
    counter 4 and then to counter 3, Then counter 3 receives only its own reply."""
    counter3 = login("counter3")
    replies = Inbox()
    counter3.subscribe(SITE.counter_reply(4), replies, wait=True)  # granted, yet filtered
    counter3.subscribe(SITE.counter_reply_filter(3), replies, wait=True)
    hub = login("hub")

    hub.publish(SITE.counter_reply(4), b'{"id":"x","ok":true}', wait=True)
    hub.publish(SITE.counter_reply(3), b'{"id":"y","ok":true}', wait=True)

    assert replies.received_until(SITE.counter_reply(3)) == [
        ("motcua/v1/hcm-q1/counter/3/reply", b'{"id":"y","ok":true}'),
    ]


def test_display_may_read_but_not_publish_the_board(login):
    """Given a display login, When it publishes the board, Then the broker refuses it."""
    display = login("display1")
    with pytest.raises(BusDenied):
        display.publish(SITE.board(), b"{}", retain=True, wait=True)
    display.publish(SITE.device_status("display", "1"), b'{"online":true}', retain=True,
                    wait=True)


def test_a_kiosk_using_the_hubs_client_id_does_not_disconnect_the_hub(login):
    """Given the hub connected with its client id `motcua-hub` and listening to kiosk
    commands, When kiosk 1 logs in with the client id `motcua-hub` too, Then the hub
    stays on its first connection (no eviction, no reconnect) and still gets the kiosk's
    command."""
    hub = login("hub", client_id="motcua-hub")
    reconnections: queue.Queue[Bus] = queue.Queue()
    hub.add_connected_hook(reconnections.put)
    commands = Inbox()
    hub.subscribe(SITE.kiosk_cmd_filter(), commands, wait=True)

    kiosk = login("kiosk1", client_id="motcua-hub")
    time.sleep(1.0)  # an eviction and the hub's reconnect (0.2 s) would both happen by now
    kiosk.publish(SITE.kiosk_cmd("1"), b'{"id":"k","action":"issue"}', wait=True)

    assert commands.received_until(SITE.kiosk_cmd("1")) == [
        ("motcua/v1/hcm-q1/kiosk/1/cmd", b'{"id":"k","action":"issue"}'),
    ]
    assert hub.connected and kiosk.connected
    assert reconnections.empty(), "the hub was disconnected and connected again"


def test_display_reads_the_board_but_no_command_reply_or_counter_state(login):
    """Given display 1 subscribed to the whole site, When kiosk 1 sends a command, the hub
    answers it with a ticket id, publishes counter 3's state, then the board, Then the
    display receives only the board."""
    display = login("display1")
    received = Inbox()
    display.subscribe(SITE.site_filter(), received, wait=True)
    hub = login("hub")
    kiosk = login("kiosk1")

    kiosk.publish(SITE.kiosk_cmd("1"), b'{"id":"k","action":"issue"}', wait=True)
    hub.publish(SITE.kiosk_reply("1"), b'{"id":"k","ok":true,"ticket":{"id":"tok"}}',
                wait=True)
    hub.publish(SITE.counter_state(3), b'{"ticket":{"id":"tok"}}', wait=True)
    hub.publish(SITE.board(), b'{"counters":[]}', wait=True)

    assert received.received_until(SITE.board()) == [
        ("motcua/v1/hcm-q1/board", b'{"counters":[]}'),
    ]


def test_a_display_started_late_gets_the_retained_board(login):
    """Given the hub published the board retained before any display connected (retain
    stays available: Mosquitto cannot forbid it per topic, see broker_config/README.md),
    When display 1 subscribes, Then it gets that board at once, flagged retained."""
    login("hub").publish(SITE.board(), b'{"counters":[1]}', retain=True, wait=True)
    display = login("display1")
    received: queue.Queue[BusMessage] = queue.Queue()

    display.subscribe(SITE.board(), received.put, wait=True)

    message = received.get(timeout=TIMEOUT_S)
    assert (message.topic, message.payload, message.retain) == (
        "motcua/v1/hcm-q1/board", b'{"counters":[1]}', True)


def test_monitor_reads_replies_but_cannot_publish(login):
    """Given the monitor login subscribed to the whole site, When the hub replies to kiosk
    1 and the monitor tries to publish a board, Then it receives the reply and the broker
    refuses its board."""
    monitor = login("monitor")
    received = Inbox()
    monitor.subscribe(SITE.site_filter(), received, wait=True)

    login("hub").publish(SITE.kiosk_reply("1"), b'{"id":"k","ok":true}', wait=True)
    with pytest.raises(BusDenied):
        monitor.publish(SITE.board(), b"{}", wait=True)

    assert received.received_until(SITE.kiosk_reply("1")) == [
        ("motcua/v1/hcm-q1/kiosk/1/reply", b'{"id":"k","ok":true}'),
    ]


def test_anonymous_clients_are_refused(site_broker):
    """Given the generated config, When a client connects without a login, Then BusAuthError."""
    broker, _ = site_broker
    with pytest.raises(BusAuthError):
        connect_bus(BusSettings(url=f"mqtt://{broker.host}:{broker.port}", client_id="anon"))
