"""From the hub's ticket object to what the printer prints (one place for both backends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from kiosk.printing import TicketContent


def ticket_content(ticket: Mapping[str, Any], *, center_name: str, service_name: str,
                   priority_label: str | None, url: str, footer: tuple[str, ...] = (),
                   dossier: str | None = None) -> TicketContent:
    """The printed ticket of the contract's ``ticket`` object; ``dossier`` (the code the
    kiosk asked for, or the reply's own ``dossier`` field) makes it a return-of-results
    ticket."""
    return TicketContent(
        center_name=center_name,
        service_name=service_name,
        number=ticket["number"],
        priority_label=priority_label,
        issued_at=dt.datetime.fromisoformat(ticket["issued_at"]),
        waiting_ahead=int(ticket.get("waiting_ahead") or 0),
        est_wait_s=ticket.get("est_wait_s"),
        url=url,
        footer=footer,
        dossier=dossier,
    )
