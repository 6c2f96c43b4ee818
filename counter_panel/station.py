"""One counter of the bridge: its keys, its sign and its rating pad, on the device runtime.

A :class:`CounterStation` turns key presses into ``counter/{n}/cmd`` commands through its
own :class:`~motcua.device.DeviceRuntime` (the counter's broker login, its presence with
a last will, its retained ``counter/{n}/state`` in the epoch/seq cache, commands retried
under the same request id until they expire), and drives the sign from that state.

Its promises:

* a second press of the same key within the debounce window is the same press;
* a press acts at most once (one request id, retried by the runtime) and never later
  than the command's expiry: past it the sign shows the refused mark instead;
* the sign shows the offline mark whenever the broker or the hub is unreachable, and the
  current number again as soon as both are back;
* the rating pad lights after a FINISH the hub accepted, goes dark after one rating, the
  timeout, or any other key, so a rating always lands on the ticket just finished.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from counter_panel.protocol import SIGN_CLEAR, SIGN_OFFLINE, SIGN_REFUSED, SignCommand, Verb
from motcua.contract import Topics
from motcua.device import DeviceRuntime, DeviceSettings

log = logging.getLogger(__name__)

#: Box keys that map one to one onto a counter action of the contract.
KEY_ACTIONS = {
    "NEXT": "call_next",
    "RECALL": "recall",
    "START": "start",
    "FINISH": "finish",
    "NOSHOW": "no_show",
    "HOLD": "hold",
    "CLOSE": "close",
}
#: How many of the latest actions a station keeps in :attr:`CounterStation.sent`.
SENT_KEPT = 100


class SignPort(Protocol):
    """Where a station's sign and pad live: a :class:`~counter_panel.serial_link.BusLink`,
    or a no-op for a keypad counter without a sign."""

    def set_sign(self, address: int, command: SignCommand) -> None: ...

    def flash_sign(self, address: int, command: SignCommand) -> None: ...

    def set_pad(self, address: int, lit: bool) -> None: ...

    def box_online(self, address: int) -> bool: ...


class NoSign:
    """The sign port of a keypad counter that has no sign: refusals are only logged."""

    def set_sign(self, address: int, command: SignCommand) -> None:
        log.debug("keypad counter: sign would show %s", command)

    def flash_sign(self, address: int, command: SignCommand) -> None:
        log.info("keypad counter: %s", command.verb.value)

    def set_pad(self, address: int, lit: bool) -> None:
        pass

    def box_online(self, address: int) -> bool:
        return True


class Debouncer:
    """A press of the same key within ``window_s`` of the last accepted one is dropped."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._window_s:
                return False
            self._last[key] = now
            return True


@dataclass(frozen=True)
class StationSettings:
    """How one station behaves; the bridge fills it from its config."""

    counter: int
    address: int
    bridge_id: str = "bus1"
    debounce_s: float = 0.3
    rating_timeout_s: float = 30.0
    refused_mark_s: float = 2.0


def sign_for(state: Mapping[str, Any] | None, reachable: bool) -> SignCommand:
    """What the sign shows for the counter's retained state and the hub's reachability."""
    if not reachable:
        return SIGN_OFFLINE
    ticket = (state or {}).get("ticket") or {}
    number = ticket.get("number")
    if not isinstance(number, str):
        return SIGN_CLEAR
    try:
        if ticket.get("status") == "called":
            return SignCommand(Verb.BLINK, number)
        if ticket.get("status") == "serving":
            return SignCommand(Verb.SHOW, number)
    except ValueError:  # a number the sign cannot show
        log.warning("ticket number %r cannot be shown on a sign", number[:20])
    return SIGN_CLEAR


class CounterStation:
    """One counter on the bus; see the module docstring."""

    def __init__(self, settings: StationSettings, device: DeviceSettings, sign: SignPort, *,
                 clerks: Mapping[str, str], clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.settings = settings
        self._sign = sign
        self._clerks = dict(clerks)
        self._clock = clock
        self._debouncer = Debouncer(settings.debounce_s, clock)
        self._lock = threading.RLock()
        self._shown: SignCommand | None = None
        self._refused_until = 0.0
        self._pad_until: float | None = None
        #: The ticket the pad is lit for (from the FINISH reply).
        self._pad_ticket: str | None = None
        self.clerk: str | None = None
        #: The latest actions sent, oldest first (for inspection and tests).
        self.sent: deque[str] = deque(maxlen=SENT_KEPT)
        self.commands_sent = 0
        self.runtime = DeviceRuntime(
            device, reply_topic=Topics(device.site).counter_reply(settings.counter),
            presence=self._presence, listener=self.render)
        self._state_topic = self.runtime.topics.counter_state(settings.counter)
        self._cmd_topic = self.runtime.topics.counter_cmd(settings.counter)

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.runtime.start()
        self.render()

    def close(self) -> None:
        self.runtime.close()

    # ------------------------------------------------------------ presses

    def press(self, key: str, argument: str | None = None) -> Future | None:
        """Handle one key of the box (``NEXT``, ``TRANSFER`` + ``"3"``, ``LOGIN`` + code,
        ``RATE`` + score); return the command's future, or None when nothing was sent."""
        debounce_key = key if argument is None or key == "LOGIN" else f"{key} {argument}"
        if not self._debouncer.accept(debounce_key):
            log.info("counter %d: %s again within %.0f ms: one press", self.settings.counter,
                     key, self.settings.debounce_s * 1000)
            return None
        if key == "RATE":
            return self._rate(argument)
        self._pad_off()  # the clerk moved on: a later rating would land on another ticket
        if key == "LOGIN":
            return self._login(argument or "")
        if key == "TRANSFER":
            return self._send("transfer", to_counter=int(argument or "0"))
        if key == "PAUSE":
            state = self.runtime.cache.get(self._state_topic) or {}
            return self._send("resume" if state.get("status") == "paused" else "pause")
        action = KEY_ACTIONS.get(key)
        if action is None:
            log.warning("counter %d: key %r has no action", self.settings.counter, key)
            self._refuse()
            return None
        return self._send(action)

    def _login(self, code: str) -> Future | None:
        clerk = self._clerks.get(code)
        if clerk is None:
            # The code is a secret: log its length, never the digits.
            log.warning("counter %d: unknown login code (%d digits) refused",
                        self.settings.counter, len(code))
            self._refuse()
            return None
        return self._send("open", clerk=clerk)

    def _rate(self, argument: str | None) -> Future | None:
        with self._lock:  # check and darken at once: one rating per finished ticket
            lit, self._pad_until = self._pad_until is not None, None
            rated, self._pad_ticket = self._pad_ticket, None
        if not lit:
            log.info("counter %d: rating pad pressed while dark: ignored", self.settings.counter)
            return None
        self._sign.set_pad(self.settings.address, False)
        # Naming the visit the pad lit for: the hub then never rates the next citizen.
        named = {"ticket": rated} if rated else {}
        return self._send("rate", score=int(argument or "0"), **named)

    def _send(self, action: str, **args: Any) -> Future:
        self.sent.append(action)
        self.commands_sent += 1
        future = self.runtime.send(self._cmd_topic, action, **args)
        future.add_done_callback(lambda done: self._replied(action, args, done.result()))
        return future

    def _replied(self, action: str, args: Mapping[str, Any], reply: Mapping[str, Any]) -> None:
        if reply.get("ok"):
            counter_state = reply.get("counter")
            if isinstance(counter_state, dict):
                # A reply may carry the counter as committed (the contract's optional
                # ``counter``, with epoch/seq): show it now rather than wait for the
                # retained copy; the cache keeps the order right.
                self.runtime.cache.apply(self._state_topic,
                                         json.dumps(counter_state).encode("utf-8"))
            if action == "finish":
                ticket = reply.get("ticket") or {}
                number = ticket.get("number") if isinstance(ticket, dict) else None
                log.info("counter %d: %s finished: rating pad lit", self.settings.counter,
                         number)
                self._pad_on(number if isinstance(number, str) else None)
            if action in ("open", "close"):
                # Who is at the counter goes into its presence.
                self.clerk = args.get("clerk") if action == "open" else None
                self.runtime.publish_presence()
            self.render()
            return
        error = reply.get("error") or {}
        log.warning("counter %d: %s refused: %s (%s)", self.settings.counter, action,
                    error.get("code"), error.get("message"))
        self._refuse()

    # ------------------------------------------------------------ sign and pad

    def _refuse(self) -> None:
        with self._lock:
            self._refused_until = self._clock() + self.settings.refused_mark_s
            self._shown = SIGN_REFUSED
        self._sign.flash_sign(self.settings.address, SIGN_REFUSED)

    def render(self) -> None:
        """Show on the sign what the counter's state says (unless a refused mark is up)."""
        with self._lock:
            if self._clock() < self._refused_until:
                return
            wanted = sign_for(self.runtime.cache.get(self._state_topic),
                              self.runtime.hub_reachable)
            if wanted == self._shown:
                return
            self._shown = wanted
            self._sign.set_sign(self.settings.address, wanted)

    def _pad_on(self, ticket: str | None = None) -> None:
        with self._lock:
            self._pad_until = self._clock() + self.settings.rating_timeout_s
            self._pad_ticket = ticket
        self._sign.set_pad(self.settings.address, True)

    def _pad_off(self) -> None:
        with self._lock:
            if self._pad_until is None:
                return
            self._pad_until = None
        self._sign.set_pad(self.settings.address, False)

    def tick(self) -> None:
        """Called a few times a second: ends the refused mark and the rating window."""
        now = self._clock()
        with self._lock:
            refused_over = self._refused_until and now >= self._refused_until
            if refused_over:
                self._refused_until = 0.0
                self._shown = None
            pad_over = self._pad_until is not None and now >= self._pad_until
        if pad_over:
            log.info("counter %d: no rating within %.0f s: pad off", self.settings.counter,
                     self.settings.rating_timeout_s)
            self._pad_off()
        if refused_over:
            self.render()

    def box_changed(self, online: bool) -> None:
        """The box started or stopped answering: tell everyone through presence."""
        self.runtime.publish_presence()

    def _presence(self) -> dict[str, Any]:
        return {"bridge": self.settings.bridge_id, "address": self.settings.address,
                "box": "ok" if self._sign.box_online(self.settings.address) else "offline",
                **({"clerk": self.clerk} if self.clerk else {})}

