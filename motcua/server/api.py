"""``/api/v1``: services, tickets and the board for kiosks, phones and integrations.

Reads come from the committed snapshot the writer thread builds (:mod:`motcua.snapshot`),
never from its live state; a ticket of an earlier business day, which the writer no longer
changes, is read from the database. The writes, a kiosk issuing a ticket and a holder
cancelling theirs, go through the dispatcher like MQTT commands, with the client's
``Idempotency-Key`` as request id and the contract's argument models as the one check.
Status codes: ``docs/http.md``.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import sqlalchemy as sa
import sqlalchemy.exc
from flask import Blueprint, Response, jsonify, request, url_for

from motcua import contract
from motcua.devices import verify_token
from motcua.dispatch import Request, Result
from motcua.domain import Command, Priority, SiteState
from motcua.domain.views import ticket_view
from motcua.snapshot import Snapshot
from motcua.store import codec
from motcua.store.schema import ticket as ticket_table

from .errors import ApiError, error_response
from .openapi import openapi_document
from .runtime import HubRuntime, committed_snapshot, current_runtime, todays_ticket

log = logging.getLogger(__name__)

api = Blueprint("api_v1", __name__, url_prefix="/api/v1")

#: How long a request thread waits for the dispatcher's durable answer. Past it the
#: command may still be committed: a client retrying with the same Idempotency-Key
#: then gets that ticket, not a second one.
EXECUTE_TIMEOUT_S = 10.0
#: Device kind allowed to issue tickets, and the prefix of its idempotence source.
ISSUING_KIND = "kiosk"
#: Ticket ids are ``dispatch.new_ticket_id()`` (24 characters); the column holds at most 40.
MAX_TICKET_ID_LENGTH = 40
REPLAY_HEADER = "Idempotent-Replay"
#: Domain action of a holder cancelling from the public ticket page.
HOLDER_CANCEL_ACTION = "cancel_by_holder"


@api.after_request
def _no_store(response: Response) -> Response:
    # Queue data is live: a cached ticket or board would show a citizen the wrong number.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- services -------------------------------------------------------------------------


@api.get("/services")
def list_services() -> Response:
    """Every service with its queue length, the wait a new ticket faces, its open counters."""
    runtime = current_runtime()
    snapshot = committed_snapshot(runtime)
    return jsonify({
        "site": runtime.setup.site_id,
        "services": list(snapshot.services),
        "priorities": _priorities(runtime),
    })


def _priorities(runtime: HubRuntime) -> list[dict[str, str]]:
    """The priority groups a kiosk offers, with the site's labels (every group, labelled
    by its code, when the runtime has no labels)."""
    labels = {Priority(key): label for key, label in (runtime.priority_labels or {}).items()}
    offered = [p for p in Priority if p in labels] or list(Priority)
    return [{"code": p.value, "label": labels.get(p, p.value)} for p in offered]


# --- tickets --------------------------------------------------------------------------


@api.post("/tickets")
def issue_ticket() -> Response:
    """Issue a ticket for a kiosk (device token required), idempotent by Idempotency-Key."""
    runtime = current_runtime()
    device_id = _authenticate(runtime, ISSUING_KIND)
    request_id = _idempotency_key()
    args = _issue_args()
    result = _execute(runtime, Request(
        Command("issue", args), source=f"http/{ISSUING_KIND}/{device_id}",
        request_id=request_id))
    headers = {REPLAY_HEADER: "true"} if result.repeated else {}
    if not result.ok:
        return error_response(result.error, headers=headers)
    response = jsonify(result.ticket)
    response.status_code = 201
    response.headers["Location"] = url_for(".get_ticket", ticket_id=result.ticket["id"])
    response.headers.update(headers)
    return response


@api.post("/tickets/<ticket_id>/cancel")
def cancel_ticket(ticket_id: str) -> Response:
    """The holder cancels their ticket; the unguessable id is the proof (no device token)."""
    runtime = current_runtime()
    ticket = _checked_ticket_reference(ticket_id)
    # Only the token opens this: a number such as A015 is public (the board shows it).
    _snapshot, view = todays_ticket(runtime, ticket)
    if view is None:
        raise ApiError("unknown_ticket", ticket=ticket)
    result = _execute(runtime, Request(
        Command(HOLDER_CANCEL_ACTION, {"ticket": ticket}), source="http/holder",
        request_id=_idempotency_key()))
    if not result.ok:
        return error_response(result.error)
    return jsonify(result.ticket)


@api.get("/devices")
def list_devices() -> Response:
    """Every device the hub has heard of: kind, id, online, kiosk printer, last seen."""
    return jsonify(current_runtime().device_list())


@api.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    """A ticket by its unguessable id: today's from the committed snapshot, an earlier
    day's from the database."""
    runtime = current_runtime()
    if len(ticket_id) > MAX_TICKET_ID_LENGTH:
        raise ApiError("unknown_ticket", ticket=ticket_id[:MAX_TICKET_ID_LENGTH])
    view, _today = find_ticket(runtime, ticket_id)
    if view is None:
        raise ApiError("unknown_ticket", ticket=ticket_id)
    return jsonify(view)


def find_ticket(runtime: HubRuntime, ticket_id: str) -> tuple[Mapping[str, Any] | None, bool]:
    """``(view, of_today)`` of a ticket by its id: today's from the committed snapshot
    (``of_today`` True), an earlier day's, which is final, from the database; ``(None,
    False)`` when no ticket has this id.

    Raises:
        ApiError: 503 ``not_ready`` or ``storage_error`` when neither can be read now.
    """
    snapshot, view = todays_ticket(runtime, ticket_id)
    if view is not None:
        return view, True
    return _past_ticket(runtime, snapshot, ticket_id), False


def _past_ticket(runtime: HubRuntime, snapshot: Snapshot,
                 ticket_id: str) -> dict[str, Any] | None:
    """A ticket of a business day before the snapshot's: final, so its row never changes
    again and reading it cannot race the writer. Today's rows are never read here."""
    if snapshot.business_day is None:
        return None
    try:
        with runtime.store.engine.connect() as conn:
            row = conn.execute(sa.select(ticket_table).where(
                ticket_table.c.site_id == runtime.store.site_id,
                ticket_table.c.id == ticket_id,
                ticket_table.c.business_day < snapshot.business_day)).first()
    except sqlalchemy.exc.SQLAlchemyError:
        log.exception("cannot read ticket %s from the database", ticket_id)
        raise ApiError("storage_error") from None
    if row is None:
        return None
    stored = codec.ticket_from_row(row)
    # A past day's ticket is final, so the view needs nothing but the site's time zone.
    return ticket_view(SiteState(setup=runtime.setup), stored)


# --- board and document ---------------------------------------------------------------


@api.get("/board")
def get_board() -> Response:
    """The lobby board, the same object as the retained MQTT ``board`` topic, as of the
    last commit."""
    return jsonify(committed_snapshot(current_runtime()).board)


@api.get("/openapi.json")
def get_openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


# --- helpers --------------------------------------------------------------------------


def _authenticate(runtime: HubRuntime, kind: str) -> str:
    """The id of the ``kind`` device whose bearer token the request carries, or 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="motcua"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("unauthorized", headers=challenge)
    try:
        device_id = verify_token(runtime.store.engine, runtime.store.site_id, token.strip(), kind)
    except sqlalchemy.exc.SQLAlchemyError:
        log.exception("cannot check a device token")
        raise ApiError("storage_error") from None
    if device_id is None:
        log.info("refused a %s token from %s", kind, request.remote_addr)
        raise ApiError("unauthorized", headers=challenge)
    return device_id


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not contract.is_request_id(key):
        raise ApiError("invalid_argument", field="Idempotency-Key")
    return key


def _issue_args() -> dict[str, Any]:
    """The checked ``{"service", "priority"}`` of the body (the contract's own check for
    the kiosk ``issue`` action); unknown fields are ignored."""
    try:
        document = contract.json_object(request.get_data())
        return contract.parse_args(contract.TopicKind.KIOSK_CMD, "issue", document)
    except contract.ContractError as error:
        raise ApiError(error.code, **error.params) from None


def _checked_ticket_reference(ticket_id: str) -> str:
    """``ticket_id`` checked as the ``ticket`` argument of the counter ``cancel`` action."""
    try:
        return contract.parse_args(contract.TopicKind.COUNTER_CMD, "cancel",
                                   {"ticket": ticket_id})["ticket"]
    except contract.ContractError as error:
        raise ApiError(error.code, **error.params) from None


def _execute(runtime: HubRuntime, command: Request) -> Result:
    try:
        return runtime.dispatcher.execute(command, timeout=EXECUTE_TIMEOUT_S)
    except TimeoutError:
        log.warning("dispatcher did not answer %s within %.0f s", command.command.action,
                    EXECUTE_TIMEOUT_S)
        raise ApiError("hub_timeout") from None
