"""Converting domain objects to rows and back (one place, so load and save agree)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from motcua.domain import (
    Counter,
    CounterStatus,
    Event,
    Priority,
    PriorityMode,
    Rules,
    SelectionMode,
    Ticket,
    TicketStatus,
)


#: Built once: ``json.dumps`` with any option builds a new encoder on every call, and the
#: writer dumps several values per command (request hash, stored reply, event data).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def dumps(value: Any) -> str:
    """Compact, key-sorted JSON (the text stored and hashed: it must not change)."""
    return _ENCODER.encode(value)


def rules_to_json(rules: Rules) -> str:
    values = {k: getattr(v, "value", v) for k, v in dataclasses.asdict(rules).items()}
    if rules.serve_until is not None:
        values["serve_until"] = rules.serve_until.strftime("%H:%M")
    return dumps(values)


def rules_from_json(text: str) -> Rules:
    values = json.loads(text)
    values["priority_mode"] = PriorityMode(values["priority_mode"])
    values["selection"] = SelectionMode(values["selection"])
    if values.get("serve_until") is not None:
        values["serve_until"] = parse_hhmm(values["serve_until"])
    known = {f.name for f in dataclasses.fields(Rules)}
    return Rules(**{k: v for k, v in values.items() if k in known})


def ticket_to_row(site_id: str, ticket: Ticket) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "id": ticket.id,
        "business_day": ticket.business_day,
        "prefix": ticket.prefix,
        "seq_no": ticket.seq_no,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority.value,
        "priority_reason": ticket.priority_reason,
        "status": ticket.status.value,
        "origin": ticket.origin,
        "counter": ticket.counter,
        "reserved_counter": ticket.reserved_counter,
        "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "finished_at": ticket.finished_at,
        "recalls": ticket.recalls,
        "hold_remaining": ticket.hold_remaining,
        "front": ticket.front,
        "rating": ticket.rating,
        "recalls_total": ticket.recalls_total,
        "issued_service": ticket.issued_service,
        "held_at": ticket.held_at,
        "dossier": ticket.dossier,
    }


def ticket_from_row(row: Any) -> Ticket:
    return Ticket(
        id=row.id,
        number=row.number,
        prefix=row.prefix,
        seq_no=row.seq_no,
        service=row.service,
        priority=Priority(row.priority),
        priority_reason=row.priority_reason,
        status=TicketStatus(row.status),
        business_day=row.business_day,
        issued_at=row.issued_at,
        origin=row.origin,
        counter=row.counter,
        reserved_counter=row.reserved_counter,
        called_at=row.called_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        recalls=row.recalls,
        hold_remaining=row.hold_remaining,
        front=bool(row.front),
        rating=row.rating,
        recalls_total=row.recalls_total,
        issued_service=row.issued_service,
        held_at=row.held_at,
        dossier=row.dossier,
    )


def counter_to_row(counter: Counter) -> dict[str, Any]:
    return {
        "status": counter.status.value,
        "clerk": counter.clerk,
        "session_services": dumps(list(counter.session_services)),
        "current_ticket": counter.current,
        "last_served": counter.last_served,
        "normal_streak": counter.normal_streak,
    }


def counter_from_row(row: Any) -> Counter:
    return Counter(
        number=row.number,
        status=CounterStatus(row.status),
        clerk=row.clerk,
        session_services=tuple(json.loads(row.session_services)),
        current=row.current_ticket,
        last_served=row.last_served,
        normal_streak=row.normal_streak,
    )


def event_to_row(site_id: str, seq: int, event: Event, source: str | None,
                 request_id: str | None) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "seq": seq,
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "counter": event.counter,
        "clerk": event.clerk,
        "at": event.at,
        "data": dumps(event.data),
        "source": source,
        "request_id": request_id,
    }


def event_from_row(row: Any) -> Event:
    return Event(row.kind, row.at, row.ticket_id, row.counter, row.clerk, json.loads(row.data))


def parse_hhmm(text: str) -> dt.time:
    return dt.time.fromisoformat(text)
