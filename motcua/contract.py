"""MQTT contract v1: every topic, payload, QoS, retain flag and wire error of motcua.

This is the only module that builds topic strings or knows payload shapes; the hub and
every device import it, and ``docs/contract.md`` is generated from it
(:mod:`motcua.contract_doc`). It holds one idea, the wire contract, so it stays one file
even though it is longer than most.

Topics live under the versioned root ``motcua/v1/{site}``. Payloads are compact UTF-8
JSON. On receipt, unknown fields are ignored and wrong types are rejected: scalars are
strict (``"3"`` is not a counter number, ``1`` is not ``true``), timestamps are ISO 8601
text with an offset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_serializer,
    model_validator,
)

CONTRACT_VERSION = 1
ROOT_PREFIX = f"motcua/v{CONTRACT_VERSION}"

#: Largest command payload the hub reads; bigger ones get ``payload_too_large``.
MAX_PAYLOAD_BYTES = 65536
#: MQTT v5 message expiry of commands, and the age past which a command without one
#: (an MQTT 3.1.1 client) is refused: a press made while the hub was down must never
#: call a citizen minutes later.
COMMAND_EXPIRY_S = 30
#: Message expiry of ``event/called``: a display that reconnects later must not announce it.
CALLED_EXPIRY_S = 60
CONTENT_TYPE = "application/json"
#: Publishing this retained clears a retained topic (removed counter or service).
CLEAR_RETAINED = b""

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
_SLUG = re.compile(SLUG_PATTERN)
_CANONICAL_POSITIVE_INT = re.compile(r"^[1-9][0-9]{0,8}$")

Priority = Literal["normal", "elderly", "disabled", "pregnant", "merit", "child"]
TicketStatus = Literal[
    "waiting", "called", "serving", "held", "done", "no_show", "cancelled", "expired"
]
CounterStatus = Literal["closed", "open", "paused"]
PrinterStatus = Literal["ok", "paper_low", "paper_out", "offline", "unknown"]
PRIORITIES: tuple[str, ...] = get_args(Priority)
TICKET_STATUSES: tuple[str, ...] = get_args(TicketStatus)
COUNTER_STATUSES: tuple[str, ...] = get_args(CounterStatus)
PRINTER_STATUSES: tuple[str, ...] = get_args(PrinterStatus)
#: Kinds of process that publish presence on ``device/{kind}/{id}/status``.
DEVICE_KINDS = ("counter", "kiosk", "display", "panel")


# --------------------------------------------------------------------------- errors

#: Wire-level refusals: code -> (Vietnamese, English). ``{name}`` comes from the params.
ERROR_MESSAGES: dict[str, tuple[str, str]] = {
    "payload_too_large": (
        "Yêu cầu quá lớn (tối đa {limit} byte)",
        "Request too large (at most {limit} bytes)",
    ),
    "bad_json": (
        "Yêu cầu không phải là một đối tượng JSON hợp lệ",
        "The request is not a valid JSON object",
    ),
    "invalid_argument": ("Tham số không hợp lệ: {field}", "Invalid argument: {field}"),
    "unknown_action": ("Thao tác không hợp lệ: {action}", "Unknown action: {action}"),
    "expired": ("Yêu cầu đã quá hạn, vui lòng bấm lại", "The request expired; press again"),
}


class ContractError(Exception):
    """A message that breaks the contract. It was not acted on.

    Attributes:
        code: stable machine code, a key of :data:`ERROR_MESSAGES`.
        message_vi: Vietnamese text for people. message_en: the English text.
        request_id: the command's ``id`` when it could be read, so the reply correlates.
        detail: technical detail for logs (never shown to citizens).
    """

    def __init__(
        self, code: str, *, request_id: str | None = None, detail: str = "", **params: object
    ) -> None:
        if code not in ERROR_MESSAGES:
            raise KeyError(f"no message for contract error code {code!r}")
        vi, en = ERROR_MESSAGES[code]
        values = {key: str(value) for key, value in params.items()}
        self.code = code
        self.params = params
        self.request_id = request_id
        self.detail = detail
        self.message_vi = vi.format_map(values)
        self.message_en = en.format_map(values)
        super().__init__(f"{code}: {self.message_en}" + (f" ({detail})" if detail else ""))

    def as_dict(self) -> dict[str, str]:
        """The ``error`` object of a reply: stable code plus "Vietnamese / English" text."""
        return {"code": self.code, "message": f"{self.message_vi} / {self.message_en}"}


# --------------------------------------------------------------------------- ids and topics


def is_slug(value: object) -> bool:
    """Return whether ``value`` is a topic-safe slug (site, kiosk, service code, ...)."""
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


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
        TopicSpec(TopicKind.EVENT_CALLED, "event/called", "hub → displays", 1, False,
                  "CalledEvent", CALLED_EXPIRY_S),
        TopicSpec(TopicKind.EVENT_ISSUED, "event/issued", "hub → all", 0, False, "IssuedEvent"),
        TopicSpec(TopicKind.DEVICE_STATUS, "device/{kind}/{id}/status", "device (LWT) → all",
                  1, True, "Presence"),
        TopicSpec(TopicKind.HUB_STATUS, "hub/status", "hub (LWT) → all", 1, True, "HubStatus"),
    )
}


@dataclass(frozen=True)
class ParsedTopic:
    """A topic recognised as part of the contract.

    ``key`` is the counter number (int) for counter topics, the kiosk id or service code
    (str), ``(device kind, device id)`` for device status, and None for site-wide topics.
    """

    kind: TopicKind
    key: int | str | tuple[str, str] | None


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

    def kiosk_reply_filter(self, k: str) -> str:
        return self._kiosk(k, "reply/#")

    def kiosk_subtree(self, k: str) -> str:
        return self._kiosk(k, "#")

    def service_state(self, code: str) -> str:
        return f"{self.root}/service/{_require_slug(code, 'service code')}/state"

    def board(self) -> str:
        return f"{self.root}/board"

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


# --------------------------------------------------------------------------- field types


def _timestamp_from_text(value: object) -> object:
    # Lax pydantic datetimes accept bare numbers as Unix time; the contract wants ISO text.
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if value is None or isinstance(value, dt.datetime):
        return value
    raise ValueError("expected an ISO 8601 timestamp with offset")


Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_from_text)]
Slug = Annotated[StrictStr, StringConstraints(pattern=SLUG_PATTERN)]
ServiceCode = Slug
CounterNumber = Annotated[StrictInt, Field(gt=0)]
Count = Annotated[StrictInt, Field(ge=0)]
RequestId = Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]
Name = Annotated[StrictStr, StringConstraints(max_length=200)]
Epoch = Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]
Seq = Annotated[StrictInt, Field(ge=0)]


class ContractModel(BaseModel):
    """Base of every payload: unknown fields ignored, scalar types strict.

    Fields listed in ``omit_when_none`` are left out of the JSON when None, so optional
    extensions do not clutter payloads (the LWT stays ``{"online":false}``).
    """

    model_config = ConfigDict(extra="ignore")
    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_empty_extensions(self, handler: Any) -> Any:
        data = handler(self)
        for name in self.omit_when_none:
            if data.get(name, 0) is None:
                del data[name]
        return data


# --------------------------------------------------------------------------- commands


class CommandEnvelope(ContractModel):
    """A command as published: ``{"id", "action", "sent_at", ...args}``.

    Arguments are the extra fields; they are kept (``extra="allow"``) and validated per
    action by :func:`parse_command`.
    """

    model_config = ConfigDict(extra="allow")
    omit_when_none = frozenset({"sent_at"})

    id: RequestId
    action: StrictStr
    sent_at: Timestamp | None = None

    @classmethod
    def new(cls, action: str, sent_at: dt.datetime, **args: Any) -> CommandEnvelope:
        """Build a command with a fresh random id (devices keep it for retries)."""
        return cls(id=uuid.uuid4().hex, action=action, sent_at=sent_at, **args)

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class NoArgs(ContractModel):
    """An action without arguments."""


class OpenArgs(ContractModel):
    clerk: ShortText
    services: list[ServiceCode] | None = None


class CallArgs(ContractModel):
    ticket: ShortText = Field(description="ticket id or number (e.g. A015)")


class TransferArgs(ContractModel):
    #: Field named in the error when both or neither target is given.
    combined_field: ClassVar[str] = "to_service|to_counter"

    to_service: ServiceCode | None = None
    to_counter: CounterNumber | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> TransferArgs:
        if (self.to_service is None) == (self.to_counter is None):
            raise ValueError("give exactly one of to_service or to_counter")
        return self


class WalkInArgs(ContractModel):
    service: ServiceCode | None = None


class SetPriorityArgs(ContractModel):
    ticket: ShortText
    priority: Priority
    reason: Annotated[StrictStr, StringConstraints(max_length=200)] | None = None


class RateArgs(ContractModel):
    score: Annotated[StrictInt, Field(ge=1, le=5)]


class IssueArgs(ContractModel):
    service: ServiceCode
    priority: Priority = "normal"


class LookupArgs(ContractModel):
    code: Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]


class PrinterArgs(ContractModel):
    status: PrinterStatus


COUNTER_ACTIONS: dict[str, type[ContractModel]] = {
    "open": OpenArgs,
    "call_next": NoArgs,
    "call": CallArgs,
    "recall": NoArgs,
    "start": NoArgs,
    "finish": NoArgs,
    "no_show": NoArgs,
    "hold": NoArgs,
    "transfer": TransferArgs,
    "walk_in": WalkInArgs,
    "set_priority": SetPriorityArgs,
    "pause": NoArgs,
    "resume": NoArgs,
    "close": NoArgs,
    "rate": RateArgs,
}
KIOSK_ACTIONS: dict[str, type[ContractModel]] = {
    "issue": IssueArgs,
    "lookup": LookupArgs,
    "printer": PrinterArgs,
}
#: One line per action for the generated document.
ACTION_DESCRIPTIONS: dict[str, str] = {
    "open": "Open the counter for a clerk, optionally with the services served this session.",
    "call_next": "Call the next ticket (finishing the current one first, by default).",
    "call": "Call a specific ticket out of order; also brings back a same-day no_show.",
    "recall": "Call the current ticket again; after the configured recalls it is a no_show.",
    "start": "The citizen arrived: the called ticket is now being served.",
    "finish": "Service of the current ticket is done.",
    "no_show": "The called citizen did not come.",
    "hold": "Put the current ticket aside (held); it returns after some calls or by call.",
    "transfer": "Send the current ticket to another service or counter, keeping its number.",
    "walk_in": "Serve someone without a ticket; a number is taken so the visit is counted.",
    "set_priority": "Change a ticket's priority class, with the reason recorded.",
    "pause": "Pause the counter (lunch); the queue stays.",
    "resume": "Resume a paused counter.",
    "close": "Close the counter.",
    "rate": "The citizen's rating of the service just finished.",
    "issue": "Issue a new ticket for a service.",
    "lookup": "Look up a dossier by the code scanned from its appointment slip.",
    "printer": "Report the ticket printer's paper status.",
}
ACTIONS: dict[TopicKind, dict[str, type[ContractModel]]] = {
    TopicKind.COUNTER_CMD: COUNTER_ACTIONS,
    TopicKind.KIOSK_CMD: KIOSK_ACTIONS,
}


@dataclass(frozen=True)
class ParsedCommand:
    """A command that passed the contract: its id, action, send time and checked args."""

    kind: TopicKind
    id: str
    action: str
    sent_at: dt.datetime | None
    args: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        """Digest of action and args: a repeated id with another fingerprint is reused.

        ``sent_at`` is left out, so a device that re-stamps a retry is not refused.
        """
        canonical = json.dumps([self.action, self.args], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


_ENVELOPE_FIELDS = frozenset(CommandEnvelope.model_fields)


def parse_command(kind: TopicKind, payload: bytes) -> ParsedCommand:
    """Validate a command payload received on a ``kind`` command topic.

    Raises:
        ContractError: ``payload_too_large``, ``bad_json`` (not UTF-8, not JSON, not an
            object), ``invalid_argument`` (bad id, action, sent_at or argument; the message
            names the field) or ``unknown_action`` (not an action of this device kind).
            ``request_id`` is set whenever the id itself was valid.
    """
    actions = ACTIONS[kind]
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ContractError("payload_too_large", limit=MAX_PAYLOAD_BYTES,
                            detail=f"{len(payload)} bytes")
    document = _json_object(payload)
    envelope = {name: document[name] for name in _ENVELOPE_FIELDS if name in document}
    try:
        checked = CommandEnvelope.model_validate(envelope)
    except ValidationError as error:
        request_id = document.get("id") if is_request_id(document.get("id")) else None
        raise _invalid_argument(error, CommandEnvelope, request_id) from None
    args_model = actions.get(checked.action)
    if args_model is None:
        raise ContractError("unknown_action", request_id=checked.id, action=checked.action)
    raw_args = {name: value for name, value in document.items() if name not in _ENVELOPE_FIELDS}
    try:
        args = args_model.model_validate(raw_args)
    except ValidationError as error:
        raise _invalid_argument(error, args_model, checked.id) from None
    return ParsedCommand(kind, checked.id, checked.action, checked.sent_at, args.model_dump())


def is_request_id(value: object) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 64


def _json_object(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ContractError("bad_json", detail=f"not UTF-8: {error}") from None
    except (ValueError, RecursionError) as error:
        raise ContractError("bad_json", detail=f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ContractError("bad_json", detail=f"JSON {type(document).__name__}, not an object")
    return document


def _invalid_argument(
    error: ValidationError, model: type[BaseModel], request_id: str | None
) -> ContractError:
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or getattr(model, "combined_field", "?")
    return ContractError("invalid_argument", request_id=request_id, field=field,
                         detail=first["msg"])


def command_expired(
    command: ParsedCommand, now: dt.datetime, *, message_expiry_s: int | None
) -> bool:
    """Return whether the hub must refuse ``command`` with ``expired``.

    A command carrying an MQTT v5 message expiry was already dropped by the broker if it
    was too old, so only commands without one (MQTT 3.1.1 devices) are judged by their
    ``sent_at``; a command with neither cannot be judged and is accepted.
    """
    if message_expiry_s is not None or command.sent_at is None:
        return False
    return (now - command.sent_at).total_seconds() > COMMAND_EXPIRY_S


# --------------------------------------------------------------------------- hub payloads


class Ticket(ContractModel):
    id: ShortText = Field(description="unguessable token (public ticket page /t/{id})")
    number: Annotated[StrictStr, StringConstraints(min_length=1, max_length=16)]
    service: ServiceCode
    prefix: Annotated[StrictStr, StringConstraints(min_length=1, max_length=8)]
    priority: Priority
    status: TicketStatus
    counter: CounterNumber | None
    issued_at: Timestamp
    waiting_ahead: Count
    est_wait_s: Count | None


class ErrorInfo(ContractModel):
    code: ShortText
    message: StrictStr


class _Stamped(ContractModel):
    """Hub publications carry ``epoch`` + ``seq`` so displays order them and detect resets."""

    epoch: Epoch
    seq: Seq
    at: Timestamp


class CounterState(_Stamped):
    counter: CounterNumber
    name: Name
    status: CounterStatus
    clerk: ShortText | None = None
    services: list[ServiceCode] = []
    ticket: Ticket | None = None


class Reply(ContractModel):
    """The hub's answer on the device's reply topic (or honoured response topic)."""

    omit_when_none = frozenset({"counter", "dossier"})

    id: RequestId | None = Field(description="the command's id; null if it was unreadable")
    ok: StrictBool
    ticket: Ticket | None = None
    error: ErrorInfo | None = None
    counter: CounterState | None = Field(default=None, description="counter after a command")
    dossier: dict[str, Any] | None = Field(default=None, description="answer to kiosk lookup")

    @model_validator(mode="after")
    def _error_exactly_when_refused(self) -> Reply:
        if self.ok == (self.error is not None):
            raise ValueError("error must be null when ok is true, and set when ok is false")
        return self


class ServiceState(_Stamped):
    code: ServiceCode
    name: Name
    prefix: Annotated[StrictStr, StringConstraints(min_length=1, max_length=8)]
    waiting: Count
    est_wait_s: Count | None = None
    issuing: StrictBool = Field(description="kiosks may issue now (hours, cap, active)")


class BoardCounter(ContractModel):
    counter: CounterNumber
    name: Name
    status: CounterStatus
    ticket: Annotated[StrictStr, StringConstraints(max_length=16)] | None = Field(
        description="number being served, e.g. A015"
    )


class BoardService(ContractModel):
    code: ServiceCode
    name: Name
    waiting: Count


class RecentCall(ContractModel):
    ticket: Annotated[StrictStr, StringConstraints(max_length=16)]
    counter: CounterNumber
    service: ServiceCode
    at: Timestamp


class Board(_Stamped):
    counters: list[BoardCounter]
    services: list[BoardService]
    recent: list[RecentCall] = Field(description="last calls, newest first")


class CalledEvent(_Stamped):
    ticket: Annotated[StrictStr, StringConstraints(max_length=16)] = Field(
        description="number called, e.g. A015"
    )
    counter: CounterNumber
    service: ServiceCode
    recall: Count = Field(description="0 for the first call, then 1, 2, ...")


class IssuedEvent(_Stamped):
    """A number was issued. It carries no ticket id: the id opens the ticket's page."""

    ticket: Annotated[StrictStr, StringConstraints(max_length=16)]
    service: ServiceCode
    prefix: Annotated[StrictStr, StringConstraints(min_length=1, max_length=8)]
    priority: Priority
    waiting: Count = Field(description="tickets now waiting for this service")


class Presence(ContractModel):
    """Retained status of a process; its LWT is ``{"online": false}``. Extra fields kept."""

    model_config = ConfigDict(extra="allow")
    omit_when_none = frozenset({"version", "printer"})

    online: StrictBool
    version: StrictStr | None = None
    printer: PrinterStatus | None = Field(default=None, description="kiosks only")


class HubStatus(Presence):
    omit_when_none = frozenset({"version", "printer", "epoch", "started_at"})

    epoch: Epoch | None = None
    started_at: Timestamp | None = None


def offline_presence() -> bytes:
    """The retained last-will payload every process registers before connecting."""
    return dump(Presence(online=False))


def dump(model: BaseModel) -> bytes:
    """Serialise a payload as compact UTF-8 JSON (Vietnamese text stays readable)."""
    return model.model_dump_json().encode("utf-8")
