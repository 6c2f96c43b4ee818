"""Every HTTP error is JSON ``{"error": {"code", "message", "message_en", "params"}}``.

Codes and messages come from the hub's one catalog (:mod:`motcua.errors`), so a kiosk
shows the same words over HTTP and MQTT. :data:`STATUS_OF` is the one table from code to
status (see ``docs/http.md`` for why each status was chosen).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from motcua.errors import HTTP_MESSAGES, error_object

__all__ = ["HTTP_MESSAGES", "STATUS_OF", "ApiError", "error_object", "error_response",
           "register_error_handlers"]

log = logging.getLogger(__name__)

#: Status of each error code. Anything else the domain refuses is a 409: the request was
#: understood, the queue's current state does not allow it.
STATUS_OF: dict[str, int] = {
    "bad_request": 400,
    "bad_json": 400,
    "invalid_argument": 400,
    "unknown_action": 400,
    "unauthorized": 401,
    "not_found": 404,
    "unknown_ticket": 404,
    "unknown_counter": 404,
    "method_not_allowed": 405,
    "id_reused": 409,
    "sold_out": 409,
    "outside_hours": 409,
    "service_inactive": 409,
    "expired": 409,
    "clock_skew": 400,
    "rate_limited": 429,
    "not_available": 501,
    "payload_too_large": 413,
    "headers_too_large": 431,
    "unknown_service": 422,
    "internal_error": 500,
    "storage_busy": 503,
    "storage_full": 503,
    "storage_error": 503,
    "conflict": 503,
    "clock_backwards": 503,
    "shutting_down": 503,
    "hub_timeout": 503,
    "not_ready": 503,
    "live_busy": 503,
    "login_required": 401,
    "login_rate_limited": 429,
    "csrf_failed": 400,
    "counter_forbidden": 403,
    "manager_required": 403,
    "dossier_rows_refused": 422,
    "invalid_code": 400,
    "dossier_not_found": 404,
    "dossier_not_ready": 409,
    "lookup_rate_limited": 429,
}
DEFAULT_REFUSAL_STATUS = 409
#: Seconds a client should wait before retrying, for refusals that pass by themselves.
RETRY_AFTER_S: dict[str, int] = {
    "storage_busy": 1,
    "conflict": 1,
    "hub_timeout": 1,
    "shutting_down": 5,
    "not_ready": 5,
    "live_busy": 5,
}
#: Refusals whose wait is in their own params (``retry_s``).
RETRY_AFTER_PARAM = "retry_s"


def error_response(error: dict[str, Any], status: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """A JSON error response for an error object (as in a dispatcher ``Result``)."""
    code = error["code"]
    response = jsonify({"error": error})
    response.status_code = status or STATUS_OF.get(code, DEFAULT_REFUSAL_STATUS)
    retry_s = (error.get("params") or {}).get(RETRY_AFTER_PARAM)
    if isinstance(retry_s, int):
        response.headers["Retry-After"] = str(retry_s)
    elif code in RETRY_AFTER_S:
        response.headers["Retry-After"] = str(RETRY_AFTER_S[code])
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ApiError(Exception):
    """Raised by a view to answer with an error; rendered by the app's error handler."""

    def __init__(self, code: str, status: int | None = None,
                 headers: dict[str, str] | None = None, **params: Any) -> None:
        super().__init__(code)
        self.error = error_object(code, **params)
        self.status = status
        self.headers = headers or {}


#: Werkzeug's HTTP errors by status, mapped to our codes.
_HTTP_EXCEPTION_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.error, exc.status, exc.headers)


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = _HTTP_EXCEPTION_CODES.get(status, "http_error")
    limit = request.max_content_length
    error = error_object(code, path=request.path, method=request.method, status=status,
                         limit=limit)
    # Keep headers such as Allow (405); the body is ours, so not its Content-Type.
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response(error, status, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(error_object("internal_error"), 500)


def register_error_handlers(app: Flask) -> None:
    """Make every error of ``app`` — ours, Werkzeug's, unexpected — a JSON error body."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)
