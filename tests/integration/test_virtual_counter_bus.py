"""The console counter on a real Mosquitto with a running hub: what it sends and prints."""

from __future__ import annotations

import io
import json

from counter_panel.virtual import main
from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mqtt_probe import MqttProbe

ROOT = "motcua/v1/van-lam"


def test_the_virtual_counter_publishes_through_the_contract_table(
        tmp_path, mosquitto_broker, monkeypatch, capsys):
    """Given a hub and a console counter 1 whose clerk types `n` then `q`,
    when the counter runs, then its command goes out with QoS 1, not retained, a 30 s
    message expiry and a JSON content type; its presence is retained (offline after `q`);
    and the clerk reads the hub's Vietnamese refusal (the counter is closed)."""
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    probe = MqttProbe(mosquitto_broker.url())
    probe.subscribe(f"{ROOT}/counter/1/cmd")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\nq\n"))
    port = mosquitto_broker.port
    # The hub on the real clock: the console stamps sent_at from the machine's clock.
    with Hub(config, serve_http=False):
        assert main(["--counter", "1", "--site", "van-lam",
                     "--url", f"mqtt://counter1:x@127.0.0.1:{port}"]) == 0
        command = probe.wait_for(f"{ROOT}/counter/1/cmd")
        late = MqttProbe(mosquitto_broker.url())
        late.subscribe(f"{ROOT}/device/counter/1/status")
        presence = late.wait_for(f"{ROOT}/device/counter/1/status")
        late.close()
    probe.close()

    assert (command.qos, command.retain, command.properties.ContentType) == (
        1, False, "application/json")
    assert 28 <= command.properties.MessageExpiryInterval <= 30
    assert json.loads(command.payload)["action"] == "call_next"
    # The counter closed cleanly, so its last word is the retained "offline" presence.
    assert presence.retain and json.loads(presence.payload) == {"online": False}
    assert capsys.readouterr().out.splitlines()[-1] == "Quầy 1 ✗ Quầy số 1 đang đóng"
