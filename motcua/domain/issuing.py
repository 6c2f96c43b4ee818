"""Handing out numbers (kiosk ``issue``, and the number a walk-in takes) and letting the
tickets nobody will serve expire (the internal ``tick``)."""

from __future__ import annotations

import datetime as dt

from . import arguments
from .context import Context, Decision
from .errors import DomainError
from .model import CounterStatus, Priority, SiteState, Ticket
from .numbering import business_day, format_number, local_time


def issue_ticket(
    ctx: Context, code: str, priority: Priority, reason: str | None, origin: str,
    dossier: str | None = None,
) -> str:
    """Emit ``ticket_issued`` for the next number of ``code``'s prefix; return the new id.

    ``dossier`` is the code of the dossier a return-of-results ticket is for (the hub
    checked it is ready); the event carries it only when set."""
    state = ctx.state
    service = state.setup.services[code]
    ticket_id = ctx.new_id()
    seq_no = state.last_numbers.get(service.prefix, 0) + 1
    # Issue order is queue order: never stamp an issue before the day's previous one (the
    # clock may step back). Two issues at the same instant sort by prefix and number,
    # which within a service's line (one prefix) is still issue order.
    last = state.index.last_issued_at
    stamped = {}
    if last is not None and ctx.now < last:
        stamped["issued_at"] = last.isoformat()
    if dossier is not None:
        stamped["dossier"] = dossier
    ctx.emit(
        "ticket_issued",
        ticket_id,
        counter=None,
        number=format_number(service.prefix, seq_no),
        prefix=service.prefix,
        seq_no=seq_no,
        service=code,
        priority=priority.value,
        priority_reason=reason,
        business_day=business_day(ctx.now, state.setup.timezone).isoformat(),
        origin=origin,
        **stamped,
    )
    return ticket_id



def issue_refusal(state: SiteState, code: str, now: dt.datetime) -> DomainError | None:
    """Why a kiosk could not issue a ticket of ``code`` at ``now``, or None if it can."""
    service = state.setup.services.get(code)
    if service is None:
        return DomainError("unknown_service", service=code)
    if not service.active:
        return DomainError("service_inactive", service=code)
    local = local_time(now, state.setup.timezone)
    if not any(session.is_open(local) for session in state.setup.sessions):
        return DomainError("outside_hours")
    if service.daily_cap is not None:
        # Kiosk tickets issued for the service today, wherever transfers took them.
        if state.index.issued.get(code, 0) >= service.daily_cap:
            return DomainError("sold_out", service=service.name)
    return None


def issue(ctx: Context) -> Decision:
    """The kiosk action: a number for ``service`` if the hours, cap and service allow."""
    args = ctx.command.args
    code = arguments.required_str(args, "service", 64)
    priority = arguments.priority(args)
    reason = arguments.optional_str(args, "reason")
    dossier = arguments.optional_str(args, "dossier", 64)
    refusal = issue_refusal(ctx.state, code, ctx.now)
    if refusal is not None:
        raise refusal
    ticket_id = issue_ticket(ctx, code, priority, reason, origin="kiosk", dossier=dossier)
    return Decision(ctx.events, ticket_id)


def tick(ctx: Context) -> Decision:
    """Expire the tickets nobody will serve today (see :func:`serving_over`)."""
    state = ctx.state
    if not serving_over(state, ctx.now):
        return Decision(ctx.events)
    served = {code for number, counter in state.counters.items()
              if counter.status is not CounterStatus.CLOSED
              for code in state.counter_services(number)}
    index = state.index
    doomed: list[Ticket] = []
    for code in set(index.waiting) | set(index.held):
        if code in served:
            continue  # an open or paused counter still calls this service
        doomed += [state.tickets[key[-1]] for prio in (True, False)
                   for key in index.line(code, prio)]
        doomed += [state.tickets[i] for i in index.held_in(code)]
    for ticket in sorted(doomed, key=lambda t: (t.issued_at, t.prefix, t.seq_no)):
        ctx.emit("ticket_expired", ticket.id, counter=None, reason="serve_end")
    # Tickets reserved for a counter live as long as it is not closed; closing it hands
    # them back to their service's line, which the next tick judges.
    return Decision(ctx.events)


def serving_over(state: SiteState, now: dt.datetime) -> bool:
    """Whether tickets still waiting or held may expire at ``now``: from ``serve_until``
    if the site sets it, else once the day's last issuing session has ended (or on a day
    without sessions). Even then a ticket lives while an open or paused counter serves
    its service; with no ``serve_until`` that means "when the last such counter closes"."""
    local = local_time(now, state.setup.timezone)
    serve_until = state.setup.rules.serve_until
    if serve_until is not None:
        return local.time() >= serve_until
    todays = [s for s in state.setup.sessions if local.weekday() in s.weekdays]
    return not todays or local.time() >= max(s.end for s in todays)
