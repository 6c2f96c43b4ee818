"""``/t/{id}``: the citizen's live ticket page, opened from the QR code on the ticket.

The id is the ticket's unguessable token, the page's only key: a ticket number (``A015``,
public on the board) opens nothing, and an unknown or malformed id gets the same
Vietnamese 404 page whatever it looks like, so the page tells nobody which ids exist.
The page shows no personal data (a ticket holds none): number, service, status, people
ahead, estimated wait, counter. ``/t/{id}/events`` streams the contract's ticket view
(the body of ``GET /api/v1/tickets/{id}``) as server-sent events woken by commits
(:mod:`motcua.server.live`); the stream ends once the ticket can no longer change.
A ticket of an earlier business day is read from the database and shown final.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Mapping

from flask import Blueprint, Response, render_template, request

from .api import find_ticket
from .errors import ApiError
from .live import event_stream
from .runtime import HubRuntime, current_runtime
from .ticket_text import (
    LANGUAGES, catalog, hint_text, issued_day, status_text, text, wait_text,
)

log = logging.getLogger(__name__)

ticket_page = Blueprint("ticket_page", __name__)

#: Shape of a token from ``secrets.token_urlsafe`` (the ticket-id column holds 40).
TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
#: Statuses after which a ticket never changes again (a no-show may still be recalled).
ENDED = frozenset({"done", "cancelled", "expired"})
#: SSE event name of a ticket view.
TICKET_EVENT = "ticket"
#: The page's own resources only; the token is in the URL, so no referrer ever leaves.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@ticket_page.get("/t/<ticket_id>")
def show_ticket(ticket_id: str) -> Response:
    """The ticket page, rendered with the ticket as it is now; 404 page if unknown."""
    runtime = current_runtime()
    language = _language()
    view, today = _lookup(runtime, ticket_id)
    if view is None:
        return _missing(language)
    services = {code: service.name for code, service in runtime.setup.services.items()}
    context = {
        "language": language,
        "site_name": runtime.setup.name,
        "view": view,
        "today": today,
        "ended": view["status"] in ENDED or not today,
        "service_name": services.get(view["service"], view["service"]),
        "status_text": status_text(view, language),
        "wait_text": wait_text(view["est_wait_s"], language),
        "hint_text": hint_text(view, today, language),
        "issued_time": view["issued_at"][11:16],
        "issued_day": issued_day(view),
        "page": {
            "ticket": view,
            "today": today,
            "services": services,
            "texts": catalog(),
            "events": f"/t/{ticket_id}/events",
            "cancel": f"/api/v1/tickets/{ticket_id}/cancel",
        },
        "t": lambda key, **params: text(key, language, **params),
    }
    return Response(render_template("ticket.html", **context), headers=PAGE_HEADERS)


@ticket_page.get("/t/<ticket_id>/events")
def ticket_events(ticket_id: str) -> Response:
    """The ticket view as ``text/event-stream``: now, then after every commit that
    changed it; 404 ``unknown_ticket`` JSON for an unknown id."""
    runtime = current_runtime()
    if not TICKET_ID.fullmatch(ticket_id):
        raise ApiError("unknown_ticket", ticket=ticket_id[:40])
    of_today = {"today": True}

    def read() -> Mapping[str, Any] | None:
        view, today = find_ticket(runtime, ticket_id)
        if view is None:
            raise ApiError("unknown_ticket", ticket=ticket_id)
        of_today["today"] = today
        return view

    return event_stream(
        read, TICKET_EVENT,
        final=lambda view: view["status"] in ENDED or not of_today["today"])


@ticket_page.get("/t/")
@ticket_page.get("/t/<path:rest>")
def no_such_page(rest: str = "") -> Response:
    """Anything else under ``/t/``: the same 404 page as an unknown ticket."""
    return _missing(_language())


def _lookup(runtime: HubRuntime, ticket_id: str) -> tuple[Mapping[str, Any] | None, bool]:
    if not TICKET_ID.fullmatch(ticket_id):
        return None, False
    return find_ticket(runtime, ticket_id)


def _missing(language: str) -> Response:
    body = render_template("ticket_missing.html", language=language,
                           t=lambda key, **params: text(key, language, **params))
    return Response(body, status=404, headers=PAGE_HEADERS)


def _language() -> str:
    chosen = request.args.get("lang", LANGUAGES[0])
    return chosen if chosen in LANGUAGES else LANGUAGES[0]
