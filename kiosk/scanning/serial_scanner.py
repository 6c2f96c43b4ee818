"""A handheld scanner in serial mode (USB CDC-ACM or RS-232), read with pyserial.

One thread owns the port: it opens it (``serial_for_url``, so ``loop://`` works too),
reads lines through :class:`~kiosk.scanning.lines.LineReader` and delivers each one. When
the scanner is unplugged the read fails: the port is closed, one warning is logged, and
the port is opened again every ``reconnect_s`` until it is back — no restart needed.
Use the ``/dev/serial/by-id/...`` name: ``ttyACMn`` numbers change after a replug.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import serial

from .base import Deliver, safe_deliver
from .lines import TERMINATORS, LineReader

log = logging.getLogger(__name__)

#: Seconds one read waits for bytes: how soon ``close()`` is noticed.
READ_TIMEOUT_S = 0.2


class SerialScanner:
    kind = "serial"

    def __init__(self, port: str, deliver: Deliver, *, baudrate: int = 9600,
                 terminator: str = "\r", max_line_bytes: int = 256,
                 reconnect_s: float = 2.0,
                 opener: Callable[..., Any] = serial.serial_for_url) -> None:
        self.port = port
        self.baudrate = baudrate
        self.terminator = TERMINATORS[terminator]
        self.max_line_bytes = max_line_bytes
        self.reconnect_s = reconnect_s
        self._deliver = deliver
        self._opener = opener
        self._stop = threading.Event()
        self._device: Any = None
        self._thread = threading.Thread(target=self._run, name="scanner-serial", daemon=True)
        #: Set while the port is open (tests wait on it).
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * READ_TIMEOUT_S + 1)

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                device = self._opener(self.port, baudrate=self.baudrate,
                                      timeout=READ_TIMEOUT_S)
            except (serial.SerialException, OSError, ValueError) as error:
                if not failing:
                    log.warning("scanner %s not available (%s): retrying every %.1f s",
                                self.port, error, self.reconnect_s)
                    failing = True
                self._stop.wait(self.reconnect_s)
                continue
            failing = False
            log.info("scanner %s open", self.port)
            self.connected.set()
            try:
                self._read(device)
            except (serial.SerialException, OSError) as error:
                log.warning("scanner %s lost (%s): reopening", self.port, error)
            finally:
                self.connected.clear()
                try:
                    device.close()
                except (serial.SerialException, OSError):
                    pass
            self._stop.wait(self.reconnect_s)

    def _read(self, device: Any) -> None:
        # A fresh reader per connection: half a line from before an unplug is noise.
        reader = LineReader(self.terminator, self.max_line_bytes)
        while not self._stop.is_set():
            data = device.read(max(1, getattr(device, "in_waiting", 0) or 1))
            if not data:
                continue
            for line in reader.feed(data):
                safe_deliver(self._deliver, line, self.kind)
