"""Field types shared by commands and hub payloads: one place, one limit per kind of value.

Text fields refuse control characters (NUL, newlines, escapes, C1 codes): a clerk's name
or a request id is published in retained state and shown on screens, so what is refused
here can never reach them. Every text has a maximum length, so nothing unbounded is
ever echoed back.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_serializer,
)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
_SLUG = re.compile(SLUG_PATTERN)
#: Printable text: no C0/C1 control character and no DEL.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
#: Action names: short snake_case words; anything else is refused before it is echoed.
ACTION_PATTERN = r"^[a-z][a-z_]{0,31}$"
MAX_ACTION_CHARS = 32
MAX_ID_CHARS = 64
MAX_SHORT_TEXT_CHARS = 64
MAX_NAME_CHARS = 200

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


def is_slug(value: object) -> bool:
    """Return whether ``value`` is a topic-safe slug (site, kiosk, service code, ...)."""
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def _timestamp_from_text(value: object) -> object:
    # Lax pydantic datetimes accept bare numbers as Unix time; the contract wants ISO text.
    if isinstance(value, str):
        if len(value) > 40:
            raise ValueError("timestamp too long")
        return dt.datetime.fromisoformat(value)
    if value is None or isinstance(value, dt.datetime):
        return value
    raise ValueError("expected an ISO 8601 timestamp with offset")


def _text(min_length: int, max_length: int) -> Any:
    return Annotated[StrictStr, StringConstraints(
        min_length=min_length, max_length=max_length, pattern=PRINTABLE_PATTERN)]


Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_from_text)]
Slug = Annotated[StrictStr, StringConstraints(pattern=SLUG_PATTERN)]
ServiceCode = Slug
CounterNumber = Annotated[StrictInt, Field(gt=0)]
Count = Annotated[StrictInt, Field(ge=0)]
RequestId = _text(1, MAX_ID_CHARS)
ActionName = Annotated[StrictStr, StringConstraints(max_length=MAX_ACTION_CHARS,
                                                    pattern=ACTION_PATTERN)]
ShortText = _text(1, MAX_SHORT_TEXT_CHARS)
Name = _text(0, MAX_NAME_CHARS)
Epoch = _text(1, MAX_ID_CHARS)
Seq = Annotated[StrictInt, Field(ge=0)]
TicketNumber = _text(1, 16)
Prefix = _text(1, 8)


class ContractModel(BaseModel):
    """Base of every payload: unknown fields ignored, scalar types strict."""

    model_config = ConfigDict(extra="ignore")


class SparseModel(ContractModel):
    """A payload whose fields listed in ``omit_when_none`` are left out of the JSON when
    None, so optional extensions do not clutter payloads (the LWT stays
    ``{"online":false}``).

    A separate base because the omitting serializer is a Python call per model dumped:
    on the board (a model per counter and per recent call) it tripled the cost of
    ``model_dump_json``; the models without such fields do not pay it.
    """

    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_empty_extensions(self, handler: Any) -> Any:
        data = handler(self)
        for name in self.omit_when_none:
            if data.get(name, 0) is None:
                del data[name]
        return data
