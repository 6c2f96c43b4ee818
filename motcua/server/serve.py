"""Serving the app with waitress in a thread of the hub, beside the MQTT client.

waitress's own ``close()`` stops listening but leaves open keep-alive connections and
worker threads behind, so its loop keeps running. :class:`HttpServer` closes every
connection from inside the loop thread (a trigger "thunk", so no socket is closed under
a ``select`` running in another thread) and then stops the workers.
"""

from __future__ import annotations

import logging
import threading

import waitress
from waitress import wasyncore

log = logging.getLogger(__name__)

#: Seconds ``close`` waits for the loop and the workers to stop.
CLOSE_TIMEOUT_S = 5.0


class HttpServer:
    """A waitress server: ``run()`` blocks (run it in a thread), ``close()`` stops it.

    Attributes:
        effective_host, effective_port: where it listens (port 0 picks a free one).
    """

    def __init__(self, wsgi_server) -> None:
        self.wsgi_server = wsgi_server
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
        if self._running.is_set() and not self._stopped.is_set():
            server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
            if not self._stopped.wait(timeout):
                log.warning("HTTP server loop did not stop within %.0f s", timeout)
        else:
            wasyncore.close_all(socket_map)
        server.task_dispatcher.shutdown(timeout=timeout)
        if self._thread is not None:
            self._thread.join(timeout)


def serve(app, host: str = "127.0.0.1", port: int = 8080, threads: int = 16) -> HttpServer:
    """Bind ``app`` on ``host:port`` with ``threads`` workers; call ``run()`` or ``start()``.

    Each open server-sent-events stream holds a worker, so ``threads`` must exceed the
    number of web boards plus headroom (HARDWARE_NOTES §8).
    """
    wsgi_server = waitress.create_server(app, host=host, port=port, threads=threads,
                                         ident="motcua")
    return HttpServer(wsgi_server)
