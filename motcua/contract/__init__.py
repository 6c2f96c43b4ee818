"""MQTT contract v1: every topic, payload, QoS, retain flag and wire error of motcua.

This package is the only code that builds topic strings or knows payload shapes; the hub
and every device import it, and ``docs/contract.md`` is generated from it
(:mod:`motcua.contract_doc`). ``from motcua import contract`` gives every name below:

- :mod:`~motcua.contract.topics`: the topic table (QoS, retain, expiry), builders, parser;
- :mod:`~motcua.contract.commands`: the command envelope, argument models, ``parse_command``;
- :mod:`~motcua.contract.payloads`: what the hub publishes (replies, state, board, events);
- :mod:`~motcua.contract.fields`: bounded, printable field types shared by all of them;
- :mod:`~motcua.contract.errors`: ``ContractError`` and the error catalog.

Payloads are compact UTF-8 JSON.
"""

from __future__ import annotations

from .commands import (
    ACTION_DESCRIPTIONS,
    ACTIONS,
    COUNTER_ACTIONS,
    KIOSK_ACTIONS,
    MAX_CLOCK_SKEW_S,
    MAX_PAYLOAD_BYTES,
    CallArgs,
    CancelArgs,
    CommandEnvelope,
    IssueArgs,
    LookupArgs,
    NoArgs,
    OpenArgs,
    ParsedCommand,
    PrinterArgs,
    RateArgs,
    SetPriorityArgs,
    TransferArgs,
    WalkInArgs,
    check_clock_skew,
    expiry_is_trusted,
    honoured_expiry_s,
    is_request_id,
    json_object,
    parse_args,
    parse_command,
)
from .errors import ERROR_MESSAGES, ContractError
from .fields import (
    COUNTER_STATUSES,
    MAX_ACTION_CHARS,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_SHORT_TEXT_CHARS,
    PRINTABLE_PATTERN,
    PRINTER_STATUSES,
    PRIORITIES,
    SLUG_PATTERN,
    TICKET_STATUSES,
    ContractModel,
    CounterStatus,
    PrinterStatus,
    Priority,
    TicketStatus,
    is_slug,
)
from .payloads import (
    Board,
    BoardCounter,
    BoardService,
    CalledEvent,
    CounterState,
    DossierStep,
    DossierView,
    ErrorInfo,
    HubStatus,
    IssuedEvent,
    ProcedureCatalog,
    ProcedureInfo,
    ProcedureRef,
    Presence,
    RecentCall,
    Reply,
    ServiceState,
    Ticket,
    dump,
    dump_view,
    offline_presence,
)
from .topics import (
    CALLED_EXPIRY_S,
    CLEAR_RETAINED,
    COMMAND_EXPIRY_S,
    COMMAND_KINDS,
    CONTENT_TYPE,
    CONTRACT_VERSION,
    DEVICE_KINDS,
    ROOT_PREFIX,
    TOPIC_SPECS,
    ParsedTopic,
    TopicKind,
    Topics,
    TopicSpec,
    parse_topic,
    spec_of,
)

__all__ = [name for name in dir() if not name.startswith("_") and name != "annotations"]
