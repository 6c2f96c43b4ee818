"""The pure queue domain: stdlib only, no I/O, no clock reads (the time is passed in).

``tests/unit/test_domain_imports.py`` enforces that nothing here imports outside the
standard library.
"""

from .engine import ACTIONS, COUNTER_ACTIONS, HOLDER_ACTIONS, KIOSK_ACTIONS, Command, Decision, decide, execute
from .errors import DomainError
from .events import Event, apply_event, replay
from .model import (
    Assignment,
    Counter,
    CounterSetup,
    CounterStatus,
    IssuingSession,
    Priority,
    PriorityMode,
    Rules,
    SelectionMode,
    Service,
    SiteSetup,
    SiteState,
    Ticket,
    TicketStatus,
)

__all__ = [
    "ACTIONS", "COUNTER_ACTIONS", "HOLDER_ACTIONS", "KIOSK_ACTIONS", "Assignment", "Command", "Counter",
    "CounterSetup", "CounterStatus", "Decision", "DomainError", "Event", "IssuingSession",
    "Priority", "PriorityMode", "Rules", "SelectionMode", "Service", "SiteSetup", "SiteState",
    "Ticket", "TicketStatus", "apply_event", "decide", "execute", "replay",
]
