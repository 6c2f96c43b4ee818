"""The device runtime shared by the kiosk, the counter bridge and the display.

Every device needs the same few things from the broker, and gets them here once:

* **presence**: a retained ``device/{kind}/{id}/status`` with a last will
  ``{"online": false}``, republished on every reconnect with the device's own fields
  (the kiosk's printer state, ...);
* **the hub's retained state**, kept in a :class:`StampedCache` that applies the contract's
  ``epoch``/``seq`` rule: an older ``seq`` of the same epoch is dropped, a new epoch is
  accepted and drops what the old one said;
* **reachability**: :attr:`DeviceRuntime.hub_reachable` is true only while the broker is
  connected *and* the hub's retained ``hub/status`` says online, so a device can show its
  offline screen when either goes away and come back by itself;
* **commands that are never lost and never late**: :meth:`DeviceRuntime.send` publishes a
  command with the contract's message expiry, republishes the *same* envelope (same
  request id, so the hub acts once) while no reply came and the command has not expired,
  and then reports it failed with ``hub_unreachable``.

A device adds only what is its own (printer, serial bus, renderer) on top.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from motcua import __version__, contract
from motcua.bus import Bus, BusMessage, BusSettings, connect_bus
from motcua.contract import COMMAND_EXPIRY_S, CommandEnvelope, Topics
from motcua.errors import error_object

log = logging.getLogger(__name__)

#: How long a command waits for its reply before it is published again (same id), and
#: the longest wait between two publishes once it backs off.
FIRST_RETRY_S = 2.0
MAX_RETRY_S = 8.0
#: Payloads larger than this on a subscribed topic are dropped unread (the hub's own limit).
MAX_PAYLOAD_BYTES = 64 * 1024

Listener = Callable[[], None]


def _monotonic() -> float:
    return time.monotonic()


# --------------------------------------------------------------------------- retained state


@dataclass(frozen=True)
class Stamped:
    """One accepted hub publication: its topic, epoch, seq and decoded body."""

    topic: str
    epoch: str
    seq: int
    body: Mapping[str, Any]


class StampedCache:
    """The latest hub publication per topic, ordered by the contract's ``epoch``/``seq``.

    Thread-safe. The promise: :meth:`get` never returns a body older (same epoch, smaller
    ``seq``) than one already returned for that topic; after a new epoch, nothing of the
    old epoch is returned again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Stamped] = {}
        self._epoch: str | None = None

    @property
    def epoch(self) -> str | None:
        return self._epoch

    def apply(self, topic: str, payload: bytes) -> bool:
        """Take one retained message; return whether the cache changed.

        An empty payload clears the topic (a removed counter or service). A payload that
        is not a JSON object with a string ``epoch`` and an integer ``seq`` is ignored
        with a log line: bad input never raises.
        """
        if not payload:
            with self._lock:
                return self._entries.pop(topic, None) is not None
        body = _stamped_body(topic, payload)
        if body is None:
            return False
        epoch, seq = body["epoch"], body["seq"]
        with self._lock:
            if epoch != self._epoch:
                self.adopt_epoch_locked(epoch)
            current = self._entries.get(topic)
            if current is not None and seq <= current.seq:
                return False
            self._entries[topic] = Stamped(topic, epoch, seq, body)
            return True

    def adopt_epoch(self, epoch: str) -> bool:
        """Make ``epoch`` current (the hub said so); drop entries of any other epoch."""
        with self._lock:
            if epoch == self._epoch:
                return False
            self.adopt_epoch_locked(epoch)
            return True

    def adopt_epoch_locked(self, epoch: str) -> None:
        if self._epoch is not None:
            log.info("hub epoch changed from %s to %s: dropping the old state",
                     self._epoch, epoch)
        self._epoch = epoch
        self._entries = {t: e for t, e in self._entries.items() if e.epoch == epoch}

    def get(self, topic: str) -> Mapping[str, Any] | None:
        with self._lock:
            entry = self._entries.get(topic)
        return entry.body if entry else None

    def matching(self, accept: Callable[[str], bool]) -> dict[str, Mapping[str, Any]]:
        """Bodies of every cached topic for which ``accept(topic)`` is true."""
        with self._lock:
            return {t: e.body for t, e in self._entries.items() if accept(t)}


def _stamped_body(topic: str, payload: bytes) -> dict[str, Any] | None:
    if len(payload) > MAX_PAYLOAD_BYTES:
        log.warning("ignored %d bytes on %s: too large", len(payload), topic)
        return None
    try:
        body = json.loads(payload)
    except ValueError:
        log.warning("ignored a payload on %s that is not JSON", topic)
        return None
    if (not isinstance(body, dict) or not isinstance(body.get("epoch"), str)
            or type(body.get("seq")) is not int):
        log.warning("ignored a payload on %s without epoch/seq", topic)
        return None
    return body


# --------------------------------------------------------------------------- commands


def unreachable_reply(request_id: str) -> dict[str, Any]:
    """The reply a device gives itself when the hub never answered within the expiry."""
    return {"id": request_id, "ok": False, "ticket": None,
            "error": error_object("hub_unreachable")}


@dataclass
class _Pending:
    topic: str
    envelope: CommandEnvelope
    expires_at: float
    next_publish_at: float
    interval_s: float
    future: Future = field(default_factory=Future)


class CommandSender:
    """Publishes commands, matches replies by id, retries the same envelope until expiry.

    Thread-safe; a background thread does the retries and the expiries. The future of a
    command resolves exactly once: with the hub's reply (a dict), or with
    :func:`unreachable_reply` once ``expiry_s`` has passed without one.
    """

    def __init__(self, bus: Bus, *, expiry_s: float = COMMAND_EXPIRY_S,
                 first_retry_s: float = FIRST_RETRY_S, max_retry_s: float = MAX_RETRY_S,
                 clock: Callable[[], float] = _monotonic,
                 is_connected: Callable[[], bool] = lambda: True) -> None:
        self._bus = bus
        self._is_connected = is_connected
        self._expiry_s = expiry_s
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._clock = clock
        self._lock = threading.Condition()
        self._pending: dict[str, _Pending] = {}
        self._stopped = False
        #: When the waiting retry thread wakes by itself (None while it is not waiting:
        #: it then counts every pending command before it waits again).
        self._wake_at: float | None = None
        self._thread = threading.Thread(target=self._run, name="device-commands", daemon=True)
        self._thread.start()

    def send(self, topic: str, envelope: CommandEnvelope) -> Future:
        """Publish ``envelope`` on ``topic`` now; the future gets the reply dict."""
        now = self._clock()
        pending = _Pending(topic, envelope, now + self._expiry_s, now + self._first_retry_s,
                           self._first_retry_s)
        with self._lock:
            existing = self._pending.get(envelope.id)
            if existing is not None:
                return existing.future
            self._pending[envelope.id] = pending
            # The retry thread wakes by itself before this command is due, unless it
            # sleeps past that (then it must be told): waking it for every command put
            # a third thread between a key press and its publish.
            if self._wake_at is None or pending.next_publish_at < self._wake_at:
                self._lock.notify_all()
        self._publish(pending, now)
        return pending.future

    def on_reply(self, message: BusMessage) -> None:
        """Bus handler for the device's reply topic: resolve the matching command."""
        try:
            reply = json.loads(message.payload)
        except ValueError:
            log.warning("ignored a reply that is not JSON on %s", message.topic)
            return
        if not isinstance(reply, dict) or not isinstance(reply.get("id"), str):
            log.warning("ignored a reply without an id on %s", message.topic)
            return
        with self._lock:
            pending = self._pending.pop(reply["id"], None)
        if pending is not None and not pending.future.done():
            pending.future.set_result(reply)

    def republish_all(self) -> None:
        """Publish every unanswered command again now (the broker just came back: called
        from the bus's connected hook, before the bus reports itself connected)."""
        now = self._clock()
        with self._lock:
            pendings = list(self._pending.values())
        for pending in pendings:
            self._publish(pending, now, connected=True)

    def close(self) -> None:
        """Stop retrying; unanswered commands resolve as unreachable."""
        with self._lock:
            self._stopped = True
            pendings = list(self._pending.values())
            self._pending.clear()
            self._lock.notify_all()
        for pending in pendings:
            if not pending.future.done():
                pending.future.set_result(unreachable_reply(pending.envelope.id))
        self._thread.join(timeout=2)

    def _publish(self, pending: _Pending, now: float, *, connected: bool = False) -> None:
        remaining = math.floor(pending.expires_at - now)
        if remaining < 1:
            return
        if not (connected or self._is_connected()):
            # paho would queue it and send it on reconnect with the expiry it has now,
            # which the broker counts from then: a press could act after its life. The
            # reconnect calls republish_all, with what is left of the life by then.
            return
        try:
            self._bus.publish_contract(pending.topic, pending.envelope,
                                       expiry_s=min(remaining, COMMAND_EXPIRY_S))
        except Exception:  # a closed bus must not kill the retry thread
            log.exception("could not publish command %s", pending.envelope.id)

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._stopped:
                    return
                now = self._clock()
                due = [p for p in self._pending.values() if p.next_publish_at <= now]
                expired = [p for p in self._pending.values() if p.expires_at <= now]
                for pending in expired:
                    self._pending.pop(pending.envelope.id, None)
            for pending in expired:
                log.warning("command %s (%s) got no reply within its expiry",
                            pending.envelope.id, pending.envelope.action)
                if not pending.future.done():
                    pending.future.set_result(unreachable_reply(pending.envelope.id))
            for pending in due:
                if pending in expired:
                    continue
                pending.interval_s = min(pending.interval_s * 2, self._max_retry_s)
                pending.next_publish_at = now + pending.interval_s
                log.info("no reply to %s yet: publishing it again", pending.envelope.id)
                self._publish(pending, now)
            with self._lock:
                if not self._stopped and not due and not expired:
                    # Computed under the lock the senders notify with: a command sent
                    # while this thread was busy is counted, never slept through.
                    wait_s = self._next_wait_s()
                    self._wake_at = self._clock() + wait_s
                    self._lock.wait(wait_s)
                    self._wake_at = None

    def _next_wait_s(self) -> float:
        """Until the first retry or expiry due, or a first retry's delay when nothing is
        pending (so a command sent meanwhile is due no earlier than this wake-up)."""
        deadlines = [min(p.next_publish_at, p.expires_at) for p in self._pending.values()]
        if not deadlines:
            return self._first_retry_s
        return max(0.05, min(deadlines) - self._clock())


# --------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class DeviceSettings:
    """Who the device is and where the broker is. ``url`` carries the device's login."""

    url: str = field(repr=False)
    site: str
    kind: str
    device_id: str
    #: Retained hub topics to keep in the cache (filters under the site root).
    state_filters: tuple[str, ...] = ()
    connect_timeout_s: float = 10.0
    keepalive_s: int = 15
    #: How long a command is retried before it is reported ``hub_unreachable``; the
    #: contract's 30 s (a shorter life only in tests and benches).
    command_expiry_s: float = COMMAND_EXPIRY_S
    first_retry_s: float = FIRST_RETRY_S


class DeviceRuntime:
    """One device's connection: presence, the hub's cached state, and its commands.

    ``listener`` (if given) is called, on the network thread and without arguments, after
    every change a screen may want to redraw: the hub's state, reachability. It must be
    quick and must not block.
    """

    def __init__(self, settings: DeviceSettings, *, reply_topic: str | None = None,
                 presence: Callable[[], Mapping[str, Any]] = dict,
                 listener: Listener | None = None,
                 extra_subscriptions: Mapping[str, Callable[[BusMessage], None]] | None = None,
                 ) -> None:
        if settings.kind not in contract.DEVICE_KINDS:
            raise ValueError(f"device kind must be one of {contract.DEVICE_KINDS}")
        self.settings = settings
        self.topics = Topics(settings.site)
        self.cache = StampedCache()
        self._reply_topic = reply_topic
        self._presence = presence
        self._listener = listener
        self._extra = dict(extra_subscriptions or {})
        self._hub_online = False
        self._status_topic = self.topics.device_status(settings.kind, settings.device_id)
        self.bus: Bus | None = None
        self.commands: CommandSender | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Connect in the background; returns at once even if the broker is down."""
        settings = self.settings
        bus_settings = BusSettings(
            url=settings.url, client_id=_client_id(settings), will_topic=self._status_topic,
            keepalive=settings.keepalive_s, connect_timeout_s=settings.connect_timeout_s,
            reconnect_min_delay_s=0.5, reconnect_max_delay_s=5.0,
            drop_unacked_on_reconnect=True)
        subscriptions: dict[str, Callable[[BusMessage], None]] = {
            self.topics.hub_status(): self._on_hub_status,
        }
        for state_filter in settings.state_filters:
            subscriptions[state_filter] = self._on_state
        subscriptions.update(self._extra)
        bus = connect_bus(bus_settings, subscriptions=subscriptions, wait=False,
                          on_connected=[self._on_connected])
        self.bus = bus
        self.commands = CommandSender(bus, expiry_s=settings.command_expiry_s,
                                      first_retry_s=settings.first_retry_s,
                                      is_connected=lambda: bus.connected)
        if self._reply_topic is not None:  # a display sends no commands
            bus.subscribe(self._reply_topic, self.commands.on_reply)
        bus.add_disconnected_hook(self._on_disconnected)

    def close(self) -> None:
        """Publish offline presence (through the will), stop retries, disconnect."""
        if self.commands is not None:
            self.commands.close()
        if self.bus is not None:
            self.bus.close(announce_offline=True)

    # ------------------------------------------------------------ state

    @property
    def broker_connected(self) -> bool:
        return self.bus is not None and self.bus.connected

    @property
    def hub_reachable(self) -> bool:
        """The broker is connected and the hub's retained presence says online."""
        return self.broker_connected and self._hub_online

    def publish_presence(self) -> None:
        """Publish ``{"online": true, "version", ...presence()}`` retained (now and on
        every reconnect, which calls this again).

        Also while disconnected or still connecting (the connected hook runs before the
        bus reports ready): paho queues it, and at a reconnect the queue is dropped and the
        hook publishes the presence of that moment, so the latest one always wins.
        """
        if self.bus is not None:
            self._publish_presence_on(self.bus)

    def _publish_presence_on(self, bus: Bus) -> None:
        body = contract.Presence(online=True, version=__version__, **self._presence())
        bus.publish_contract(self._status_topic, body)

    # ------------------------------------------------------------ commands

    def send(self, topic: str, action: str, *, request_id: str | None = None,
             now: dt.datetime | None = None, **args: Any) -> Future:
        """Send a command (fresh id unless ``request_id`` is given); the future gets the
        hub's reply dict or :func:`unreachable_reply`."""
        if self.commands is None:
            raise RuntimeError("start() the runtime first")
        sent_at = now or dt.datetime.now(dt.timezone.utc).astimezone()
        envelope = CommandEnvelope.new(action, sent_at, **args)
        if request_id is not None:
            envelope = envelope.model_copy(update={"id": request_id})
        return self.commands.send(topic, envelope)

    # ------------------------------------------------------------ bus callbacks

    def _on_connected(self, bus: Bus) -> None:
        # ``bus``, not ``self.bus``: the first connection can complete before start()
        # has stored the bus it is still building.
        self._publish_presence_on(bus)
        if self.commands is not None:
            self.commands.republish_all()
        self._changed()

    def _on_disconnected(self, bus: Bus) -> None:
        self._changed()

    def _on_hub_status(self, message: BusMessage) -> None:
        try:
            body = json.loads(message.payload) if message.payload else {}
        except ValueError:
            log.warning("ignored a hub status that is not JSON")
            return
        if not isinstance(body, dict):
            return
        self._hub_online = body.get("online") is True
        if isinstance(body.get("epoch"), str):
            self.cache.adopt_epoch(body["epoch"])
        self._changed()

    def _on_state(self, message: BusMessage) -> None:
        if self.cache.apply(message.topic, message.payload):
            self._changed()

    def _changed(self) -> None:
        if self._listener is not None:
            try:
                self._listener()
            except Exception:
                log.exception("device listener failed")


def _client_id(settings: DeviceSettings) -> str:
    # The broker binds client ids to logins (use_username_as_clientid); this id only
    # matters for brokers without that setting.
    return f"{settings.kind}-{settings.site}-{settings.device_id}"
