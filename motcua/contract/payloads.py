"""Payloads the hub publishes (and device presence): tickets, replies, state, board, events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from .fields import (
    ContractModel,
    Count,
    CounterNumber,
    CounterStatus,
    Epoch,
    Name,
    Prefix,
    PrinterStatus,
    Priority,
    RequestId,
    Seq,
    ServiceCode,
    ShortText,
    SparseModel,
    TicketNumber,
    TicketStatus,
    Timestamp,
)


class Ticket(ContractModel):
    """A queue ticket. ``dossier`` is present on return-of-results tickets only."""

    id: ShortText = Field(description="unguessable token (public ticket page /t/{id})")
    number: TicketNumber
    service: ServiceCode
    prefix: Prefix
    priority: Priority
    status: TicketStatus
    counter: CounterNumber | None
    issued_at: Timestamp
    waiting_ahead: Count
    est_wait_s: Count | None
    # exclude_if, not SparseModel: its Python serializer would cost every ticket dumped
    # (counter states, replies) about 20 %; this check runs in pydantic-core.
    dossier: ShortText | None = Field(
        None, exclude_if=lambda value: value is None,
        description="dossier code of a return-of-results ticket; absent otherwise")


class ErrorInfo(ContractModel):
    """Why a command was refused; the same object as an HTTP error body's ``error``."""

    code: ShortText
    message: StrictStr = Field(description="Vietnamese text for people (no English)")
    message_en: StrictStr = Field("", description="the English text")
    params: dict[str, StrictStr | StrictInt | StrictFloat | StrictBool] = Field(
        default_factory=dict, description="values filled into the messages (bounded)")


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


Lateness = Literal["early", "on_time", "late"]
DossierStage = Literal["submitted", "received", "refused", "in_progress", "supplement",
                       "payment", "withdrawn", "stopped", "ready", "returned"]


class ProcedureRef(ContractModel):
    code: ShortText = Field(description="national procedure code, e.g. 1.000234")
    name: Name
    field: Name = Field("", description="lĩnh vực")


class DossierStep(ContractModel):
    """One status of a dossier's history, oldest first in ``timeline``."""

    status: Annotated[StrictInt, Field(ge=1, le=10)]
    label: Name = Field(description="Vietnamese name of the status (DOMAIN.md section 3)")
    stage: DossierStage
    at: Timestamp
    note: Name = ""


class DossierView(ContractModel):
    """A dossier as the public sees it (kiosk lookup, ``GET /api/v1/dossiers/{code}``):
    personal data masked, lateness computed from the appointment date."""

    code: ShortText
    procedure: ProcedureRef
    applicant: Name = Field(description='masked, e.g. "Nguyễn V. A."')
    phone: Name = Field("", description='masked, e.g. "09xx xxx 123"')
    status: Annotated[StrictInt, Field(ge=1, le=10)]
    label: Name
    stage: DossierStage
    received_at: Timestamp
    appointment: dt.date = Field(description="ngày hẹn trả as first set")
    new_appointment: dt.date | None = Field(
        None, description="the new date of an apology (Mẫu 04), when there is one")
    apology: Name | None = Field(None, description="the apology's reason, when late")
    lateness: Lateness = Field(description="sớm hạn / đúng hạn / quá hạn, computed")
    returnable: StrictBool = Field(
        description="ready for return: a return-of-results ticket may be taken for it")
    return_service: ServiceCode | None = Field(
        None, description="the service of the return-of-results ticket")
    timeline: list[DossierStep]


class ProcedureInfo(ContractModel):
    """A procedure of the catalog as kiosks show it (tra cứu thủ tục hành chính)."""

    code: ShortText
    name: Name
    field: Name = ""
    documents: list[Name] = Field(default_factory=list, description="giấy tờ cần nộp")
    processing_days: Count | None = Field(
        None, description="legal time limit in working days; 0 = within the day")
    processing_note: Name = ""
    fee: Name = Field("", description="lệ phí, as text")
    service: ServiceCode | None = Field(
        None, description="the queue service to take a number for, if any")


class ProcedureCatalog(ContractModel):
    """Retained on ``procedures``: the whole active catalog, republished when it changes.
    ``version`` changes with the content, so a kiosk can tell a new catalog cheaply."""

    at: Timestamp
    version: ShortText
    procedures: list[ProcedureInfo]


class Reply(SparseModel):
    """The hub's answer on the device's reply topic (or honoured response topic)."""

    omit_when_none = frozenset({"counter", "dossier"})

    id: RequestId | None = Field(description="the command's id; null if it was unreadable")
    ok: StrictBool
    ticket: Ticket | None = None
    error: ErrorInfo | None = None
    counter: CounterState | None = Field(default=None, description="counter after a command")
    dossier: DossierView | None = Field(default=None, description="answer to kiosk lookup")

    @model_validator(mode="after")
    def _error_exactly_when_refused(self) -> Reply:
        if self.ok == (self.error is not None):
            raise ValueError("error must be null when ok is true, and set when ok is false")
        return self


class ServiceState(_Stamped):
    code: ServiceCode
    name: Name
    prefix: Prefix
    field: Name = Field("", description="lĩnh vực, how kiosks group their buttons")
    waiting: Count
    est_wait_s: Count | None = None
    issuing: StrictBool = Field(description="kiosks may issue now (hours, cap, active)")


class BoardCounter(ContractModel):
    counter: CounterNumber
    name: Name
    status: CounterStatus
    ticket: TicketNumber | None = Field(
        description="number being served, e.g. A015"
    )


class BoardService(ContractModel):
    code: ServiceCode
    name: Name
    waiting: Count


class RecentCall(ContractModel):
    ticket: TicketNumber
    counter: CounterNumber
    service: ServiceCode
    at: Timestamp


class Board(_Stamped):
    counters: list[BoardCounter]
    services: list[BoardService]
    recent: list[RecentCall] = Field(description="last calls, newest first")


class CalledEvent(_Stamped):
    ticket: TicketNumber = Field(
        description="number called, e.g. A015"
    )
    counter: CounterNumber
    service: ServiceCode
    recall: Count = Field(description="0 for the first call, then 1, 2, ...")


class IssuedEvent(_Stamped):
    """A number was issued. It carries no ticket id: the id opens the ticket's page."""

    ticket: TicketNumber
    service: ServiceCode
    prefix: Prefix
    priority: Priority
    waiting: Count = Field(description="tickets now waiting for this service")


class Presence(SparseModel):
    """Retained status of a process; its LWT is ``{"online": false}``. Extra fields kept."""

    model_config = ConfigDict(extra="allow")
    omit_when_none = frozenset({"version", "printer"})

    online: StrictBool
    version: ShortText | None = None
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


def dump_view(body: Mapping[str, Any]) -> bytes:
    """Serialise a payload the hub built itself (the domain's views, a Result's reply)
    as :func:`dump` would serialise its validated model, without validating it again.

    The promise rests on the builders, not on a check here: ``body`` holds only JSON
    values, timestamps already as ISO text, in the shape of its contract model.
    ``tests/integration/test_publisher.py`` validates every kind the hub builds against
    its model over a day of commands, each dumped to the same JSON document. Validating
    each of them again cost the hub about a tenth of its time per command (bench
    hub_roundtrip). Never use it for what came from outside the hub.

    orjson writes the same compact UTF-8 JSON as the standard library's encoder with
    ``ensure_ascii=False``, about eighteen times faster: the board of 50 counters, dumped
    after every commit, took 270 µs with ``json`` and takes 15 µs.
    """
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
