"""Connections to a real printer, one class per transport, all over python-escpos.

A connection sends bytes and reads the paper status. Any device error (unplugged USB or
serial, connection refused, write failure) propagates as the error it is, after the
connection dropped its device: the next use builds a new escpos object and opens the
device afresh, so a printer plugged back in works again without a restart.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.printing import _escpos_env  # noqa: F401  (before escpos: stable cache dir)
from escpos.exceptions import Error as EscposError  # noqa: E402

from kiosk.printing.status import PAPER_STATUS_REQUEST, paper_state  # noqa: E402

logger = logging.getLogger(__name__)

try:  # pyserial's flush/tcflush on a vanished tty raise termios.error, not OSError
    from termios import error as _TermiosError
except ImportError:  # not POSIX
    class _TermiosError(Exception):  # type: ignore[no-redef]
        pass

#: Errors that mean "the device is not there or stopped answering".
DEVICE_ERRORS: tuple[type[BaseException], ...] = (OSError, EscposError, _TermiosError)


@dataclass(frozen=True)
class TransportOptions:
    """A transport's options after merging the kiosk's settings over the profile's."""

    escpos_profile: str
    device: str | None = None
    baudrate: int = 115200
    host: str | None = None
    port: int = 9100
    usb_vendor_id: int | None = None
    usb_product_id: int | None = None
    usb_in_ep: int = 0x82
    usb_out_ep: int = 0x01
    timeout_s: float = 5.0
    status_timeout_s: float = 1.0
    #: Whether to ask DLE EOT at all (the profile's ``status``).
    read_status: bool = True


class DeviceConnection:
    """A lazily opened escpos printer object; subclasses build it and read replies."""

    #: Whether the device stays open between sessions (a network printer does not:
    #: raw port 9100 takes one job per connection and may drop idle ones).
    keep_open = True
    #: Whether the transport can read the printer's answers at all.
    can_read = True

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        self._printer = None

    def __del__(self) -> None:
        # before escpos's own __del__, whose close() raises on a vanished tty
        self.reset()

    def describe(self) -> str:
        """The device, for log lines."""
        raise NotImplementedError

    def _make(self):
        raise NotImplementedError

    def _read_reply(self, printer) -> bytes:
        """Bytes the printer sent back within the status timeout (``b""`` for none)."""
        raise NotImplementedError

    def _drain(self, printer) -> None:
        """Drop bytes a late answer left in the input buffer."""

    def _open(self):
        if self._printer is None:
            printer = self._make()
            printer.device  # escpos opens lazily; open now so errors surface here
            self._printer = printer
        return self._printer

    def reset(self) -> None:
        """Close the device and forget it; the next session reopens it."""
        printer, self._printer = self._printer, None
        if printer is None:
            return
        try:
            printer.close()
        except Exception:  # closing a vanished device may fail any which way
            logger.debug("closing %s failed", self.describe(), exc_info=True)
            device = getattr(printer, "_device", None)
            # escpos's __del__ closes again when _device is set, and would fail again
            printer._device = False
            try:
                if hasattr(device, "close"):
                    device.close()
            except Exception:
                logger.debug("releasing %s failed", self.describe(), exc_info=True)

    @contextmanager
    def session(self) -> Iterator[DeviceConnection]:
        """The open connection; on a device error it is reset and the error re-raised."""
        try:
            self._open()
            yield self
        except BaseException:
            self.reset()
            raise
        if not self.keep_open:
            self.reset()

    def send(self, data: bytes) -> None:
        """Write ``data`` in one go."""
        self._open()._raw(data)

    def paper_state(self) -> str:
        """``ok``/``paper_low``/``paper_out``, or ``unknown`` when the printer did not
        answer (or this transport cannot read). Device errors propagate."""
        if not (self.can_read and self.options.read_status):
            return "unknown"
        printer = self._open()
        self._drain(printer)
        printer._raw(PAPER_STATUS_REQUEST)
        return paper_state(self._read_reply(printer))


class SerialConnection(DeviceConnection):
    def describe(self) -> str:
        return f"serial {self.options.device} @ {self.options.baudrate}"

    def _make(self):
        from escpos.printer import Serial

        if not Serial.is_usable():
            raise EscposError("pyserial is not installed (pip install python-escpos[serial])")
        printer = Serial(self.options.device, baudrate=self.options.baudrate,
                         timeout=self.options.status_timeout_s,
                         profile=self.options.escpos_profile)
        return printer

    def _open(self):
        fresh = self._printer is None
        printer = super()._open()
        if fresh:
            # a stalled port (flow control, unplugged adapter) must not block forever
            printer.device.write_timeout = self.options.timeout_s
        return printer

    def send(self, data: bytes) -> None:
        """Write ``data`` and wait until the port has sent it: at 9600 baud a raster
        ticket takes ~15 s, and a status request written behind it would be answered
        only then. The time allowed grows with the bytes (10 bits each)."""
        printer = self._open()
        budget = self.options.timeout_s + len(data) * 10 / self.options.baudrate
        printer.device.write_timeout = budget
        printer._raw(data)
        deadline = time.monotonic() + budget
        while printer.device.out_waiting:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.describe()}: {printer.device.out_waiting} bytes "
                                   f"still unsent after {budget:.1f} s (flow control?)")
            time.sleep(0.01)

    def _drain(self, printer) -> None:
        printer.device.reset_input_buffer()

    def _read_reply(self, printer) -> bytes:
        printer.device.timeout = self.options.status_timeout_s
        return printer.device.read(1)


class UsbConnection(DeviceConnection):
    def describe(self) -> str:
        return f"usb {self.options.usb_vendor_id:04x}:{self.options.usb_product_id:04x}"

    def _make(self):
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise EscposError("pyusb is not installed (pip install python-escpos[usb])")
        import usb.backend.libusb1

        if usb.backend.libusb1.get_backend() is None:
            raise EscposError("libusb is not installed (Debian: apt-get install libusb-1.0-0)")
        return Usb(self.options.usb_vendor_id, self.options.usb_product_id,
                   timeout=int(self.options.timeout_s * 1000),
                   in_ep=self.options.usb_in_ep, out_ep=self.options.usb_out_ep,
                   profile=self.options.escpos_profile)

    def _read_reply(self, printer) -> bytes:
        import usb.core

        try:
            return bytes(printer.device.read(self.options.usb_in_ep, 16,
                                             int(self.options.status_timeout_s * 1000)))
        except usb.core.USBTimeoutError:
            return b""


class NetworkConnection(DeviceConnection):
    keep_open = False

    def describe(self) -> str:
        return f"network {self.options.host}:{self.options.port}"

    def _make(self):
        from escpos.printer import Network

        return Network(self.options.host, port=self.options.port,
                       timeout=self.options.timeout_s, profile=self.options.escpos_profile)

    def _drain(self, printer) -> None:
        sock: socket.socket = printer.device
        sock.setblocking(False)
        try:
            while sock.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(self.options.timeout_s)

    def _read_reply(self, printer) -> bytes:
        sock: socket.socket = printer.device
        sock.settimeout(self.options.status_timeout_s)
        try:
            reply = sock.recv(16)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.options.timeout_s)
        if not reply:
            raise ConnectionResetError(f"{self.describe()} closed the connection")
        return reply


class FileConnection(DeviceConnection):
    """A write-only device file (``/dev/usb/lp0``): no status can be read."""

    can_read = False

    def describe(self) -> str:
        return f"file {self.options.device}"

    def _make(self):
        from escpos.printer import File

        path = Path(self.options.device or "")
        # escpos opens with "wb", which would create a plain file where the unplugged
        # device node was; a device path must exist
        if path.parts[:2] == ("/", "dev") and not path.exists():
            raise FileNotFoundError(f"{path} does not exist (printer unplugged?)")
        return File(str(path), profile=self.options.escpos_profile)


#: Transport name → connection class (the ``dummy`` transport needs no connection).
CONNECTIONS: dict[str, type[DeviceConnection]] = {
    "serial": SerialConnection,
    "usb": UsbConnection,
    "network": NetworkConnection,
    "file": FileConnection,
}
