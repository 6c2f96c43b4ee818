"""The single-hub lock: one writer per site, whatever starts a second hub by mistake.

SQLite: an exclusive file lock beside the database file. PostgreSQL: a session-level
advisory lock held on a dedicated connection for the hub's lifetime (it is released by
the server if the hub dies, so a crash never leaves a stale lock).
"""

from __future__ import annotations

import hashlib
import logging

import filelock
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .database import is_sqlite

log = logging.getLogger(__name__)


class HubLockHeld(RuntimeError):
    """Another hub already writes to this site's database."""


def _advisory_key(site_id: str) -> int:
    digest = hashlib.sha256(f"motcua-hub:{site_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class HubLock:
    """Acquire with :meth:`acquire` (raises :class:`HubLockHeld`), free with :meth:`release`."""

    def __init__(self, engine: Engine, site_id: str) -> None:
        self.engine = engine
        self.site_id = site_id
        self._file_lock: filelock.BaseFileLock | None = None
        self._connection: sa.Connection | None = None

    def acquire(self) -> None:
        message = f"another motcua hub already runs for site {self.site_id!r} on this database"
        if is_sqlite(self.engine.url):
            path = f"{self.engine.url.database}.{self.site_id}.hub.lock"
            lock = filelock.FileLock(path, blocking=False)
            try:
                lock.acquire()
            except filelock.Timeout:
                raise HubLockHeld(message) from None
            self._file_lock = lock
        else:
            connection = self.engine.connect()
            # Detached from the pool: closing it ends the session, and with it the lock.
            connection.detach()
            got = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _advisory_key(self.site_id)}
            ).scalar()
            connection.commit()
            if not got:
                connection.close()
                raise HubLockHeld(message)
            self._connection = connection
        log.info("hub lock acquired for site %s", self.site_id)

    def release(self) -> None:
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                # Unlocked here, not left to the session's end: the server ends a closed
                # session a moment after the client has gone, and a hub started at once
                # on the same site (a restart) found the lock still held.
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": _advisory_key(self.site_id)})
                connection.commit()
            except Exception:  # noqa: BLE001 - a dead session holds no lock anyway
                log.warning("unlocking the hub lock failed; closing its session",
                            exc_info=True)
            finally:
                connection.close()  # detached: ends the session

    def __enter__(self) -> "HubLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
