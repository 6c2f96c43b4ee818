"""Live pages of the hub: server-sent events woken by the dispatcher's commits.

Three small pieces, reused by every live page (the ticket page, web boards, clerk panels):

- :class:`CommitFeed` remembers the last committed ``seq`` and wakes the threads waiting
  for a newer one. The dispatcher calls :meth:`CommitFeed.on_commit` once per committed
  batch, on its writer thread; with nobody waiting that is one attribute store and one
  integer test, so the writer pays nothing for pages nobody has open.
- :class:`StreamSlots` bounds the streams open at once. waitress holds one worker thread
  per open stream (HARDWARE_NOTES §8), so :func:`motcua.server.serve.serve` starts the
  bound's worth of threads *on top of* the threads for ordinary requests: a full set of
  streams can never starve the API. Past the bound a stream request gets a JSON 503
  ``live_busy`` with ``Retry-After``, which the pages' ``live.js`` retries.
- :func:`event_stream` turns a ``read()`` function into a ``text/event-stream`` response:
  the current view first, then a new event whenever a commit changed it, and a comment
  every :data:`KEEPALIVE_S` seconds (``LIVE_KEEPALIVE_S``) so dead clients are noticed
  (the write fails) and proxies keep the connection. Readers read the committed snapshot
  (:class:`motcua.snapshot.CommittedReads`), never the writer's live state: the feed only
  says *when* to read.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Iterator, Mapping

from flask import Flask, Response, current_app

from motcua.snapshot import SnapshotUnavailable

from .errors import ApiError

log = logging.getLogger(__name__)

#: Key of the :class:`LiveHub` in ``app.extensions``.
EXTENSION_KEY = "motcua.live"
#: Flask config key: how many event streams may be open at once.
MAX_STREAMS_KEY = "LIVE_MAX_STREAMS"
#: Flask config key: seconds between keepalive comments of a stream.
KEEPALIVE_KEY = "LIVE_KEEPALIVE_S"
#: Default bound: a busy centre has a few dozen citizens waiting, some with the page open,
#: plus a few web boards; each stream costs one idle thread (~100 KB resident).
DEFAULT_MAX_STREAMS = 48
#: Seconds between keepalive comments: short enough that a phone gone away frees its
#: thread soon, long enough to cost nothing (nginx's default read timeout is 60 s).
KEEPALIVE_S = 15.0
#: Reconnect delay told to ``EventSource`` (``retry:`` field), in milliseconds.
RETRY_MS = 3000


class CommitFeed:
    """The last committed ``seq``, and a wait for the next one; safe from any thread.

    ``on_commit`` (writer thread) stores the seq before it looks at the waiter count,
    and waiters register under the lock before they test the seq, so a waiter never
    sleeps through a commit: either the writer sees it registered and notifies, or the
    waiter sees the new seq before it sleeps.
    """

    def __init__(self, seq: int = 0) -> None:
        self._seq = seq
        self._waiters = 0
        self._closed = False
        self._condition = threading.Condition(threading.Lock())

    @property
    def seq(self) -> int:
        """The seq of the last commit the feed heard of."""
        return self._seq

    @property
    def closed(self) -> bool:
        return self._closed

    def attach(self, dispatcher) -> "CommitFeed":
        """Listen to ``dispatcher``'s commits (call once, before serving)."""
        self._seq = dispatcher.seq
        dispatcher.add_listener(self.on_commit)
        return self

    def on_commit(self, notice) -> None:
        """Dispatcher listener (writer thread): note ``notice.seq``, wake the waiters."""
        self.publish(notice.seq)

    def publish(self, seq: int) -> None:
        """Note that ``seq`` is committed and wake whoever waits for it."""
        self._seq = seq
        if self._waiters:  # nobody listening: no lock, no notify
            with self._condition:
                self._condition.notify_all()

    def wait_after(self, seen: int, timeout: float) -> int:
        """Block until the committed seq differs from ``seen``, the feed closes, or
        ``timeout`` seconds pass; return the seq then (``seen`` on a timeout)."""
        with self._condition:
            self._waiters += 1
            try:
                self._condition.wait_for(lambda: self._seq != seen or self._closed, timeout)
            finally:
                self._waiters -= 1
            return self._seq

    def close(self) -> None:
        """Wake every waiter for good (server shutdown): streams end at once."""
        self._closed = True
        with self._condition:
            self._condition.notify_all()


class StreamSlots:
    """At most ``limit`` streams open at once; ``try_take`` never blocks."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"{MAX_STREAMS_KEY} must be at least 1, not {limit}")
        self.limit = limit
        self._in_use = 0
        self._changed = threading.Condition(threading.Lock())

    @property
    def in_use(self) -> int:
        return self._in_use

    def try_take(self) -> bool:
        """Take a slot if one is free; the caller must :meth:`give_back` it."""
        with self._changed:
            if self._in_use >= self.limit:
                return False
            self._in_use += 1
            return True

    def give_back(self) -> None:
        with self._changed:
            self._in_use -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no stream is open (at most ``timeout`` s); whether none is."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_use == 0, timeout)


class LiveHub:
    """What live pages share in one app: the commit feed, the stream slots, and the
    seconds between keepalive comments."""

    def __init__(self, feed: CommitFeed, slots: StreamSlots,
                 keepalive_s: float = KEEPALIVE_S) -> None:
        self.feed = feed
        self.slots = slots
        self.keepalive_s = keepalive_s

    def close(self, timeout: float = 1.0) -> bool:
        """End every open stream (the HTTP server is stopping); wait up to ``timeout`` s
        for their bodies to be closed. Whether they all were."""
        self.feed.close()
        return self.slots.wait_idle(timeout)


def install_live(app: Flask, dispatcher=None) -> LiveHub:
    """Create the app's :class:`LiveHub`, fed by ``dispatcher``'s commits (none: the
    feed never wakes, streams only send keepalives). Flask config: ``LIVE_MAX_STREAMS``,
    ``LIVE_KEEPALIVE_S``."""
    limit = int(app.config.get(MAX_STREAMS_KEY, DEFAULT_MAX_STREAMS))
    feed = CommitFeed()
    if dispatcher is not None:
        feed.attach(dispatcher)
    live = LiveHub(feed, StreamSlots(limit),
                   float(app.config.get(KEEPALIVE_KEY, KEEPALIVE_S)))
    app.extensions[EXTENSION_KEY] = live
    return live


def current_live() -> LiveHub:
    """The :class:`LiveHub` of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]


def live_of(app: Flask) -> LiveHub | None:
    """The :class:`LiveHub` of ``app``, if it has one (waitress sizing, shutdown)."""
    return app.extensions.get(EXTENSION_KEY)


# --- the stream ---------------------------------------------------------------------------

Read = Callable[[], "Mapping[str, Any] | None"]


def sse_event(event: str, data: Mapping[str, Any]) -> str:
    """One SSE frame: ``event: NAME`` and the JSON of ``data`` on one ``data:`` line."""
    # json.dumps never emits a raw newline, so one data line always suffices.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {text}\n\n"


KEEPALIVE_FRAME = ": keepalive\n\n"
#: Headers of every stream: no caching, and no buffering by a reverse proxy (nginx).
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def event_stream(read: Read, event: str, *,
                 final: Callable[[Mapping[str, Any]], bool] | None = None,
                 retry_ms: int = RETRY_MS) -> Response:
    """A ``text/event-stream`` response of ``read()``'s view, for the current request.

    The first event is the view now, preceded by ``retry:``; then, after each commit,
    ``read()`` again and a new event if its JSON changed. ``read`` runs on the request's
    thread and must read committed data (``CommittedReads``); it may raise
    :class:`ApiError` (e.g. 404 for the first read), and a ``None`` view later ends the
    stream. When ``final(view)`` is true the stream ends after sending it.

    Raises:
        ApiError: 503 ``live_busy`` when every stream slot is taken, 503
            ``shutting_down`` when the server is stopping, or what the first ``read``
            raised.
    """
    live = current_live()
    if live.feed.closed:
        raise ApiError("shutting_down")
    if not live.slots.try_take():
        log.info("stream refused: %d streams open", live.slots.limit)
        raise ApiError("live_busy", limit=live.slots.limit)
    try:
        # The seq is taken before the read: a commit landing between them wakes the
        # first wait at once instead of being missed.
        seen = live.feed.seq
        view = read()
        if view is None:
            raise ApiError("not_found", path="")
    except BaseException:
        live.slots.give_back()
        raise
    body = _Stream(live, _frames(live.feed, read, event, view, seen, final,
                                 live.keepalive_s, retry_ms))
    return Response(body, mimetype="text/event-stream", headers=STREAM_HEADERS)


class _Stream:
    """The body iterable; ``close()`` gives the slot back even if never iterated (a HEAD
    request, a client gone before the first byte): a generator's ``finally`` would not run."""

    def __init__(self, live: LiveHub, frames: Iterator[str]) -> None:
        self._live = live
        self._frames = frames
        self._held = True
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[str]:
        return self._frames

    def close(self) -> None:
        self._frames.close()
        with self._lock:
            held, self._held = self._held, False
        if held:
            self._live.slots.give_back()


def _frames(feed: CommitFeed, read: Read, event: str, view: Mapping[str, Any], seen: int,
            final, keepalive_s: float, retry_ms: int) -> Iterator[str]:
    last = sse_event(event, view)
    yield f"retry: {retry_ms}\n\n" + last
    while not feed.closed and not (final is not None and final(view)):
        seq = feed.wait_after(seen, keepalive_s)
        if seq == seen:
            if not feed.closed:
                yield KEEPALIVE_FRAME
            continue
        seen = seq
        try:
            fresh = read()
        except (SnapshotUnavailable, ApiError):
            # The writer is stuck for now: keep the stream, read again after the next commit.
            log.warning("live read failed at seq %d; waiting for the next commit", seq)
            continue
        if fresh is None:
            return
        frame = sse_event(event, fresh)
        if frame != last:
            view, last = fresh, frame
            yield frame
