"""``motcua counter --config FILE``: one process per serial bus of counter boxes.

The bridge reads its typed config, opens the bus (:class:`~counter_panel.serial_link.
BusLink`), and runs one :class:`~counter_panel.station.CounterStation` per box address,
each with the counter's own broker login (``counter{n}`` from the credentials file), so
the broker's ACL lets every counter write only its own commands and presence.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from counter_panel.config import CounterConfig
from counter_panel.protocol import Frame, Verb
from counter_panel.serial_link import BusLink
from counter_panel.station import CounterStation, NoSign, StationSettings
from motcua.broker import counter_user, load_credentials
from motcua.contract import Topics
from motcua.device import DeviceSettings

log = logging.getLogger(__name__)

#: How often stations check their refused mark and rating window.
TICK_S = 0.1


class BridgeError(RuntimeError):
    """The bridge cannot start (a counter without a broker login, ...)."""


def counter_url(config: CounterConfig, counter: int) -> str:
    """The broker URL a counter logs in with: ``mqtt_url`` as given when it carries a login
    or no credentials file is set, else with ``counter{n}``'s password from that file."""
    url = config.bridge.mqtt_url
    parts = urlsplit(url)
    credentials = config.credentials_path()
    if parts.username or credentials is None:
        return url
    user = counter_user(counter)
    password = load_credentials(credentials).get(user)
    if password is None:
        raise BridgeError(f"no broker password for {user} in {credentials}")
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return f"{parts.scheme}://{netloc}"


class CounterBridge:
    """One serial bus and its counters; see the module docstring.

    ``serial_url`` overrides the config's (the simulator hands its pty); ``clock`` is the
    monotonic clock of debounce and timeouts (a fake one in tests).
    """

    def __init__(self, config: CounterConfig, *, serial_url: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not config.counters and config.keypad is None:
            raise BridgeError("no [[counters]] and no [keypad] in the configuration")
        self.config = config
        bus = config.bus
        self._clock = clock
        self.link = BusLink(serial_url or bus.serial, config.address_map(),
                            on_frame=self._on_frame, on_presence=self._on_presence,
                            baudrate=bus.baudrate, heartbeat_s=bus.heartbeat_s)
        self.stations: dict[int, CounterStation] = {}
        for entry in config.counters:
            self.stations[entry.address] = self._station(entry.counter, entry.address,
                                                         self.link)
        self.keypad_station: CounterStation | None = None
        self._keypad = None
        if config.keypad is not None:
            self.keypad_station = self._station(config.keypad.counter, 0, NoSign())
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="counter-bridge-tick",
                                        daemon=True)

    def _station(self, counter: int, address: int, sign) -> CounterStation:
        config, bus = self.config, self.config.bus
        device = DeviceSettings(
            url=counter_url(config, counter), site=config.bridge.site, kind="counter",
            device_id=str(counter),
            state_filters=(Topics(config.bridge.site).counter_state(counter),),
            command_expiry_s=config.bridge.command_expiry_s,
            first_retry_s=min(2.0, config.bridge.command_expiry_s / 3))
        settings = StationSettings(
            counter=counter, address=address, bridge_id=config.bridge.id,
            debounce_s=bus.debounce_ms / 1000, rating_timeout_s=bus.rating_timeout_s,
            refused_mark_s=bus.refused_mark_s)
        return CounterStation(settings, device, sign, clerks=config.clerks, clock=self._clock)

    def _all_stations(self) -> list[CounterStation]:
        return [*self.stations.values(), *([self.keypad_station] if self.keypad_station else [])]

    def station(self, counter: int) -> CounterStation:
        """The station of counter number ``counter``."""
        for station in self._all_stations():
            if station.settings.counter == counter:
                return station
        raise KeyError(counter)

    def start(self) -> CounterBridge:
        for station in self._all_stations():
            station.start()
        if self.stations:
            self.link.start()
        if self.keypad_station is not None:
            self._start_keypad()
        self._ticker.start()
        log.info("counter bridge %s: bus %s, counters %s", self.config.bridge.id, self.link.url,
                 ", ".join(f"{a:02d}→{s.settings.counter}" for a, s in self.stations.items()))
        return self

    def close(self) -> None:
        self._stop.set()
        if self._keypad is not None:
            self._keypad.close()
        self.link.close()
        for station in self._all_stations():
            station.close()

    def _start_keypad(self) -> None:
        from counter_panel.keypad import KeypadReader, KeypadTranslator, keymap_with

        section, station = self.config.keypad, self.keypad_station
        self._keypad = KeypadReader(
            section.device, KeypadTranslator(keymap_with(section.keys)),
            lambda press: station.press(press.key, press.argument))
        self._keypad.start()  # raises KeypadUnavailable with the install hint

    def __enter__(self) -> CounterBridge:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _on_frame(self, frame: Frame) -> None:
        station = self.stations[frame.address]
        if frame.verb is Verb.KEY:
            station.press(frame.args[0], frame.args[1] if len(frame.args) > 1 else None)
        elif frame.verb is Verb.LOGIN:
            station.press("LOGIN", frame.args[0])
        elif frame.verb is Verb.RATE:
            station.press("RATE", frame.args[0])

    def _on_presence(self, address: int, online: bool) -> None:
        self.stations[address].box_changed(online)

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            for station in self._all_stations():
                try:
                    station.tick()
                except Exception:
                    log.exception("counter %d: tick failed", station.settings.counter)

