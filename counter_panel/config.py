"""The counter bridge's configuration: one TOML file plus environment overrides.

``counter_panel/counter.example.toml`` documents every key. Environment variables win over
the file, so one file can be pointed at any broker or port:

==========================  ==============================================
``MOTCUA_MQTT_URL``         ``mqtt://[user:pass@]host:port``
``MOTCUA_SITE``             site id
``MOTCUA_COUNTER_SERIAL``   serial URL of the bus (``/dev/ttyUSB0``, ``loop://``)
``MOTCUA_COUNTER_BRIDGE``   bridge id (logs and presence)
``MOTCUA_BROKER_CREDENTIALS``  credentials file giving each counter's broker login
==========================  ==============================================

Errors name the key (``bus.debounce_ms: ...``, ``counters.0.address: ...``) and are all
reported at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from counter_panel.protocol import LOGIN_CODE, MAX_ADDRESS
from motcua.config_file import apply_environment, problems, read_document
from motcua.contract import COMMAND_EXPIRY_S
from motcua.contract.fields import is_slug

ENVIRONMENT = {
    "MOTCUA_MQTT_URL": ("bridge", "mqtt_url"),
    "MOTCUA_SITE": ("bridge", "site"),
    "MOTCUA_COUNTER_BRIDGE": ("bridge", "id"),
    "MOTCUA_BROKER_CREDENTIALS": ("bridge", "credentials"),
    "MOTCUA_COUNTER_SERIAL": ("bus", "serial"),
}


class CounterConfigError(ValueError):
    """The bridge configuration is invalid; the message names every bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BridgeSection(_Section):
    """``[bridge]``: who the bridge is and where the broker is."""

    id: str = Field("bus1", description="bridge id, for logs and each counter's presence")
    site: str = "van-lam"
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    credentials: Path | None = Field(
        None, description="credentials TOML of `motcua broker init`; each counter logs in as "
        "counter{n} from it unless mqtt_url carries a login")
    command_expiry_s: float = Field(COMMAND_EXPIRY_S, gt=0, le=COMMAND_EXPIRY_S)

    @field_validator("id", "site")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not is_slug(value):
            raise ValueError("must be a topic-safe slug (a-z, 0-9, -)")
        return value


class BusSection(_Section):
    """``[bus]``: the serial port and the timing of the protocol."""

    serial: str = Field("loop://", description="pyserial URL or device path")
    baudrate: int = Field(9600, gt=0)
    debounce_ms: int = Field(300, ge=0, le=5000)
    heartbeat_s: float = Field(2.0, gt=0, le=60)
    rating_timeout_s: float = Field(30.0, gt=0, le=600)
    refused_mark_s: float = Field(2.0, gt=0, le=30)


class CounterEntry(_Section):
    """``[[counters]]``: one box on the bus."""

    address: int = Field(ge=1, le=MAX_ADDRESS)
    counter: int = Field(ge=1)


class KeypadSection(_Section):
    """``[keypad]``: a USB HID keypad (evdev) standing in for a serial box."""

    device: str = Field(description="evdev device path, e.g. /dev/input/by-id/...-event-kbd")
    counter: int = Field(ge=1)
    keys: dict[str, str] = Field(default_factory=dict,
                                 description="evdev key name -> box key (empty: the default map)")

    @field_validator("keys")
    @classmethod
    def _targets(cls, keys: dict[str, str]) -> dict[str, str]:
        from counter_panel.keypad import keymap_with

        keymap_with(keys)  # raises naming the bad keys
        return keys


class CounterConfig(_Section):
    """The whole file."""

    bridge: BridgeSection = Field(default_factory=BridgeSection)
    bus: BusSection = Field(default_factory=BusSection)
    counters: list[CounterEntry] = Field(default_factory=list)
    clerks: dict[str, str] = Field(default_factory=dict,
                                   description="login code -> clerk name shown on the board")
    keypad: KeypadSection | None = None
    base_dir: Path = Field(Path("."), exclude=True)

    @field_validator("clerks")
    @classmethod
    def _codes(cls, clerks: dict[str, str]) -> dict[str, str]:
        bad = [code for code in clerks if not LOGIN_CODE.fullmatch(code)]
        if bad:
            raise ValueError(f"login codes must be 4-8 digits: {', '.join(bad)}")
        empty = [code for code, name in clerks.items() if not name.strip()]
        if empty:
            raise ValueError(f"empty clerk name for code(s) {', '.join(empty)}")
        return clerks

    @model_validator(mode="after")
    def _unique(self) -> CounterConfig:
        addresses = [c.address for c in self.counters]
        numbers = [c.counter for c in self.counters]
        if self.keypad is not None:
            numbers.append(self.keypad.counter)
        if len(set(addresses)) != len(addresses):
            raise ValueError("counters: an address is used twice")
        if len(set(numbers)) != len(numbers):
            raise ValueError("counters: a counter number is on two addresses")
        return self

    def address_map(self) -> dict[int, int]:
        """Box address -> counter number."""
        return {entry.address: entry.counter for entry in self.counters}

    def credentials_path(self) -> Path | None:
        path = self.bridge.credentials
        if path is None or path.is_absolute():
            return path
        return (self.base_dir / path).resolve()


def load_counter_config(path: str | os.PathLike | None = None,
                        environ: Mapping[str, str] = os.environ) -> CounterConfig:
    """Read ``path`` (optional), apply environment overrides, validate everything at once."""
    document, base_dir = read_document(path, CounterConfig.model_fields.keys() - {"base_dir"},
                                       CounterConfigError)
    document = apply_environment(document, ENVIRONMENT, environ)
    try:
        config = CounterConfig(**document)
    except ValidationError as exc:
        raise CounterConfigError(problems(exc)) from None
    return config.model_copy(update={"base_dir": base_dir})
