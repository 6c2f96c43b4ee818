"""Where every scan ends up: checked against the dossier code rule, numbered, announced.

A scanner (serial, wedge, camera, stdin) only reads text; :class:`ScanFeed` decides what it
is. :meth:`ScanFeed.offer` runs the raw text through
:meth:`motcua.dossiers.codes.CodeRule.clean` — the only way a scanned code reaches the hub
— and keeps the latest :class:`ScanEvent`, whose growing ``seq`` lets the touch page open
the timeline for each new scan exactly once. A rejected scan keeps ``code=None``: the page
shows a calm message, and the raw text is never echoed (only its length is logged, with a
short printable excerpt).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from motcua.dossiers.codes import CodeRule

log = logging.getLogger(__name__)

#: Scanner kinds a scan may come from (the ``[scanner] kind`` values that read codes).
SOURCES = ("serial", "wedge", "camera", "stdin")


@dataclass(frozen=True)
class ScanEvent:
    """One scan: ``code`` is the canonical dossier code, or None when the text was not one."""

    seq: int
    source: str
    code: str | None

    @property
    def ok(self) -> bool:
        return self.code is not None

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "source": self.source, "code": self.code, "ok": self.ok}


def excerpt(raw: str, limit: int = 24) -> str:
    """A short, printable, log-safe view of scanned text (never the whole of it)."""
    shown = "".join(ch if ch.isprintable() and ch.isascii() else "?" for ch in raw[:limit])
    return shown + ("…" if len(raw) > limit else "")


class ScanFeed:
    """The latest scan; thread-safe (scanner threads and web requests offer at once).

    ``listener`` is called after each scan, without arguments and without the lock held
    (the kiosk bumps its view version there, which wakes the pages' event streams).
    """

    def __init__(self, rule: CodeRule, listener: Callable[[], None] | None = None) -> None:
        self.rule = rule
        self._listener = listener
        self._lock = threading.Lock()
        self._seq = 0
        self._latest: ScanEvent | None = None

    def offer(self, raw: object, source: str) -> ScanEvent:
        """Check ``raw`` and record it as the latest scan; never raises for any input."""
        code = self.rule.clean(raw)
        with self._lock:
            self._seq += 1
            event = ScanEvent(self._seq, source if source in SOURCES else "unknown", code)
            self._latest = event
        if code is None:
            text = raw if isinstance(raw, str) else repr(type(raw))
            log.info("scan %d from %s rejected: %d characters, %r", event.seq, event.source,
                     len(text), excerpt(text))
        else:
            log.info("scan %d from %s: %s", event.seq, event.source, code)
        if self._listener is not None:
            try:
                self._listener()
            except Exception:  # a redraw hook must never lose the scan
                log.exception("scan listener failed")
        return event

    @property
    def latest(self) -> ScanEvent | None:
        with self._lock:
            return self._latest
