"""The MQTT bus of a motcua process: a small wrapper over paho-mqtt 2.x, MQTT v5 only.

What it adds to paho, and why:

- Subscriptions and "connected" hooks are registered once and replayed on every
  (re)connect, because a clean-start session forgets subscriptions and the hub must
  republish its retained state after a broker restart.
- A refused login (CONNACK 134/135, and 138/140) stops the client and surfaces
  :class:`BusAuthError`; paho alone retries a wrong password forever.
- Every publish returns a :class:`Delivery` that holds the broker's reason code: on
  MQTT v5 a publish denied by the ACL still "completes" in paho (``is_published()`` is
  True), and only the PUBACK reason code seen by ``on_publish`` tells the truth.
- TCP_NODELAY on the socket, so a button press is not held back by Nagle's algorithm.
- Buffered socket reads: paho reads each packet with three or more ``recv`` calls (its
  type byte, its length byte by byte, then the rest); :class:`_BufferedClient` reads
  what the socket holds at once and serves those calls from memory.

Callbacks (message handlers, hooks) run on paho's network thread: keep them short and
never wait for a delivery there (:meth:`Bus.publish` refuses ``wait=True`` on that thread).
"""

from __future__ import annotations

import logging
import socket
import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt import _packet as paho_packet
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import BaseModel

from motcua.contract import (
    CONTENT_TYPE, TopicSpec, dump, offline_presence, parse_topic, spec_of,
)

log = logging.getLogger(__name__)

#: CONNACK reason codes that no retry can fix: bad user name or password (134), not
#: authorized (135), banned (138), bad authentication method (140).
LOGIN_REFUSED_CODES = frozenset({134, 135, 138, 140})
DEFAULT_PORT = 1883
#: At most this many QoS 1 messages sent and not yet acknowledged, when the broker allows
#: as many (its CONNACK Receive Maximum; 65,535 when it sends none). paho keeps its own
#: limit of 20 whatever the broker says: a hub sends a reply, a call event and a counter
#: state per command, and every message past 20 waited for a PUBACK round trip.
MAX_INFLIGHT = 1000


class BusError(Exception):
    """Base of every bus failure."""


class BusAuthError(BusError):
    """The broker refused the login; the client stopped instead of retrying forever."""


class BusTimeout(BusError):
    """A connection or an acknowledgement did not arrive in time."""


class BusDenied(BusError):
    """The broker answered a publish or subscribe with a failure reason code (e.g. ACL)."""

    def __init__(self, topic: str, reason_code: ReasonCode) -> None:
        self.topic = topic
        self.reason_code = reason_code
        super().__init__(f"broker refused {topic!r}: {reason_code} ({reason_code.value})")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class BrokerAddress:
    """Where and as whom to connect; the password never appears in ``repr``."""

    host: str
    port: int = DEFAULT_PORT
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_mqtt_url(url: str) -> BrokerAddress:
    """Parse ``mqtt://user:pass@host:port`` (user and password URL-decoded, port 1883).

    Raises:
        ValueError: not an ``mqtt://`` URL with a host. The message never echoes a password.
    """
    parts = urlsplit(url)
    if parts.scheme != "mqtt" or not parts.hostname:
        raise ValueError(f"broker URL must look like mqtt://user:password@host:port, got "
                         f"scheme {parts.scheme!r} and host {parts.hostname!r}")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"broker URL has an invalid port (host {parts.hostname!r})") from None
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


@dataclass(frozen=True)
class BusSettings:
    """How one process connects. ``url`` is ``mqtt://user:pass@host:port`` (kept out of repr).

    ``will_topic`` gets a retained last will (default payload ``{"online":false}``).
    ``clean_start=False`` only keeps a session across disconnects when
    ``session_expiry_s`` is set too (MQTT v5 ends a session at disconnect by default).
    """

    url: str = field(repr=False)
    client_id: str = ""
    clean_start: bool = True
    will_topic: str | None = None
    will_payload: bytes = field(default_factory=offline_presence)
    keepalive: int = 30
    session_expiry_s: int | None = None
    reconnect_min_delay_s: float = 1.0
    reconnect_max_delay_s: float = 30.0
    connect_timeout_s: float = 10.0
    #: Forget QoS 1 messages still unacknowledged when a connection is lost instead of
    #: letting paho resend them on reconnect. Devices set it: paho would resend a command
    #: with its original message expiry, which the broker counts again from the resend,
    #: so a press made before a long outage could act minutes late. A device's own
    #: retries republish a command with only what is left of its life.
    drop_unacked_on_reconnect: bool = False


# --------------------------------------------------------------------------- messages


def message_properties(
    *,
    message_expiry_s: int | None = None,
    response_topic: str | None = None,
    correlation_data: bytes | None = None,
    content_type: str | None = None,
    user_properties: Sequence[tuple[str, str]] = (),
) -> Properties:
    """Return MQTT v5 PUBLISH properties with only the given fields set."""
    properties = _FastProperties(PacketTypes.PUBLISH)
    if message_expiry_s is not None:
        properties.MessageExpiryInterval = message_expiry_s
    if response_topic is not None:
        properties.ResponseTopic = response_topic
    if correlation_data is not None:
        properties.CorrelationData = correlation_data
    if content_type is not None:
        properties.ContentType = content_type
    if user_properties:
        properties.UserProperty = list(user_properties)
    return properties


@dataclass(frozen=True)
class BusMessage:
    """A received message with its MQTT v5 properties made easy to read."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    properties: Properties | None = None

    def _property(self, name: str) -> object | None:
        return getattr(self.properties, name, None) if self.properties is not None else None

    @property
    def message_expiry_s(self) -> int | None:
        """Remaining expiry the broker forwarded, or None if the sender set none."""
        return self._property("MessageExpiryInterval")  # type: ignore[return-value]

    @property
    def response_topic(self) -> str | None:
        return self._property("ResponseTopic")  # type: ignore[return-value]

    @property
    def correlation_data(self) -> bytes | None:
        return self._property("CorrelationData")  # type: ignore[return-value]

    @property
    def content_type(self) -> str | None:
        return self._property("ContentType")  # type: ignore[return-value]


MessageHandler = Callable[[BusMessage], None]
ConnectedHook = Callable[["Bus"], None]


#: One condition for every delivery: a publish happens per message sent, and an Event
#: (a Condition and a Lock) per publish costs the network thread more than the few
#: callers that ever wait lose by sharing one.
_ANSWERED = threading.Condition()


class Delivery:
    """The broker's answer to one publish (or subscribe), which may arrive later.

    For QoS 1 the answer is the PUBACK reason code; for QoS 0 it only means "written to
    the socket".
    """

    __slots__ = ("mid", "topic", "_reason_codes", "_local_error", "_done")

    def __init__(self, mid: int) -> None:
        self.mid = mid
        self.topic: str | None = None
        self._reason_codes: list[ReasonCode] = []
        self._local_error: str | None = None
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    @property
    def reason_code(self) -> ReasonCode | None:
        """The first failure code if any, else the first code; None until answered."""
        failures = [code for code in self._reason_codes if code.is_failure]
        return (failures or self._reason_codes or [None])[0]

    def wait(self, timeout: float) -> ReasonCode | None:
        """Block until the broker answered; return its reason code.

        Raises:
            BusTimeout: no answer within ``timeout`` seconds.
            BusDenied: the broker answered with a failure code (ACL, quota, ...).
            BusError: the message could not even be queued (e.g. not connected, QoS 0).
        """
        with _ANSWERED:
            if not _ANSWERED.wait_for(lambda: self._done, timeout):
                raise BusTimeout(f"no acknowledgement for {self.topic!r} within {timeout} s")
        if self._local_error is not None:
            raise BusError(f"{self.topic!r} was not sent: {self._local_error}")
        code = self.reason_code
        if code is not None and code.is_failure:
            raise BusDenied(self.topic or "?", code)
        return code

    # Both the caller (who knows the topic) and the network thread (who knows the
    # answer) touch a delivery; whichever comes second logs a refusal, exactly once.
    def _attach(self, topic: str) -> None:
        with _ANSWERED:
            self.topic = topic
            answered = self._done
        if answered:
            self._log_refusal()

    def _resolve(self, reason_codes: list[ReasonCode]) -> None:
        with _ANSWERED:
            self._reason_codes = list(reason_codes)
            self._done = True
            described = self.topic is not None
            _ANSWERED.notify_all()
        if described:
            self._log_refusal()

    def _fail_locally(self, topic: str, error: str) -> None:
        with _ANSWERED:
            self.topic = topic
            self._local_error = error
            self._done = True
            _ANSWERED.notify_all()
        log.warning("not sent to %s: %s", topic, error)

    def _log_refusal(self) -> None:
        code = self.reason_code
        if code is not None and code.is_failure:
            log.warning("broker refused %s (mid %d): %s", self.topic, self.mid, code)


class _Rendezvous:
    """Meets a packet id with its acknowledgement, whichever side arrives first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, Delivery] = {}

    def meet(self, mid: int) -> Delivery:
        with self._lock:
            delivery = self._waiting.pop(mid, None)
            if delivery is None:
                delivery = self._waiting[mid] = Delivery(mid)
            return delivery


# --------------------------------------------------------------------------- the bus


class Bus:
    """One MQTT v5 connection with replayed subscriptions and hooks.

    Build it with :func:`connect_bus`. Registering a subscription or hook while connected
    takes effect at once and again after every reconnect.
    """

    def __init__(self, settings: BusSettings) -> None:
        self.settings = settings
        self.address = parse_mqtt_url(settings.url)
        self._state = threading.Condition()
        self._connected = False
        # Connected *and* the hooks of this connection have run: what callers wait for.
        self._ready = False
        self._closed = False
        self._fatal: BusError | None = None
        self._subscriptions: dict[str, tuple[int, MessageHandler]] = {}
        self._connected_hooks: list[ConnectedHook] = []
        self._disconnected_hooks: list[ConnectedHook] = []
        self._acks = _Rendezvous()
        self._network_thread_id: int | None = None
        self.client = self._build_client()

    def _build_client(self) -> mqtt.Client:
        settings = self.settings
        client = _BufferedClient(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=mqtt.MQTTv5,
        )
        if self.address.username is not None:
            client.username_pw_set(self.address.username, self.address.password)
        if settings.will_topic is not None:
            client.will_set(settings.will_topic, settings.will_payload, qos=1, retain=True)
        client.reconnect_delay_set(settings.reconnect_min_delay_s, settings.reconnect_max_delay_s)
        client.on_socket_open = _set_tcp_nodelay
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        return client

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start connecting in the background; paho retries with backoff until it works."""
        connect_properties = None
        if self.settings.session_expiry_s is not None:
            connect_properties = Properties(PacketTypes.CONNECT)
            connect_properties.SessionExpiryInterval = self.settings.session_expiry_s
        log.info("connecting to mqtt://%s:%d as %s", self.address.host, self.address.port,
                 self.address.username or "(anonymous)")
        self.client.connect_async(
            self.address.host,
            self.address.port,
            keepalive=self.settings.keepalive,
            clean_start=self.settings.clean_start,
            properties=connect_properties,
        )
        self.client.loop_start()

    def wait_connected(self, timeout: float | None = None) -> None:
        """Block until connected, with subscriptions sent and connected hooks run.

        Raises:
            BusAuthError: the broker refused the login (the client has stopped).
            BusTimeout: not connected within ``timeout`` seconds (it keeps trying).
            BusError: the bus was closed.
        """
        with self._state:
            self._state.wait_for(
                lambda: self._ready or self._fatal is not None or self._closed, timeout
            )
            if self._fatal is not None:
                raise self._fatal
            if self._closed:
                raise BusError("the bus is closed")
            if not self._ready:
                raise BusTimeout(
                    f"not connected to {self.address.host}:{self.address.port} "
                    f"within {timeout} s"
                )

    @property
    def connected(self) -> bool:
        """Connected, with this connection's subscriptions sent and hooks run."""
        return self._ready

    @property
    def failure(self) -> BusError | None:
        """Why the bus stopped for good (a refused login, even on a later reconnect), or None."""
        return self._fatal

    def close(self, *, announce_offline: bool = True) -> None:
        """Disconnect and stop the network thread; idempotent.

        With ``announce_offline`` and a will configured, the broker is asked to publish the
        will anyway (MQTT v5 reason code 4), so a clean stop also shows ``online: false``.
        """
        with self._state:
            if self._closed:
                return
            self._closed = True
            was_connected = self._connected
            self._state.notify_all()
        if was_connected and announce_offline and self.settings.will_topic is not None:
            self.client.disconnect(
                reasoncode=ReasonCode(PacketTypes.DISCONNECT, "Disconnect with will message")
            )
        else:
            self.client.disconnect()
        self.client.loop_stop()
        log.info("disconnected from %s:%d", self.address.host, self.address.port)

    def __enter__(self) -> Bus:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- registrations

    def subscribe(
        self,
        topic_filter: str,
        handler: MessageHandler,
        *,
        qos: int = 1,
        wait: bool = False,
        timeout: float = 5.0,
    ) -> None:
        """Deliver messages matching ``topic_filter`` to ``handler``, now and after reconnects.

        With ``wait``, return only once the broker acknowledged the subscription (so a
        message published afterwards by another client is certain to arrive). Note that
        Mosquitto grants, rather than refuses, a subscription its ACL denies.
        """
        with self._state:
            self._subscriptions[topic_filter] = (qos, handler)
            subscribe_now = self._connected
        if not subscribe_now:
            return
        delivery = self._subscribe_all([(topic_filter, qos)])
        if wait and delivery is not None:
            self._refuse_wait_on_network_thread()
            delivery.wait(timeout)

    def unsubscribe(self, topic_filter: str) -> None:
        with self._state:
            self._subscriptions.pop(topic_filter, None)
            connected = self._connected
        if connected:
            self.client.unsubscribe(topic_filter)

    def add_connected_hook(self, hook: ConnectedHook) -> None:
        """Call ``hook(bus)`` after every later (re)connect, once subscriptions are sent."""
        with self._state:
            self._connected_hooks.append(hook)

    def add_disconnected_hook(self, hook: ConnectedHook) -> None:
        """Call ``hook(bus)`` on the network thread each time a connection is lost."""
        with self._state:
            self._disconnected_hooks.append(hook)

    # ---------------------------------------------------------------- publishing

    def publish(
        self,
        topic: str,
        payload: bytes | str,
        *,
        qos: int = 1,
        retain: bool = False,
        properties: Properties | None = None,
        wait: bool = False,
        timeout: float = 5.0,
    ) -> Delivery:
        """Publish and return its :class:`Delivery`.

        While disconnected, QoS 1 messages are queued by paho and sent on reconnect; QoS 0
        messages are dropped (the delivery fails locally). With ``wait``, block until the
        broker answered and raise :class:`BusDenied` / :class:`BusTimeout` as
        :meth:`Delivery.wait` does.
        """
        if wait:
            self._refuse_wait_on_network_thread()
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if info.rc == mqtt.MQTT_ERR_SUCCESS or (qos > 0 and info.rc == mqtt.MQTT_ERR_NO_CONN):
            delivery = self._acks.meet(info.mid)
            delivery._attach(topic)
        else:
            delivery = Delivery(info.mid)
            delivery._fail_locally(topic, mqtt.error_string(info.rc))
        if wait:
            delivery.wait(timeout)
        return delivery

    def publish_contract(
        self,
        topic: str,
        payload: BaseModel | bytes,
        *,
        response_topic: str | None = None,
        correlation_data: bytes | None = None,
        expiry_s: int | None = None,
        wait: bool = False,
        timeout: float = 5.0,
    ) -> Delivery:
        """Publish on a contract topic with the QoS, retain flag and expiry the contract sets.

        ``payload`` is a contract model (dumped as compact JSON) or raw bytes (e.g.
        :data:`~motcua.contract.CLEAR_RETAINED`). ``expiry_s`` may shorten (never lengthen)
        the table's message expiry: a retried command keeps only what is left of its life.

        Raises:
            ValueError: ``topic`` is not a topic of contract v1, or ``expiry_s`` is not
                between 1 and the table's expiry for it.
        """
        if response_topic is None and correlation_data is None and expiry_s is None:
            # The hot path (state, board, events): topic → options computed once.
            spec, properties = _contract_options(topic)
        else:
            spec = _contract_options(topic)[0]
            if expiry_s is not None and not (
                    spec.message_expiry_s is not None and 1 <= expiry_s <= spec.message_expiry_s):
                raise ValueError(f"expiry {expiry_s} s is not within 1..{spec.message_expiry_s} "
                                 f"s for {spec.pattern}")
            properties = message_properties(
                message_expiry_s=expiry_s if expiry_s is not None else spec.message_expiry_s,
                response_topic=response_topic,
                correlation_data=correlation_data,
                content_type=CONTENT_TYPE,
            )
        body = dump(payload) if isinstance(payload, BaseModel) else payload
        return self.publish(topic, body, qos=spec.qos, retain=spec.retained,
                            properties=properties, wait=wait, timeout=timeout)

    def _refuse_wait_on_network_thread(self) -> None:
        # The acknowledgement is read by this very thread: waiting here would deadlock.
        if threading.get_ident() == self._network_thread_id:
            raise BusError("cannot wait for an acknowledgement inside a bus callback")

    def _subscribe_all(self, filters: list[tuple[str, int]]) -> Delivery | None:
        request = [(topic_filter, SubscribeOptions(qos=qos)) for topic_filter, qos in filters]
        result, mid = self.client.subscribe(request)
        if result != mqtt.MQTT_ERR_SUCCESS or mid is None:
            log.warning("could not subscribe to %s: %s", [f for f, _ in filters],
                        mqtt.error_string(result))
            return None
        delivery = self._acks.meet(mid)
        delivery._attach(", ".join(topic_filter for topic_filter, _ in filters))
        return delivery

    # ---------------------------------------------------------------- paho callbacks

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags,
                    reason_code: ReasonCode, properties: Properties | None) -> None:
        self._network_thread_id = threading.get_ident()
        if reason_code.is_failure:
            self._on_refused(client, reason_code)
            return
        with self._state:
            self._connected = True
            subscriptions = [(f, qos) for f, (qos, _) in self._subscriptions.items()]
            hooks = list(self._connected_hooks)
        log.info("connected to %s:%d (session present: %s)", self.address.host,
                 self.address.port, flags.session_present)
        adopt_receive_maximum(client, properties)
        if self.settings.drop_unacked_on_reconnect:
            self._drop_unacked(client)
        if subscriptions:
            self._subscribe_all(subscriptions)
        for hook in hooks:
            try:
                hook(self)
            except Exception:
                log.exception("connected hook %r failed", hook)
        with self._state:
            self._ready = self._connected
            self._state.notify_all()

    def _drop_unacked(self, client: mqtt.Client) -> None:
        # on_connect runs before paho resends its queue, so nothing dropped here goes out.
        dropped = client.drop_out_messages()
        for message in dropped:
            self._acks.meet(message.mid)._fail_locally(
                message.topic, "dropped at reconnect: the sender retries it if still alive")
        if dropped:
            log.info("dropped %d unacknowledged message(s) at reconnect", len(dropped))

    def _on_refused(self, client: mqtt.Client, reason_code: ReasonCode) -> None:
        if reason_code.value not in LOGIN_REFUSED_CODES:
            log.warning("broker refused the connection: %s; retrying", reason_code)
            return
        error = BusAuthError(
            f"broker {self.address.host}:{self.address.port} refused login "
            f"{self.address.username!r}: {reason_code} ({reason_code.value})"
        )
        log.error("%s; not retrying", error)
        with self._state:
            self._fatal = error
            self._state.notify_all()
        # paho would reconnect forever; a disconnect() here ends its network loop.
        client.disconnect()

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: object,
                       reason_code: ReasonCode, properties: Properties | None) -> None:
        with self._state:
            was_connected = self._connected
            self._connected = self._ready = False
            closing = self._closed or self._fatal is not None
            hooks = list(self._disconnected_hooks)
        if was_connected and not closing:
            log.warning("lost the broker connection (%s); reconnecting", reason_code)
        for hook in hooks:
            try:
                hook(self)
            except Exception:
                log.exception("disconnected hook %r failed", hook)

    def _on_message(self, client: mqtt.Client, userdata: object,
                    message: mqtt.MQTTMessage) -> None:
        received = BusMessage(
            topic=message.topic,
            payload=message.payload,
            qos=message.qos,
            retain=bool(message.retain),
            properties=getattr(message, "properties", None),
        )
        with self._state:
            handlers = [
                handler
                for topic_filter, (_, handler) in self._subscriptions.items()
                if _topic_matches(topic_filter, received.topic)
            ]
        for handler in handlers:
            try:
                handler(received)
            except Exception:
                # An exception escaping a paho callback would kill the network thread.
                log.exception("handler %r failed on %s", handler, received.topic)

    def _on_publish(self, client: mqtt.Client, userdata: object, mid: int,
                    reason_code: ReasonCode, properties: Properties | None) -> None:
        self._acks.meet(mid)._resolve([reason_code])

    def _on_subscribe(self, client: mqtt.Client, userdata: object, mid: int,
                      reason_codes: list[ReasonCode], properties: Properties | None) -> None:
        self._acks.meet(mid)._resolve(reason_codes)


class _BufferedClient(mqtt.Client):
    """A paho client that reads the socket in large chunks.

    paho calls ``_sock_recv`` for one byte, then one byte per length byte, then the rest
    of each packet: several system calls per packet, on a thread that shares the GIL
    with the writer. Here each ``recv`` takes up to 64 KiB and the calls are served from
    that buffer; ``loop_read`` keeps handling packets while the buffer holds bytes,
    because ``select`` only knows about the socket, not about bytes already read.
    A new socket (reconnect) starts with an empty buffer.

    Writes are still queued by the publishing thread and written by the network thread.
    Writing a PUBLISH straight from the publishing thread was tried twice: with paho's
    writer it saved a thread hand-off, but the publisher then also ran paho's callbacks
    under paho's message lock, a lock order that can deadlock against the network
    thread; with a write lock of its own and only packets that need no callback, it
    changed nothing measurable (bench hub_roundtrip 905 vs 912 commands/s, counter_press
    p99 14.4 vs 12.2 ms, same machine back to back). Two things differ from paho, both
    to spend fewer system calls on a thread that shares the GIL:

    * paho wakes its network thread through a socket pair for every packet queued, even
      a PUBACK queued by the network thread itself. Here only another thread wakes it,
      and only when no wake-up is already on its way (``_wake_pending``, cleared when the
      network thread starts writing: see :meth:`loop_write` for why nothing is left
      behind).
    * paho sends each packet with its own ``send``. Here the packets waiting are joined
      and sent at once (up to 64 KiB): a commit's replies, events and states go out in
      one or two writes, which the broker then also reads at once.
    """

    _READ_CHUNK = 65536
    _WRITE_CHUNK = 65536

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._read_buffer = b""
        self._read_pos = 0
        self._read_sock: object | None = None
        self._wake_pending = False

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._sock is not self._read_sock:
            self._read_buffer, self._read_pos, self._read_sock = b"", 0, self._sock
        if self._read_pos >= len(self._read_buffer):
            data = super()._sock_recv(self._READ_CHUNK)  # raises as paho expects
            if not data:
                return data
            self._read_buffer, self._read_pos = data, 0
        start = self._read_pos
        self._read_pos = min(start + bufsize, len(self._read_buffer))
        return self._read_buffer[start:self._read_pos]

    def _buffered(self) -> bool:
        return (self._sock is not None and self._sock is self._read_sock
                and self._read_pos < len(self._read_buffer))

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        rc = super().loop_read(max_packets)
        while rc == mqtt.MQTT_ERR_SUCCESS and self._buffered():
            rc = super().loop_read(max_packets)
        return rc

    def loop_stop(self) -> mqtt.MQTTErrorCode:
        return stop_network_loop(self)

    # ------------------------------------------------------------ writing

    def _packet_queue(self, command: int, packet: bytes | bytearray, mid: int, qos: int,
                      info: mqtt.MQTTMessageInfo | None = None) -> mqtt.MQTTErrorCode:
        thread = self._thread
        if thread is None or self._sockpairW is None:
            # Not paho's loop thread (loop_forever, or the caller's own loop): paho's way.
            return super()._packet_queue(command, packet, mid, qos, info)
        self._out_packet.append({"command": command, "mid": mid, "qos": qos, "pos": 0,
                                 "to_process": len(packet), "packet": packet, "info": info})
        # The network thread checks for packets to write before it waits again; another
        # thread must wake it, once until it writes.
        if not self._wake_pending and threading.get_ident() != thread.ident:
            self._wake_pending = True
            try:
                self._sockpairW.send(mqtt.sockpair_data)
            except BlockingIOError:
                pass  # the pair is full of wake-ups already
        self._call_socket_register_write()
        return mqtt.MQTT_ERR_SUCCESS

    def loop_write(self) -> mqtt.MQTTErrorCode:
        # Cleared before writing, and (in paho's loop) after the wake-ups were read: a
        # packet queued before this line is written below; a thread queuing one after it
        # sees no wake-up pending and sends one, which the next select sees.
        self._wake_pending = False
        return super().loop_write()

    def _packet_write(self) -> mqtt.MQTTErrorCode:
        out = self._out_packet
        wrote = False
        while len(out) > 1 and _joinable(out[0]) and _joinable(out[1]):
            taken: list[dict] = []
            size = 0
            # Only this thread takes from the left; other threads append on the right.
            while out and size < self._WRITE_CHUNK and _joinable(out[0]):
                packet = out.popleft()
                taken.append(packet)
                size += packet["to_process"]
            data = b"".join(packet["packet"][packet["pos"]:] if packet["pos"]
                            else packet["packet"] for packet in taken)
            try:
                written = self._sock_send(data)
            except (AttributeError, ValueError):
                out.extendleft(reversed(taken))
                return mqtt.MQTT_ERR_SUCCESS
            except BlockingIOError:
                out.extendleft(reversed(taken))
                return mqtt.MQTT_ERR_AGAIN
            except OSError as error:
                out.extendleft(reversed(taken))
                log.warning("MQTT socket write failed: %s", error)
                return mqtt.MQTT_ERR_CONN_LOST
            wrote = True
            for index, packet in enumerate(taken):
                if written < packet["to_process"]:
                    # A partial write: the rest goes when the socket can take it.
                    packet["pos"] += written
                    packet["to_process"] -= written
                    out.extendleft(reversed(taken[index:]))
                    self._note_written()
                    return mqtt.MQTT_ERR_AGAIN
                written -= packet["to_process"]
                packet["pos"] += packet["to_process"]
                packet["to_process"] = 0
        if wrote:
            self._note_written()
        # One packet, or one that needs paho's own handling after it is written.
        return super()._packet_write()

    def _note_written(self) -> None:
        with self._msgtime_mutex:
            self._last_msg_out = mqtt.time_func()

    # ------------------------------------------------------------ reading

    def _handle_pubackcomp(self, cmd) -> mqtt.MQTTErrorCode:
        # A hub receives one PUBACK per message it sends, and paho builds a ReasonCode
        # and a Properties object for each. A PUBACK without properties (the packet id,
        # then maybe a reason code such as 0x10 "no matching subscribers" and an empty
        # property length) is read here, with one shared read-only ReasonCode per code;
        # any other PUBACK, and PUBCOMP, go through paho.
        packet = self._in_packet["packet"]
        size = len(packet)
        if (cmd != "PUBACK" or self._protocol != mqtt.MQTTv5 or size > 4
                or size < 2 or (size == 4 and packet[3] != 0)):
            return super()._handle_pubackcomp(cmd)
        reason = _PUBACK_REASONS.get(packet[2] if size > 2 else 0)
        if reason is None:
            return super()._handle_pubackcomp(cmd)
        mid = (packet[0] << 8) | packet[1]
        with self._out_message_mutex:
            if mid in self._out_messages:
                return self._do_on_publish(mid, reason, _NO_PUBACK_PROPERTIES)
        return mqtt.MQTT_ERR_SUCCESS

    def _update_inflight(self) -> mqtt.MQTTErrorCode:
        # paho runs this on every PUBACK and walks every unacknowledged message looking
        # for queued ones; when every message is already in flight there are none.
        if len(self._out_messages) <= self._inflight_messages:
            return mqtt.MQTT_ERR_SUCCESS
        return super()._update_inflight()


#: The devices' paho client, for code that drives paho itself (the benches' probes).
BusClient = _BufferedClient


def stop_network_loop(client: mqtt.Client) -> mqtt.MQTTErrorCode:
    """paho's ``loop_stop``, without its race: paho reads ``client._thread`` twice, and the
    network thread, once told to stop (or already disconnected), sets it to None as it
    ends, so ``loop_stop`` could fail with AttributeError in between."""
    thread = client._thread
    if thread is None:
        return mqtt.MQTT_ERR_INVAL
    client._thread_terminate = True
    if threading.current_thread() is not thread:
        thread.join()
    return mqtt.MQTT_ERR_SUCCESS


def adopt_receive_maximum(client: mqtt.Client, properties: Properties | None) -> None:
    """Let ``client`` keep as many QoS 1 messages in flight as the broker's CONNACK allows
    (up to :data:`MAX_INFLIGHT`). Call it in ``on_connect``: paho's public setter refuses
    a connected client, and on_connect runs before paho sends anything of the new
    connection, which is when the limit must change."""
    receive_maximum = getattr(properties, "ReceiveMaximum", 65535) if properties else 65535
    client._max_inflight_messages = max(1, min(receive_maximum, MAX_INFLIGHT))


def _joinable(packet: dict) -> bool:
    """Whether a queued packet may be sent joined with others: paho does something after
    writing a QoS 0 PUBLISH (its on_publish) and a DISCONNECT (closing), so those are
    left to its own writer."""
    command = packet["command"] & 0xF0
    return command != mqtt.DISCONNECT and not (command == mqtt.PUBLISH and packet["qos"] == 0)


#: The reason codes a PUBACK may carry, one shared instance each (callbacks only read
#: them); a PUBACK without one means Success (MQTT v5 3.4.2.1).
_PUBACK_REASONS = {code: ReasonCode(PacketTypes.PUBACK, identifier=code)
                   for code in (0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99)}
_NO_PUBACK_PROPERTIES = Properties(PacketTypes.PUBACK)


class _FastProperties(Properties):
    """paho's MQTT v5 properties, with the same behaviour at a fraction of the cost.

    paho builds its tables of property names and types anew for every Properties object
    (one per PUBLISH received, one per PUBLISH sent with properties), and looks a name
    up by walking those tables, several times per property set. Here the tables are
    built once and read through dictionaries. Everything else (packing, unpacking, value
    checks, errors) is paho's own. Installed as the class paho's packet decoder uses
    (``paho.mqtt._packet.Properties``; paho is pinned to 2.2.x for that):
    ``tests/unit/test_bus_properties.py`` checks it decodes and encodes as paho does.
    """

    _PAHO = Properties(PacketTypes.PUBLISH)
    #: Shared, read-only: paho only ever reads these tables.
    types = _PAHO.types
    names = _PAHO.names
    properties = _PAHO.properties
    _IDENTS = {name.replace(" ", ""): ident for name, ident in _PAHO.names.items()}
    _NAMES = {ident: name for name, ident in _PAHO.names.items()}
    _MULTIPLE = frozenset({11, 38})  # subscription identifier, user property
    _TABLES = frozenset({"packetType", "types", "names", "properties"})
    del _PAHO

    def __init__(self, packetType: int) -> None:  # noqa: N803 - paho's name
        object.__setattr__(self, "packetType", packetType)

    def getIdentFromName(self, compressedName: str) -> int:  # noqa: N802,N803
        return self._IDENTS.get(compressedName, -1)

    def getNameFromIdent(self, identifier: int) -> str | None:  # noqa: N802
        return self._NAMES.get(identifier)

    def allowsMultiple(self, compressedName: str) -> bool:  # noqa: N802,N803
        return self._IDENTS.get(compressedName) in self._MULTIPLE

    def clear(self) -> None:
        for name in [name for name in vars(self) if name in self._IDENTS]:
            delattr(self, name)

    def __setattr__(self, name: str, value: object) -> None:
        compressed = name.replace(" ", "")
        if compressed in self._TABLES:
            object.__setattr__(self, compressed, value)
            return
        ident = self._IDENTS.get(compressed)
        if ident is None or ident in self._MULTIPLE or isinstance(value, list):
            super().__setattr__(name, value)  # paho's checks and its error messages
            return
        if self.packetType not in self.properties[ident][1]:
            super().__setattr__(name, value)  # raises paho's "does not apply" error
            return
        if compressed in _CHECKED_PROPERTIES:
            super().__setattr__(name, value)  # paho's range checks
            return
        object.__setattr__(self, compressed, value)


#: Properties whose values paho range-checks when set.
_CHECKED_PROPERTIES = frozenset({
    "ReceiveMaximum", "TopicAlias", "TopicAliasMaximum", "MaximumPacketSize",
    "SubscriptionIdentifier", "RequestResponseInformation", "RequestProblemInformation",
    "PayloadFormatIndicator"})
# paho's packet decoder builds received properties with this class from now on.
paho_packet.Properties = _FastProperties


class _PackedProperties(_FastProperties):
    """PUBLISH properties that never change once built: packed once, not per message
    (paho packs a message's properties each time it sends one)."""

    _packed: bytes | None = None

    def pack(self) -> bytes:
        if self._packed is None:
            object.__setattr__(self, "_packed", super().pack())
        return self._packed


@functools.lru_cache(maxsize=4096)
def _topic_matches(topic_filter: str, topic: str) -> bool:
    """paho's ``topic_matches_sub``, cached: paho builds a matcher tree on every call, and
    a hub sees the same few (filter, topic) pairs over and over."""
    return mqtt.topic_matches_sub(topic_filter, topic)


@functools.lru_cache(maxsize=4096)
def _contract_options(topic: str) -> tuple[TopicSpec, Properties]:
    """The contract spec of ``topic`` and its PUBLISH properties (expiry, content type).
    Cached: a hub publishes on a small fixed set of topics. The properties object is
    shared and must not be modified by callers.

    Raises:
        ValueError: ``topic`` is not a topic of contract v1.
    """
    parsed = parse_topic(topic)
    if parsed is None:
        raise ValueError(f"not a contract topic: {topic!r}")
    spec = spec_of(parsed[1].kind)
    properties = _PackedProperties(PacketTypes.PUBLISH)
    if spec.message_expiry_s is not None:
        properties.MessageExpiryInterval = spec.message_expiry_s
    properties.ContentType = CONTENT_TYPE
    properties.pack()  # now, so that concurrent publishers only ever read it
    return spec, properties


def _set_tcp_nodelay(client: mqtt.Client, userdata: object, sock: object) -> None:
    # Commands are tiny and latency-bound; Nagle's algorithm would delay them.
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[attr-defined]
    except (AttributeError, OSError) as error:  # websockets/unix transports
        log.debug("TCP_NODELAY not set: %s", error)


def connect_bus(
    settings: BusSettings,
    *,
    subscriptions: Mapping[str, MessageHandler] | None = None,
    on_connected: Sequence[ConnectedHook] = (),
    wait: bool = True,
) -> Bus:
    """Create a :class:`Bus`, register subscriptions (QoS 1) and hooks, and connect.

    Hooks given here also run on the first connection. With ``wait`` (the default) it
    returns once connected.

    Raises:
        BusAuthError: the broker refused the login.
        BusTimeout: not connected within ``settings.connect_timeout_s``.
        ValueError: ``settings.url`` is not a valid ``mqtt://`` URL.
    """
    bus = Bus(settings)
    for topic_filter, handler in (subscriptions or {}).items():
        bus.subscribe(topic_filter, handler)
    for hook in on_connected:
        bus.add_connected_hook(hook)
    bus.start()
    if wait:
        try:
            bus.wait_connected(settings.connect_timeout_s)
        except BusError:
            bus.close(announce_offline=False)
            raise
    return bus
