"""The kiosk's touch pages as a Flask application.

Routes:
    ``GET /``            the single touch page (screens switched by its script)
    ``GET /api/view``    the live view (:meth:`LiveView.as_json`)
    ``GET /events``      the live view as server-sent events (:mod:`kiosk.web.events`)
    ``POST /api/issue``  one confirmed tap → :meth:`IssueOutcome.as_json` plus ``qr_svg``
                         (with ``dossier``: a return-of-results ticket)
    ``POST /api/lookup`` ``{"request_id", "code"}`` → :meth:`LookupOutcome.as_json`, a
                         refusal's texts the kiosk's own calm words
    ``POST /api/scan``   ``{"code"}`` typed by a keyboard-wedge scanner → the scan event
    ``GET /api/procedures?q=`` the retained catalog searched without diacritics
    ``GET /healthz``     ``{"ok": true, "online": …, "version": …}``

The pages only ever read the view and post taps, codes and queries; the backend (the kiosk
process) owns MQTT, the scanner and the printer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import segno
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from kiosk.backend import LOOKUP_ERRORS, IssueOutcome, KioskBackend, LookupOutcome
from kiosk.scanning.feed import ScanEvent
from motcua.contract import ProcedureInfo
from motcua.dossiers.search import search

from .catalog import MessageCatalog, load_catalog
from .events import view_stream
from .issue_request import (
    BadIssueRequest,
    parse_issue_request,
    parse_lookup_request,
    parse_scan_request,
)
from .settings import KioskWebSettings

log = logging.getLogger(__name__)

#: Procedures a search answers with at most.
SEARCH_LIMIT = 20
#: Catalog key of each HTTP error the app answers itself.
_HTTP_ERROR_KEYS = {404: "errors.not_found", 405: "errors.method_not_allowed",
                    413: "errors.too_large"}


def create_kiosk_app(backend: KioskBackend, settings: KioskWebSettings | None = None) -> Flask:
    """Build the touch pages' app around ``backend``; nothing global, one app per call."""
    settings = settings or KioskWebSettings()
    catalog = load_catalog()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    def error_response(status: int, code: str, key: str, **params: Any) -> Response:
        return _json_response({"error": {
            "code": code,
            "message": catalog.text("vi", key, **params),
            "message_en": catalog.text("en", key, **params),
            "params": params,
        }}, status)

    @app.get("/")
    def page() -> str:
        boot = {"settings": _page_settings(settings), "catalog": catalog.as_json(),
                "view": backend.live().as_json()}
        return render_template("kiosk.html", boot=boot, settings=settings,
                               catalog=catalog)

    @app.get("/api/view")
    def view() -> Response:
        return _json_response(backend.live().as_json())

    @app.get("/events")
    def events() -> Response:
        stream = view_stream(backend, settings.sse_keepalive_s, settings.sse_retry_ms)
        return Response(stream, mimetype="text/event-stream", headers={
            "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    def parsed(parser):
        """The parsed body, or the JSON error response to return instead."""
        length = request.content_length
        if length is not None and length > settings.max_request_bytes:
            return None, error_response(413, "payload_too_large", "errors.too_large",
                                        limit=settings.max_request_bytes)
        try:
            return parser(request.get_data(cache=False), request.content_type), None
        except BadIssueRequest as refusal:
            log.info("kiosk page sent a bad %s request: %s", request.path, refusal.key)
            return None, error_response(400, "bad_request", refusal.key, **refusal.params)

    @app.post("/api/issue")
    def issue() -> Response:
        tap, refused = parsed(parse_issue_request)
        if refused is not None:
            return refused
        try:
            if tap.dossier is None:
                outcome = backend.issue(tap.tap_id, tap.service, tap.priority)
            else:
                outcome = backend.issue(tap.tap_id, tap.service, tap.priority,
                                        dossier=tap.dossier)
        except Exception:  # the backend's promise is an outcome; say so on screen anyway
            log.exception("kiosk backend failed on tap %s", tap.tap_id)
            return error_response(500, "internal_error", "errors.internal")
        log.info("tap %s for %s/%s: ok=%s printed=%s", tap.tap_id, tap.service,
                 tap.priority, outcome.ok, outcome.printed)
        return _json_response(outcome_json(outcome, catalog))

    @app.post("/api/lookup")
    def lookup() -> Response:
        asked, refused = parsed(parse_lookup_request)
        if refused is not None:
            return refused
        try:
            outcome = backend.lookup(asked.request_id, asked.code)
        except Exception:
            log.exception("kiosk backend failed on lookup %s", asked.request_id)
            return error_response(500, "internal_error", "errors.internal")
        return _json_response(lookup_json(outcome, catalog))

    @app.post("/api/scan")
    def scan() -> Response:
        raw, refused = parsed(parse_scan_request)
        if refused is not None:
            return refused
        return _json_response(scan_json(backend.scanned(raw, "wedge"), catalog))

    @app.get("/api/procedures")
    def procedures() -> Response:
        query = request.args.get("q", "")[:settings.max_search_chars]
        items = backend.procedures()
        found = search(items, query, limit=SEARCH_LIMIT)
        return _json_response({"query": query, "total": len(items),
                               "results": [procedure_json(item) for item in found]})

    @app.get("/healthz")
    def healthz() -> Response:
        live = backend.live()
        return _json_response({"ok": True, "online": live.online, "version": live.version})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        key = _HTTP_ERROR_KEYS.get(error.code or 500, "errors.internal")
        params = {"limit": settings.max_request_bytes} if error.code == 413 else {}
        code = (error.name or "http_error").lower().replace(" ", "_")
        return error_response(error.code or 500, code, key, **params)

    return app


def outcome_json(outcome: IssueOutcome, catalog: MessageCatalog | None = None
                 ) -> dict[str, Any]:
    """The outcome as the page reads it, with ``qr_svg`` (inline SVG of ``ticket_url``)
    when a ticket was issued: shown large when the paper did not come out. A refused
    return-of-results ticket for a bad code says so in the kiosk's own words."""
    document = outcome.as_json()
    if outcome.ok and outcome.ticket_url:
        document["qr_svg"] = qr_svg(outcome.ticket_url)
    if not outcome.ok and outcome.error_code == "invalid_code" and catalog is not None:
        document["message_vi"] = catalog.text("vi", "lookup.error_invalid_code")
        document["message_en"] = catalog.text("en", "lookup.error_invalid_code")
    return document


def lookup_json(outcome: LookupOutcome, catalog: MessageCatalog) -> dict[str, Any]:
    """The lookup as the page reads it. Refusals the kiosk knows get its own calm texts
    (the hub's ``rate_limited`` speaks of issuing, not of looking up); others keep the
    hub's, or a general one."""
    document = outcome.as_json()
    if not outcome.ok:
        code = outcome.error_code if outcome.error_code in LOOKUP_ERRORS else None
        if code is not None or not outcome.message_vi:
            key = f"lookup.error_{code}" if code else "lookup.error_other"
            params = {"retry_s": outcome.params.get("retry_s", 30)}
            document["message_vi"] = catalog.text("vi", key, **params)
            document["message_en"] = catalog.text("en", key, **params)
    return document


def scan_json(event: ScanEvent, catalog: MessageCatalog) -> dict[str, Any]:
    """A scan event; a rejected one carries the calm texts the scan screen shows."""
    document = event.as_json()
    if not event.ok:
        document["message_vi"] = catalog.text("vi", "scan.rejected")
        document["message_en"] = catalog.text("en", "scan.rejected")
    return document


def procedure_json(procedure: ProcedureInfo) -> dict[str, Any]:
    return procedure.model_dump(mode="json")


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` without a fixed size (the page's CSS sizes it),
    on white with the standard four-module quiet zone so a phone reads it off a screen."""
    code = segno.make(url, error="m")
    return code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")


def _page_settings(settings: KioskWebSettings) -> dict[str, Any]:
    return {
        "idle_timeout_ms": int(settings.idle_timeout_s * 1000),
        "result_timeout_ms": int(settings.result_timeout_s * 1000),
        "default_language": settings.default_language,
        "timezone": settings.timezone,
        "issue_retry_ms": int(settings.issue_retry_s * 1000),
        "wedge": settings.wedge,
        "wedge_max_gap_ms": settings.wedge_max_gap_ms,
        "wedge_min_chars": settings.wedge_min_chars,
    }


def _json_response(document: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")
