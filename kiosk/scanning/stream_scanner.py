"""The ``stdin`` scanner: one code per line from standard input or a script file.

For demos (``printf '000.00.12.H42-230915-0001\n' | motcua kiosk ...``, or a file of codes
played back every ``line_interval_s``) and for tests. Lines are bounded: a line longer
than ``max_line_chars`` is dropped whole with a log line, never read into memory whole.
The end of the input ends this scanner, not the kiosk.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .base import Deliver, safe_deliver

log = logging.getLogger(__name__)


class StreamScanner:
    kind = "stdin"

    def __init__(self, deliver: Deliver, *, script: Path | None = None,
                 stream: TextIO | None = None, line_interval_s: float = 0.0,
                 max_line_chars: int = 256) -> None:
        self._deliver = deliver
        self._open: Callable[[], TextIO] = (
            (lambda: open(script, encoding="utf-8", errors="replace")) if script is not None
            else (lambda: stream if stream is not None else sys.stdin))
        self.line_interval_s = line_interval_s
        self.max_line_chars = max_line_chars
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scanner-stdin", daemon=True)
        #: Set when the input has ended (tests wait on it).
        self.finished = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        # A thread blocked on standard input cannot be woken; it is a daemon.
        self._thread.join(timeout=0.5)

    def _run(self) -> None:
        try:
            stream = self._open()
        except OSError as error:
            log.error("scanner script cannot be read: %s", error)
            self.finished.set()
            return
        try:
            self._read(stream)
        except (OSError, ValueError, io.UnsupportedOperation) as error:
            log.warning("scanner input failed: %s", error)
        finally:
            self.finished.set()
        log.info("scanner input ended")

    def _read(self, stream: TextIO) -> None:
        first = True
        while not self._stop.is_set():
            line = stream.readline(self.max_line_chars + 2)
            if not line:
                return
            if not line.endswith("\n") and len(line) > self.max_line_chars:
                log.warning("scanner: dropped a line longer than %d characters",
                            self.max_line_chars)
                while line and not line.endswith("\n"):  # skip the rest of it
                    line = stream.readline(4096)
                continue
            text = line.strip()
            if not text:
                continue
            if not first and self.line_interval_s:
                if self._stop.wait(self.line_interval_s):
                    return
            first = False
            safe_deliver(self._deliver, text, self.kind)
