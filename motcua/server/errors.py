"""Every HTTP error is JSON ``{"error": {"code", "message"}}`` with the right status.

Codes and messages are those of the domain (:mod:`motcua.domain.errors`) and of the wire
contract (:mod:`motcua.contract`), so a kiosk shows the same words over HTTP and MQTT;
:data:`HTTP_MESSAGES` adds the few that only HTTP has. :data:`STATUS_OF` is the one table
from code to status (see ``docs/http.md`` for why each status was chosen).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from motcua import contract
from motcua.domain import errors as domain_errors

log = logging.getLogger(__name__)

#: Codes only the HTTP side gives: code -> (Vietnamese, English).
HTTP_MESSAGES: dict[str, tuple[str, str]] = {
    "unauthorized": (
        "Thiếu hoặc sai mã truy cập của thiết bị",
        "Missing or invalid device token",
    ),
    "not_found": ("Không có địa chỉ {path}", "Not found: {path}"),
    "method_not_allowed": (
        "Không hỗ trợ phương thức {method} tại {path}",
        "Method {method} is not allowed on {path}",
    ),
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "headers_too_large": ("Phần đầu yêu cầu quá lớn", "Request headers too large"),
    "http_error": ("Lỗi HTTP {status}", "HTTP error {status}"),
    "internal_error": ("Lỗi máy chủ, không có thay đổi", "Internal server error"),
    "hub_timeout": (
        "Máy chủ chưa trả lời kịp, vui lòng thử lại",
        "The hub did not answer in time; try again",
    ),
    "not_ready": ("Máy chủ đang khởi động", "The hub is starting"),
}

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
    "method_not_allowed": 405,
    "id_reused": 409,
    "sold_out": 409,
    "outside_hours": 409,
    "service_inactive": 409,
    "expired": 409,
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
}
DEFAULT_REFUSAL_STATUS = 409
#: Seconds a client should wait before retrying, for refusals that pass by themselves.
RETRY_AFTER_S: dict[str, int] = {
    "storage_busy": 1,
    "conflict": 1,
    "hub_timeout": 1,
    "shutting_down": 5,
    "not_ready": 5,
}

_CATALOGS = (HTTP_MESSAGES, contract.ERROR_MESSAGES, domain_errors.MESSAGES)


class _Params(dict):
    """Format parameters that leave a placeholder without a value as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def error_object(code: str, **params: Any) -> dict[str, str]:
    """``{"code", "message"}`` with the "Vietnamese / English" message of ``code``."""
    for catalog in _CATALOGS:
        if code in catalog:
            vi, en = catalog[code]
            values = _Params({k: str(v) for k, v in params.items()})
            return {"code": code, "message": f"{vi.format_map(values)} / {en.format_map(values)}"}
    return {"code": code, "message": f"{code} / {code}"}


def error_response(error: dict[str, str], status: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """A JSON error response for an error object (as in a dispatcher ``Result``)."""
    code = error["code"]
    response = jsonify({"error": error})
    response.status_code = status or STATUS_OF.get(code, DEFAULT_REFUSAL_STATUS)
    if code in RETRY_AFTER_S:
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
