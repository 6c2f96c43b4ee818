"""Commands of contract v1: the envelope, each action's arguments, and the one parser.

On receipt, unknown fields are ignored and wrong types are rejected: scalars are strict
(``"3"`` is not a counter number, ``1`` is not ``true``), timestamps are ISO 8601 text with
an offset, every text is bounded and printable (:mod:`motcua.contract.fields`). The
argument models here are the one place an argument is checked, for MQTT and HTTP alike.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from .errors import ContractError
from .fields import (
    ActionName,
    ContractModel,
    CounterNumber,
    Name,
    Priority,
    PrinterStatus,
    RequestId,
    ServiceCode,
    ShortText,
    SparseModel,
    Timestamp,
)
from .topics import COMMAND_EXPIRY_S, TopicKind

#: Largest command payload the hub reads; bigger ones get ``payload_too_large``. The
#: largest valid command is well under 1 KB; the margin leaves room for extensions.
MAX_PAYLOAD_BYTES = 8192
#: How far ahead of the hub's clock a ``sent_at`` may be: more is ``clock_skew``, so a
#: command stamped in the future cannot escape the 30 s age limit.
MAX_CLOCK_SKEW_S = 5


class CommandEnvelope(SparseModel):
    """A command as published: ``{"id", "action", "sent_at", ...args}``.

    Arguments are the extra fields; they are kept (``extra="allow"``) and validated per
    action by :func:`parse_command`.
    """

    model_config = ConfigDict(extra="allow")
    omit_when_none = frozenset({"sent_at"})

    id: RequestId
    action: ActionName
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
    services: list[ServiceCode] | None = Field(default=None, max_length=64)


class CallArgs(ContractModel):
    ticket: ShortText = Field(description="ticket id or number (e.g. A015)")


class CancelArgs(ContractModel):
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
    reason: Name | None = None


class RateArgs(ContractModel):
    score: Annotated[StrictInt, Field(ge=1, le=5)]
    ticket: ShortText | None = Field(
        default=None, description="the visit rated (id or number): the ticket being served or "
        "the last one finished at this counter; default: that one")


class IssueArgs(ContractModel):
    service: ServiceCode
    priority: Priority = "normal"
    dossier: ShortText | None = Field(
        None, description="dossier code of a return-of-results ticket (it must be ready)")


class LookupArgs(ContractModel):
    code: ShortText


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
    "cancel": CancelArgs,
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
    "cancel": "Cancel a ticket (the citizen left or asked); it is never called again.",
    "pause": "Pause the counter (lunch); the queue stays.",
    "resume": "Resume a paused counter.",
    "close": "Close the counter.",
    "rate": "The citizen's rating of the service just finished.",
    "issue": "Issue a new ticket for a service (limited per kiosk by the hub's issue rate).",
    "lookup": "Look up a dossier by the code scanned from its appointment slip.",
    "printer": "Report the ticket printer's paper status (kept per kiosk, GET /api/v1/devices).",
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


_ENVELOPE_FIELDS = frozenset(CommandEnvelope.model_fields)
_REQUEST_ID = TypeAdapter(RequestId)


def parse_command(kind: TopicKind, payload: bytes) -> ParsedCommand:
    """Validate a command payload received on a ``kind`` command topic.

    Raises:
        ContractError: ``payload_too_large``, ``bad_json`` (not UTF-8, not JSON, not an
            object), ``invalid_argument`` (bad id, action, sent_at or argument; the message
            names the field) or ``unknown_action`` (not an action of this device kind).
            ``request_id`` is set whenever the id itself was valid.
    """
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ContractError("payload_too_large", limit=MAX_PAYLOAD_BYTES,
                            detail=f"{len(payload)} bytes")
    document = json_object(payload)
    envelope = {name: document[name] for name in _ENVELOPE_FIELDS if name in document}
    try:
        checked = CommandEnvelope.model_validate(envelope)
    except ValidationError as error:
        request_id = document.get("id") if is_request_id(document.get("id")) else None
        raise invalid_argument(error, CommandEnvelope, request_id) from None
    if checked.action not in ACTIONS[kind]:
        raise ContractError("unknown_action", request_id=checked.id, action=checked.action)
    raw_args = {name: value for name, value in document.items() if name not in _ENVELOPE_FIELDS}
    args = parse_args(kind, checked.action, raw_args, request_id=checked.id)
    return ParsedCommand(kind, checked.id, checked.action, checked.sent_at, args)


def parse_args(kind: TopicKind, action: str, raw_args: dict[str, Any], *,
               request_id: str | None = None) -> dict[str, Any]:
    """The checked arguments of ``action`` (a known action of ``kind``), defaults filled in.

    HTTP endpoints call this with the JSON body, so an argument has one check and one
    limit whichever way it comes.

    Raises:
        ContractError: ``invalid_argument`` naming the first bad field.
    """
    model = ACTIONS[kind][action]
    try:
        return model.model_validate(raw_args).model_dump()
    except ValidationError as error:
        raise invalid_argument(error, model, request_id) from None


def check_clock_skew(command: ParsedCommand, now: dt.datetime) -> None:
    """Refuse a command whose ``sent_at`` is more than :data:`MAX_CLOCK_SKEW_S` ahead of
    ``now`` (the hub's clock): its age could not be judged. The hub asks this only of
    commands it judges by ``sent_at`` (no trusted broker expiry), so a device with a
    short MQTT expiry keeps working while its clock drifts.

    Raises:
        ContractError: ``clock_skew``, with ``skew_s`` the whole seconds ahead.
    """
    if command.sent_at is None:
        return
    ahead = (command.sent_at - now).total_seconds()
    if ahead > MAX_CLOCK_SKEW_S:
        raise ContractError("clock_skew", request_id=command.id, skew_s=int(ahead),
                            detail=f"sent_at {command.sent_at.isoformat()}")


def honoured_expiry_s(message_expiry_s: int | None) -> int | None:
    """The MQTT v5 message expiry the hub honours: at most :data:`COMMAND_EXPIRY_S`.

    A longer expiry proves nothing about the command's age, so the hub then judges the
    command by ``sent_at`` as if it had none (see :func:`expiry_is_trusted`).
    """
    if message_expiry_s is None:
        return None
    return min(message_expiry_s, COMMAND_EXPIRY_S)


def expiry_is_trusted(message_expiry_s: int | None) -> bool:
    """Whether the broker's expiry alone proves a command fresh (set and ≤ 30 s)."""
    return message_expiry_s is not None and message_expiry_s <= COMMAND_EXPIRY_S


def is_request_id(value: object) -> bool:
    """Whether ``value`` is a valid request id (1–64 printable characters)."""
    try:
        _REQUEST_ID.validate_python(value)
    except ValidationError:
        return False
    return True


def json_object(payload: bytes) -> dict[str, Any]:
    """Decode a UTF-8 JSON object.

    Raises:
        ContractError: ``bad_json`` for anything else.
    """
    try:
        document = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ContractError("bad_json", detail=f"not UTF-8: {error}") from None
    except (ValueError, RecursionError) as error:
        raise ContractError("bad_json", detail=f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ContractError("bad_json", detail=f"JSON {type(document).__name__}, not an object")
    return document


def invalid_argument(
    error: ValidationError, model: type[BaseModel], request_id: str | None
) -> ContractError:
    """The ``invalid_argument`` refusal naming the first bad field of ``error``."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or getattr(model, "combined_field", "?")
    return ContractError("invalid_argument", request_id=request_id, field=field,
                         detail=first["msg"])
