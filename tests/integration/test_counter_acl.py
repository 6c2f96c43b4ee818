"""The bridge under the broker ACL of `motcua broker init`: each counter logs in as its own
``counter{n}`` from the credentials file, and that login is all it needs."""

from __future__ import annotations

import json

import pytest

from counter_panel.bridge import BridgeError, CounterBridge, counter_url
from counter_panel.config import load_counter_config
from counter_panel.simulator import SimulatedBus
from motcua.broker import Devices, render_acl
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

ROOT = "motcua/v1/van-lam"
USERS = {"hub": "hub-pw", "counter2": "c2-pw", "counter3": "c3-pw"}


def bridge_config(tmp_path, broker, link):
    (tmp_path / "credentials.toml").write_text(
        '[users]\n"counter2" = "c2-pw"\n"counter3" = "c3-pw"\n', encoding="utf-8")
    path = tmp_path / "counter.toml"
    path.write_text(f"""
[bridge]
id = "acl-bus"
mqtt_url = "mqtt://{broker.host}:{broker.port}"
credentials = "credentials.toml"

[bus]
serial = "{link}"

[[counters]]
address = 2
counter = 2

[clerks]
"5678" = "Trần Văn Minh"
""", encoding="utf-8")
    return load_counter_config(path, environ={})


def test_each_counter_logs_in_as_itself_and_works_under_the_acl(tmp_path, mosquitto_factory):
    """Given a broker with the site's generated ACL and logins, when the bridge of box 02
    starts with the credentials file, then counter 2 publishes its retained presence (with
    the bridge id and its box ok) as counter2; LOGIN opens the counter for the clerk named
    in the presence too, and NEXT calls B001 at counter 2 and blinks it on the sign."""
    broker = mosquitto_factory(users=USERS, acl=render_acl("van-lam", Devices(counters=(2, 3))))
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=broker.url("hub"),
                       http_port=0)
    probe = None
    with Hub(config, clock=ManualClock(), serve_http=False), \
            SimulatedBus([2], link=tmp_path / "sim") as box, \
            CounterBridge(bridge_config(tmp_path, broker, box.link)) as bridge:
        assert counter_url(bridge.config, 2) == f"mqtt://counter2:c2-pw@127.0.0.1:{broker.port}"
        probe = MqttProbe(broker.url("hub"))
        probe.subscribe(f"{ROOT}/#")
        presence = probe.wait_for(f"{ROOT}/device/counter/2/status", timeout=10,
                                  predicate=lambda body: body and body.get("box") == "ok")
        body = json.loads(presence.payload)
        assert (body["online"], body["bridge"], body["address"]) == (True, "acl-bus", 2)
        reply = probe.request(f"{ROOT}/kiosk/1/cmd",
                              {"action": "issue", "service": "dang-ky-kinh-doanh"})
        assert reply["ticket"]["number"] == "B001"
        box.wait_for(lambda view: view.mode == "clear", timeout=10)
        box.press("LOGIN", "5678")
        clerk_presence = probe.wait_for(
            f"{ROOT}/device/counter/2/status", timeout=5,
            predicate=lambda body: body and body.get("clerk") == "Trần Văn Minh")
        assert json.loads(clerk_presence.payload)["online"] is True
        box.press("NEXT")
        box.wait_for(lambda view: (view.mode, view.text) == ("blink", "B001"), timeout=5)
        probe.close()
        probe = None


def test_a_counter_without_a_password_in_the_credentials_is_refused_at_start(tmp_path):
    """Given a bridge file whose credentials lack counter 2's login, when the bridge is
    built, then it refuses to start naming the login and the file."""
    config = bridge_config(tmp_path, type("B", (), {"host": "127.0.0.1", "port": 1})(),
                           tmp_path / "none")
    (tmp_path / "credentials.toml").write_text('[users]\n"counter3" = "x"\n', encoding="utf-8")
    with pytest.raises(BridgeError, match="no broker password for counter2 in .*credentials"):
        CounterBridge(config)
