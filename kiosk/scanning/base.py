"""The scanner protocol: something that reads codes in the background and hands them on.

Every implementation takes a ``deliver(raw_text, source)`` callable (the kiosk's
:meth:`~kiosk.runtime.HubKiosk.scanned`, which checks the code) and keeps two promises:
``start()`` returns at once (a missing device is retried in the background, never an
exception), and a ``deliver`` that raises is logged and never stops the scanner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

#: ``deliver(raw_text, source)``: the text one scan gave, and the scanner kind.
Deliver = Callable[[str, str], object]


class Scanner(Protocol):
    kind: str

    def start(self) -> None:
        """Begin reading in the background; returns at once."""

    def close(self) -> None:
        """Stop reading and release the device; safe to call twice."""


def safe_deliver(deliver: Deliver, raw: str, source: str) -> None:
    """Call ``deliver``; a failure is logged, the scanner goes on."""
    try:
        deliver(raw, source)
    except Exception:
        log.exception("delivering a %s scan failed", source)


class IdleScanner:
    """``none`` and ``wedge``: nothing to read in the kiosk process (a wedge scanner types
    into the touch page, whose script posts the code to ``/api/scan``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def start(self) -> None:
        log.info("scanner: %s", "keyboard wedge, read by the touch page"
                 if self.kind == "wedge" else "none")

    def close(self) -> None:
        pass
