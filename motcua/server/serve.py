"""Serving the app with waitress in a thread of the hub, beside the MQTT client.

waitress's own ``close()`` stops listening but leaves open keep-alive connections and
worker threads behind, so its loop keeps running. :class:`HttpServer` closes every
connection from inside the loop thread (a trigger "thunk", so no socket is closed under
a ``select`` running in another thread) and then stops the workers.

waitress answers some requests itself, before the app runs (a body over its limit,
headers too large, a malformed request): :class:`JsonErrorTask` gives those answers the
API's JSON error body, so every error a client sees has the same shape.
"""

from __future__ import annotations

import json
import logging
import threading

import waitress
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from motcua.contract import MAX_PAYLOAD_BYTES

from .errors import error_object
from .live import live_of

log = logging.getLogger(__name__)

#: Seconds ``close`` waits for the loop and the workers to stop.
CLOSE_TIMEOUT_S = 5.0
#: Largest request body, the app's ``MAX_CONTENT_LENGTH`` too: the biggest body the API
#: takes is a command, bounded like an MQTT command. waitress refuses a body of exactly
#: its limit, hence the +1; a bigger declared length is refused before it is read.
MAX_BODY_BYTES = MAX_PAYLOAD_BYTES
#: Request line plus headers. API clients send a few short headers; 16 KiB leaves room
#: for a browser's cookies on the ticket page (waitress's default is 256 KiB).
MAX_HEADER_BYTES = 16 * 1024
#: Open connections waitress accepts besides the live streams (its own default).
CONNECTION_LIMIT = 100
#: Our error code for each status waitress answers itself; any other is ``http_error``.
_WAITRESS_ERROR_CODES = {
    400: "bad_request",
    413: "payload_too_large",
    431: "headers_too_large",
    500: "internal_error",
}


class JsonErrorTask(ErrorTask):
    """A response waitress makes itself, with the API's ``{"error": {...}}`` body.

    waitress's reason (e.g. "Invalid chunk size") is logged, not sent: it is English and
    meant for the operator.
    """

    def execute(self) -> None:
        error = self.request.error
        code = _WAITRESS_ERROR_CODES.get(error.code, "http_error")
        log.info("HTTP %d from waitress: %s", error.code, error.body)
        body = json.dumps(
            {"error": error_object(code, status=error.code, limit=MAX_BODY_BYTES)},
            ensure_ascii=False).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        # The request was not read to its end: the connection cannot carry another.
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    """waitress's connection handler, answering its own errors with :class:`JsonErrorTask`."""

    error_task_class = JsonErrorTask


class HttpServer:
    """A waitress server: ``run()`` blocks (run it in a thread), ``close()`` stops it.

    Attributes:
        effective_host, effective_port: where it listens (port 0 picks a free one).
    """

    def __init__(self, wsgi_server, live=None) -> None:
        self.wsgi_server = wsgi_server
        self.live = live
        self.effective_host = wsgi_server.effective_host
        self.effective_port = wsgi_server.effective_port
        self._running = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.effective_host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.effective_port}"

    def run(self) -> None:
        """Serve until :meth:`close` (blocks)."""
        self._running.set()
        log.info("HTTP API on %s", self.url)
        try:
            self.wsgi_server.run()
        finally:
            self._stopped.set()

    def start(self) -> threading.Thread:
        """Run in a daemon thread named ``motcua-http``; return the thread."""
        self._thread = threading.Thread(target=self.run, name="motcua-http", daemon=True)
        self._thread.start()
        return self._thread

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Stop listening, drop open connections, stop the worker threads."""
        server = self.wsgi_server
        socket_map = server._map
        if self.live is not None and not self.live.close():
            # Streams wait on the commit feed, not on their socket: woken, they end and
            # their workers finish before the loop closes the trigger they still pull.
            log.warning("live streams still open at shutdown")
        if self._running.is_set() and not self._stopped.is_set():
            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
            except OSError:
                # A worker's own pull woke the loop between our thunk being queued and our
                # write: the thunk already ran and closed the trigger's pipe.
                log.debug("HTTP server trigger closed by our thunk before our pull")
            if not self._stopped.wait(timeout):
                log.warning("HTTP server loop did not stop within %.0f s", timeout)
        else:
            wasyncore.close_all(socket_map)
        server.task_dispatcher.shutdown(timeout=timeout)
        if self._thread is not None:
            self._thread.join(timeout)


def serve(app, host: str = "127.0.0.1", port: int = 8080, threads: int = 16) -> HttpServer:
    """Bind ``app`` on ``host:port``; call ``run()`` or ``start()``.

    ``threads`` workers answer ordinary requests. Each open server-sent-events stream
    holds a worker for as long as it is open (HARDWARE_NOTES §8), so waitress gets one
    more worker per stream slot of the app (:mod:`motcua.server.live`, Flask config
    ``LIVE_MAX_STREAMS``): with every slot taken, ``threads`` workers are still free for
    the API, and a stream past the bound is refused (503) instead of queueing requests.
    """
    live = live_of(app)
    stream_threads = live.slots.limit if live is not None else 0
    wsgi_server = waitress.create_server(
        app, host=host, port=port, threads=threads + stream_threads, ident="motcua",
        max_request_body_size=MAX_BODY_BYTES + 1, max_request_header_size=MAX_HEADER_BYTES,
        # Room for every stream plus the request connections (waitress's default is 100).
        connection_limit=CONNECTION_LIMIT + stream_threads)
    # create_server takes no channel class; the server reads it per accepted connection.
    wsgi_server.channel_class = JsonErrorChannel
    log.info("HTTP workers: %d for requests + %d for live streams", threads, stream_threads)
    return HttpServer(wsgi_server, live)
