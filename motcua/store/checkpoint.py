"""Copying SQLite's write-ahead log into the database file off the writer's commits.

SQLite checkpoints by itself: the connection whose commit takes the log past 1,000 pages
copies the log into the database file and fsyncs it, inside that commit. For the hub's
writer that is one command in about seventy-five (a ``call_next`` writes 13 pages)
answered a few milliseconds late, every time: the slowest percent of its replies was
made of checkpoints.

:class:`WalCheckpointer` runs the checkpoint from a thread of its own, on a connection of
its own, a few times a second when something was committed. ``PASSIVE`` mode never waits
for nor blocks the writer, and SQLite releases the GIL while it copies, so the writer's
commits go on during it. A round that copies the whole log lets the next write start
the log again from its beginning, so the writer's own limit is seldom reached; when it
is, the writer copies only what the last round left. Under a sustained burst, where no
pause between two commits lets the background thread reach the log's end, the writer's
automatic checkpoint works as before, so the log stays the size SQLite keeps it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: How often the checkpointer looks for new commits (seconds).
INTERVAL_S = 0.2


class WalCheckpointer:
    """Checkpoints the log of ``engine``'s SQLite database in the background.

    :meth:`committed` (the writer, after each commit) only counts: it never wakes the
    thread nor takes a lock. The thread checkpoints at most every ``interval_s`` and only
    if the count moved. :meth:`start` and :meth:`stop` may be called more than once; a
    failed checkpoint is logged and tried again at the next round.
    """

    def __init__(self, engine: Engine, interval_s: float = INTERVAL_S) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.checkpoints = 0  # completed rounds, for tests and the debug log
        self._commits = 0
        self._seen = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def committed(self) -> None:
        """Note one commit (writer thread only)."""
        self._commits += 1

    def start(self) -> "WalCheckpointer":
        with self._lock:
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="motcua-wal-checkpoint")
                self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current round; the writer's commits are untouched."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout)

    def _run(self) -> None:
        connection = None
        try:
            while not self._stopping.wait(self.interval_s):
                commits = self._commits
                if commits == self._seen:
                    continue
                try:
                    if connection is None:
                        connection = self.engine.raw_connection()
                    self._checkpoint(connection)
                    self._seen = commits
                except Exception:  # noqa: BLE001 - the next round tries again
                    log.warning("background WAL checkpoint failed", exc_info=True)
                    _close(connection)
                    connection = None  # a fresh one next round
        finally:
            _close(connection)

    def _checkpoint(self, connection: Any) -> None:
        cursor = connection.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            busy, log_pages, copied = cursor.fetchone()
        finally:
            cursor.close()
        self.checkpoints += 1
        log.debug("WAL checkpoint: %s of %s pages in the database file%s", copied,
                  log_pages, " (busy)" if busy else "")


def _close(connection: Any) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - it is being dropped anyway
            log.debug("closing the checkpoint connection failed", exc_info=True)
