"""The bridge's TOML config: the example file, environment overrides, errors naming keys;
and the simulator's script language."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_panel.config import CounterConfigError, load_counter_config
from counter_panel.simulator import Step, parse_script

EXAMPLE = Path(__file__).resolve().parents[2] / "counter_panel" / "counter.example.toml"


def test_the_example_file_is_valid_and_maps_addresses_to_counters():
    """Given the example file, when loaded without environment, then it maps box 02 to
    counter 2 and 03 to counter 3, knows two clerks by code, and debounces 300 ms."""
    config = load_counter_config(EXAMPLE, environ={})
    assert config.address_map() == {2: 2, 3: 3}
    assert config.clerks == {"1234": "Nguyễn Thị Lan", "5678": "Trần Văn Minh"}
    assert (config.bus.debounce_ms, config.bus.serial, config.bridge.site) == (
        300, "var/counter/sim-bus", "van-lam")
    assert config.credentials_path() == EXAMPLE.parent.parent / "var/broker/credentials.toml"


def test_environment_overrides_win_over_the_file():
    """Given the example file, when MOTCUA_COUNTER_SERIAL and MOTCUA_MQTT_URL are set, then
    the bridge uses them."""
    config = load_counter_config(EXAMPLE, environ={
        "MOTCUA_COUNTER_SERIAL": "/dev/ttyUSB1", "MOTCUA_MQTT_URL": "mqtt://hub.lan:1884"})
    assert (config.bus.serial, config.bridge.mqtt_url) == ("/dev/ttyUSB1", "mqtt://hub.lan:1884")


def test_every_bad_key_is_named_at_once(tmp_path):
    """Given a file with an unknown key, a debounce out of range, an address of 120, a
    duplicate address and a 3-digit login code, when loaded, then one error names them."""
    path = tmp_path / "bad.toml"
    path.write_text("""
[bus]
debounce_ms = -5
colour = "red"

[[counters]]
address = 120
counter = 1

[clerks]
"123" = "Lan"
""", encoding="utf-8")
    with pytest.raises(CounterConfigError) as error:
        load_counter_config(path, environ={})
    message = str(error.value)
    for key in ("bus.debounce_ms", "bus.colour", "counters.0.address", "clerks"):
        assert key in message
    assert "4-8 digits: 123" in message


def test_two_boxes_may_not_share_an_address(tmp_path):
    """Given two [[counters]] on address 2, when loaded, then it is refused."""
    path = tmp_path / "dup.toml"
    path.write_text("[[counters]]\naddress = 2\ncounter = 1\n\n[[counters]]\naddress = 2\n"
                    "counter = 2\n", encoding="utf-8")
    with pytest.raises(CounterConfigError, match="an address is used twice"):
        load_counter_config(path, environ={})


def test_a_script_parses_keys_logins_ratings_waits_and_addresses():
    """Given a script with ';' and newlines, comments and an @address, when parsed, then
    each step is the key with its argument, or a wait."""
    steps = parse_script("LOGIN 1234; next; wait 0.5 # settle\n@3 TRANSFER 2\nRATE 3;;")
    assert steps == [Step("LOGIN", "1234"), Step("NEXT"), Step("WAIT", wait_s=0.5),
                     Step("TRANSFER", "2", address=3), Step("RATE", "3")]


@pytest.mark.parametrize("script", ["JUMP", "NEXT 3", "TRANSFER", "wait soon", "@x NEXT", "@2"])
def test_a_bad_script_step_is_refused_naming_it(script):
    """Given a step that is not a key, login, rating or wait, when parsed, it is refused."""
    with pytest.raises(ValueError):
        parse_script(f"NEXT; {script}")


def test_the_demo_file_of_make_run_bridges_box_02_to_counter_2():
    """Given the demo file `make run` uses, when loaded with the runner's environment, then
    it bridges box 02 to counter 2 on the simulator's link, with the runner's broker and
    credentials."""
    demo = EXAMPLE.with_name("counter.demo.toml")
    config = load_counter_config(demo, environ={
        "MOTCUA_MQTT_URL": "mqtt://127.0.0.1:41883", "MOTCUA_SITE": "demo-site",
        "MOTCUA_BROKER_CREDENTIALS": "/srv/motcua/var/broker/credentials.toml"})
    assert config.address_map() == {2: 2}
    assert (config.bus.serial, config.bridge.mqtt_url, config.bridge.site) == (
        "var/counter/sim-bus", "mqtt://127.0.0.1:41883", "demo-site")
    assert config.credentials_path() == Path("/srv/motcua/var/broker/credentials.toml")
