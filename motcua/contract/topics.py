"""Topics of contract v1: the table of QoS, retain and expiry, builders and the parser.

Topics live under the versioned root ``motcua/v1/{site}``. Every publish of the hub and
of the devices goes through :data:`TOPIC_SPECS` (``Bus.publish_contract``), so the table
cannot drift from what is sent; every topic string is built or parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .fields import SLUG_PATTERN, is_slug

CONTRACT_VERSION = 1
ROOT_PREFIX = f"motcua/v{CONTRACT_VERSION}"

#: MQTT v5 message expiry of commands, the longest expiry the hub honours, and the age
#: past which a command without one (an MQTT 3.1.1 client) is refused: a press made while
#: the hub was down must never call a citizen minutes later.
COMMAND_EXPIRY_S = 30
#: Message expiry of ``event/called``: a display that reconnects later must not announce it.
CALLED_EXPIRY_S = 60
CONTENT_TYPE = "application/json"
#: Publishing this retained clears a retained topic (removed counter or service).
CLEAR_RETAINED = b""

_CANONICAL_POSITIVE_INT = re.compile(r"^[1-9][0-9]{0,8}$")
#: Kinds of process that publish presence on ``device/{kind}/{id}/status``.
DEVICE_KINDS = ("counter", "kiosk", "display", "panel")


def _require_slug(value: object, what: str) -> str:
    if not is_slug(value):
        raise ValueError(f"{what} must match {SLUG_PATTERN}, got {value!r}")
    return value  # type: ignore[return-value]


def _require_counter_number(value: object) -> int:
    # bool is an int subclass; True must not become counter 1.
    if type(value) is not int or value <= 0:
        raise ValueError(f"counter number must be a positive int, got {value!r}")
    return value


class TopicKind(str, Enum):
    """Every topic of the contract."""

    COUNTER_CMD = "counter_cmd"
    COUNTER_REPLY = "counter_reply"
    COUNTER_STATE = "counter_state"
    KIOSK_CMD = "kiosk_cmd"
    KIOSK_REPLY = "kiosk_reply"
    SERVICE_STATE = "service_state"
    BOARD = "board"
    PROCEDURES = "procedures"
    EVENT_CALLED = "event_called"
    EVENT_ISSUED = "event_issued"
    DEVICE_STATUS = "device_status"
    HUB_STATUS = "hub_status"


@dataclass(frozen=True)
class TopicSpec:
    """How one topic is used: its shape under the root, direction, QoS, retain, expiry."""

    kind: TopicKind
    pattern: str
    direction: str
    qos: int
    retained: bool
    payload: str
    message_expiry_s: int | None = None


TOPIC_SPECS: dict[TopicKind, TopicSpec] = {
    spec.kind: spec
    for spec in (
        TopicSpec(TopicKind.COUNTER_CMD, "counter/{n}/cmd", "panel → hub", 1, False,
                  "CommandEnvelope", COMMAND_EXPIRY_S),
        TopicSpec(TopicKind.COUNTER_REPLY, "counter/{n}/reply", "hub → panel", 1, False, "Reply"),
        TopicSpec(TopicKind.COUNTER_STATE, "counter/{n}/state", "hub → all", 1, True,
                  "CounterState"),
        TopicSpec(TopicKind.KIOSK_CMD, "kiosk/{k}/cmd", "kiosk → hub", 1, False,
                  "CommandEnvelope", COMMAND_EXPIRY_S),
        TopicSpec(TopicKind.KIOSK_REPLY, "kiosk/{k}/reply", "hub → kiosk", 1, False, "Reply"),
        TopicSpec(TopicKind.SERVICE_STATE, "service/{code}/state", "hub → all", 1, True,
                  "ServiceState"),
        TopicSpec(TopicKind.BOARD, "board", "hub → displays", 1, True, "Board"),
        TopicSpec(TopicKind.PROCEDURES, "procedures", "hub → kiosks", 1, True,
                  "ProcedureCatalog"),
        TopicSpec(TopicKind.EVENT_CALLED, "event/called", "hub → displays", 1, False,
                  "CalledEvent", CALLED_EXPIRY_S),
        TopicSpec(TopicKind.EVENT_ISSUED, "event/issued", "hub → all", 0, False, "IssuedEvent"),
        TopicSpec(TopicKind.DEVICE_STATUS, "device/{kind}/{id}/status", "device (LWT) → all",
                  1, True, "Presence"),
        TopicSpec(TopicKind.HUB_STATUS, "hub/status", "hub (LWT) → all", 1, True, "HubStatus"),
    )
}


#: Command topics, and the device kind each belongs to.
COMMAND_KINDS = {TopicKind.COUNTER_CMD: "counter", TopicKind.KIOSK_CMD: "kiosk"}
_DEVICE_OF_TOPIC = {
    TopicKind.COUNTER_CMD: "counter", TopicKind.COUNTER_REPLY: "counter",
    TopicKind.COUNTER_STATE: "counter", TopicKind.KIOSK_CMD: "kiosk",
    TopicKind.KIOSK_REPLY: "kiosk",
}


@dataclass(frozen=True)
class ParsedTopic:
    """A topic recognised as part of the contract.

    ``key`` is the counter number (int) for counter topics, the kiosk id or service code
    (str), ``(device kind, device id)`` for device status, and None for site-wide topics.
    """

    kind: TopicKind
    key: int | str | tuple[str, str] | None

    @property
    def is_command(self) -> bool:
        """Whether this is a counter or kiosk command topic."""
        return self.kind in COMMAND_KINDS

    @property
    def device(self) -> tuple[str, str] | None:
        """``(device kind, device id)`` of a device topic (counter, kiosk, device status),
        e.g. ``("kiosk", "1")`` for ``kiosk/1/cmd``; None for site-wide and service topics."""
        if self.kind is TopicKind.DEVICE_STATUS:
            return self.key  # type: ignore[return-value]
        kind = _DEVICE_OF_TOPIC.get(self.kind)
        return (kind, str(self.key)) if kind else None

    @property
    def source(self) -> str | None:
        """The requester's name for idempotence and logs, ``"kiosk/1"`` or ``"counter/3"``."""
        device = self.device
        return f"{device[0]}/{device[1]}" if device else None


class Topics:
    """Topic builder and parser for one site: ``Topics("hcm-q1").counter_cmd(3)``.

    Builders raise ValueError for an id that is not topic-safe, so a ``+``, ``#`` or ``/``
    can never widen a subscription or an ACL.
    """

    def __init__(self, site: str) -> None:
        self.site = _require_slug(site, "site id")
        self.root = f"{ROOT_PREFIX}/{site}"

    def _counter(self, n: int, leaf: str) -> str:
        return f"{self.root}/counter/{_require_counter_number(n)}/{leaf}"

    def _kiosk(self, k: str, leaf: str) -> str:
        return f"{self.root}/kiosk/{_require_slug(k, 'kiosk id')}/{leaf}"

    def counter_cmd(self, n: int) -> str:
        return self._counter(n, "cmd")

    def counter_reply(self, n: int) -> str:
        return self._counter(n, "reply")

    def counter_reply_filter(self, n: int) -> str:
        """Everything a counter device should hear back: its reply topic and subtree."""
        return self._counter(n, "reply/#")

    def counter_state(self, n: int) -> str:
        return self._counter(n, "state")

    def counter_subtree(self, n: int) -> str:
        """Every topic of one counter (cmd, reply and below, state): for its ACL."""
        return self._counter(n, "#")

    def kiosk_cmd(self, k: str) -> str:
        return self._kiosk(k, "cmd")

    def kiosk_reply(self, k: str) -> str:
        return self._kiosk(k, "reply")

    def kiosk_subtree(self, k: str) -> str:
        return self._kiosk(k, "#")

    def service_state(self, code: str) -> str:
        return f"{self.root}/service/{_require_slug(code, 'service code')}/state"

    def board(self) -> str:
        return f"{self.root}/board"

    def procedures(self) -> str:
        """The procedure catalog (retained), which kiosks search offline."""
        return f"{self.root}/procedures"

    def event_called(self) -> str:
        return f"{self.root}/event/called"

    def event_issued(self) -> str:
        return f"{self.root}/event/issued"

    def device_status(self, kind: str, device_id: str | int) -> str:
        if kind not in DEVICE_KINDS:
            raise ValueError(f"device kind must be one of {DEVICE_KINDS}, got {kind!r}")
        if isinstance(device_id, int):
            device_id = str(_require_counter_number(device_id))
        return f"{self.root}/device/{kind}/{_require_slug(device_id, 'device id')}/status"

    def hub_status(self) -> str:
        return f"{self.root}/hub/status"

    def counter_cmd_filter(self) -> str:
        return f"{self.root}/counter/+/cmd"

    def kiosk_cmd_filter(self) -> str:
        return f"{self.root}/kiosk/+/cmd"

    def counter_state_filter(self) -> str:
        return f"{self.root}/counter/+/state"

    def service_state_filter(self) -> str:
        return f"{self.root}/service/+/state"

    def device_status_filter(self) -> str:
        return f"{self.root}/device/+/+/status"

    def command_filters(self) -> tuple[str, str]:
        """The hub's command subscriptions: ``counter/+/cmd`` and ``kiosk/+/cmd``."""
        return (self.counter_cmd_filter(), self.kiosk_cmd_filter())

    def site_filter(self) -> str:
        return f"{self.root}/#"

    def parse(self, topic: str) -> ParsedTopic | None:
        """Return what ``topic`` is, or None when it is not a topic of this site's contract.

        A reply subtree topic (``counter/3/reply/x``, used as an MQTT v5 response topic)
        parses as that device's reply. Counter numbers must be canonical (``3``, not ``03``).
        """
        prefix = self.root + "/"
        if not topic.startswith(prefix):
            return None
        levels = topic[len(prefix):].split("/")
        match levels:
            case ["board"]:
                return ParsedTopic(TopicKind.BOARD, None)
            case ["procedures"]:
                return ParsedTopic(TopicKind.PROCEDURES, None)
            case ["event", "called"]:
                return ParsedTopic(TopicKind.EVENT_CALLED, None)
            case ["event", "issued"]:
                return ParsedTopic(TopicKind.EVENT_ISSUED, None)
            case ["hub", "status"]:
                return ParsedTopic(TopicKind.HUB_STATUS, None)
            case ["service", code, "state"] if is_slug(code):
                return ParsedTopic(TopicKind.SERVICE_STATE, code)
            case ["device", kind, device_id, "status"] if kind in DEVICE_KINDS and is_slug(
                device_id
            ):
                return ParsedTopic(TopicKind.DEVICE_STATUS, (kind, device_id))
            case ["counter", number, *rest] if _CANONICAL_POSITIVE_INT.fullmatch(number):
                kind = _device_leaf_kind(rest, TopicKind.COUNTER_CMD, TopicKind.COUNTER_REPLY,
                                         TopicKind.COUNTER_STATE)
                return ParsedTopic(kind, int(number)) if kind else None
            case ["kiosk", kiosk_id, *rest] if is_slug(kiosk_id):
                kind = _device_leaf_kind(rest, TopicKind.KIOSK_CMD, TopicKind.KIOSK_REPLY, None)
                return ParsedTopic(kind, kiosk_id) if kind else None
        return None

    def reply_topic_for(self, cmd_topic: str) -> str:
        """Return the reply topic of a counter or kiosk command topic.

        Raises:
            ValueError: ``cmd_topic`` is not a command topic of this site.
        """
        parsed = self.parse(cmd_topic)
        if parsed is None or parsed.kind not in _REPLY_OF_COMMAND:
            raise ValueError(f"not a command topic of site {self.site!r}: {cmd_topic!r}")
        return cmd_topic[: -len("cmd")] + "reply"

    def response_topic_allowed(self, cmd_topic: str, response_topic: str) -> bool:
        """Return whether a v5 response topic lies in the requester's own reply subtree.

        Only the device's reply topic itself or a topic below it is honoured, so one device
        cannot make the hub publish onto another device's (or the board's) topics.
        """
        try:
            own_reply = self.reply_topic_for(cmd_topic)
        except ValueError:
            return False
        if response_topic == own_reply:
            return True
        if not response_topic.startswith(own_reply + "/") or len(response_topic) > 1024:
            return False
        below = response_topic[len(own_reply) + 1:].split("/")
        return all(level and not set(level) & {"+", "#", "\x00"} for level in below)


_REPLY_OF_COMMAND = {TopicKind.COUNTER_CMD, TopicKind.KIOSK_CMD}


def _device_leaf_kind(
    rest: list[str], cmd: TopicKind, reply: TopicKind, state: TopicKind | None
) -> TopicKind | None:
    match rest:
        case ["cmd"]:
            return cmd
        case ["reply", *below] if all(below):
            return reply
        case ["state"] if state is not None:
            return state
    return None


def parse_topic(topic: str) -> tuple[str, ParsedTopic] | None:
    """Return ``(site, parsed)`` for a contract topic of any site, else None."""
    prefix = ROOT_PREFIX + "/"
    site = topic[len(prefix):].split("/", 1)[0] if topic.startswith(prefix) else ""
    if not is_slug(site):
        return None
    parsed = Topics(site).parse(topic)
    return (site, parsed) if parsed is not None else None


def spec_of(kind: TopicKind) -> TopicSpec:
    """Return the QoS, retain flag and expiry the contract gives to ``kind``."""
    return TOPIC_SPECS[kind]
