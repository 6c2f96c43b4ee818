"""The HTTP server's own limits, probed with raw sockets against the served app.

waitress refuses some requests before the app runs (a declared body over the limit,
headers too large, a malformed request); those answers must be the API's JSON errors
too, never waitress's plain text.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from motcua.server import create_app
from motcua.server.serve import MAX_BODY_BYTES, MAX_HEADER_BYTES, HttpServer, serve

TIMEOUT_S = 5.0


@pytest.fixture
def server() -> Iterator[HttpServer]:
    """The hub's app under waitress on a free port. Its runtime is a bare placeholder: no
    request in these tests reaches a view that would read it."""
    running = serve(create_app(SimpleNamespace()), host="127.0.0.1", port=0, threads=2)
    running.start()
    yield running
    running.close()


def exchange(server: HttpServer, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` on a new connection; return status, headers (lower-case names), body."""
    with socket.create_connection((server.effective_host, server.effective_port),
                                  timeout=TIMEOUT_S) as connection:
        try:
            connection.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything we send
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def json_error(headers: dict[str, str], body: bytes) -> dict[str, str]:
    assert headers["content-type"].startswith("application/json"), headers
    assert headers["content-length"] == str(len(body))
    document = json.loads(body)
    assert list(document) == ["error"]
    return document["error"]


def test_a_declared_body_over_the_limit_is_refused_in_json_before_it_is_sent(server):
    """Given a POST declaring a terabyte body and sending none of it,
    when the server reads its headers, then it answers 413 with the JSON error
    payload_too_large naming the 8192-byte limit, and closes the connection."""
    status, headers, body = exchange(server, (
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000000\r\n\r\n"))

    assert MAX_BODY_BYTES == 8192
    assert status == 413
    assert json_error(headers, body) == {
        "code": "payload_too_large",
        "message": "Yêu cầu quá lớn (tối đa 8192 byte)",
        "message_en": "Request too large (at most 8192 bytes)",
        "params": {"limit": 8192},
    }
    assert headers["connection"] == "close"


def test_a_chunked_body_over_the_limit_is_refused_in_json(server):
    """Given a chunked POST announcing a 70,000-byte chunk,
    when 8,193 body bytes (chunk-size line included) have arrived, then the server
    answers 413 payload_too_large. (Sending the rest would leave bytes unread when the
    server closes, and TCP would reset the connection under the answer.)"""
    size_line = b"%x\r\n" % 70_000
    body = size_line + b"x" * (MAX_BODY_BYTES + 1 - len(size_line))
    status, headers, answer = exchange(server, (
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\n\r\n"
        + body))

    assert status == 413
    assert json_error(headers, answer)["code"] == "payload_too_large"


def test_headers_running_past_16_kib_are_refused_in_json(server):
    """Given a GET whose header lines reach 16,384 bytes without ending,
    when the server has read them, then it answers 431 headers_too_large in Vietnamese
    and English (it stops reading there: anything sent past the limit would be unread
    when it closes, and TCP would reset the connection under the answer)."""
    request = b"GET /healthz HTTP/1.1\r\nHost: hub\r\n"
    request += b"".join(b"X-Filler-%03d: %s\r\n" % (n, b"v" * 84) for n in range(200))
    status, headers, body = exchange(server, request[:MAX_HEADER_BYTES])

    assert MAX_HEADER_BYTES == 16384
    assert status == 431
    assert json_error(headers, body) == {
        "code": "headers_too_large",
        "message": "Phần đầu yêu cầu quá lớn",
        "message_en": "Request headers too large",
        "params": {},
    }


def test_a_malformed_chunk_is_a_json_bad_request(server):
    """Given a chunked POST whose chunk size is not hexadecimal,
    when the server parses it, then it answers 400 bad_request in JSON."""
    status, headers, body = exchange(server, (
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\nhello\r\n0\r\n\r\n"))

    assert status == 400
    assert json_error(headers, body) == {
        "code": "bad_request", "message": "Yêu cầu không hợp lệ",
        "message_en": "Bad request", "params": {}}


def test_an_unsupported_transfer_encoding_is_a_json_http_error(server):
    """Given a POST with Transfer-Encoding gzip (waitress knows only chunked),
    when the server parses it, then it answers 501 http_error naming the status."""
    status, headers, body = exchange(server, (
        b"POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: gzip\r\n\r\n"))

    assert status == 501
    assert json_error(headers, body) == {
        "code": "http_error", "message": "Lỗi HTTP 501", "message_en": "HTTP error 501",
        "params": {"status": 501}}


def test_a_body_of_exactly_the_limit_reaches_the_app(server):
    """Given a POST to an unknown path with a body of exactly the limit (8192 bytes),
    when the server reads it, then the app itself answers: 404 not_found in JSON,
    the connection stays open for another request."""
    body_sent = b"x" * MAX_BODY_BYTES
    status, headers, body = exchange(server, (
        b"POST /nowhere HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n"
        + f"Content-Length: {len(body_sent)}\r\n\r\n".encode() + body_sent))

    assert status == 404
    assert json_error(headers, body) == {
        "code": "not_found", "message": "Không có địa chỉ /nowhere",
        "message_en": "Not found: /nowhere", "params": {"path": "/nowhere"}}
