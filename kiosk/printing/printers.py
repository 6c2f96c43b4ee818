"""The ticket printers the kiosk drives, and :func:`open_printer`, which picks one.

:class:`DummyTicketPrinter` writes each ticket's bytes and a PNG preview to a directory
(no hardware: ``make run`` and the tests use it). :class:`DeviceTicketPrinter` sends the
bytes over a :mod:`~kiosk.printing.transports` connection, reading the paper status
before and after. Both honour the :class:`~kiosk.printing.model.TicketPrinter` promises:
thread-safe, and device faults come back as a :class:`PrintResult`, never as exceptions.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image

from kiosk.printing.errors import PrinterConfigError
from kiosk.printing.model import PrintResult, TicketContent, TicketPrinter
from kiosk.printing.profiles import PrinterProfile, load_profile
from kiosk.printing.render import TicketRenderer
from kiosk.printing.settings import PrinterSettings
from kiosk.printing.transports import (
    CONNECTIONS, DEVICE_ERRORS, DeviceConnection, TransportOptions)

logger = logging.getLogger(__name__)

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader never sees half a file."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                     delete=False) as handle:
        handle.write(data)
        temporary = Path(handle.name)
    os.chmod(temporary, 0o644)  # mkstemp makes 0600; tickets are for anyone to open
    os.replace(temporary, path)


class DummyTicketPrinter:
    """Writes ``{output_dir}/{number}.bin`` (the exact bytes) and ``{number}.png`` (their
    preview); its status is always ``ok``."""

    def __init__(self, renderer: TicketRenderer, output_dir: Path) -> None:
        self.renderer = renderer
        self.output_dir = output_dir
        self._lock = threading.Lock()

    def status(self) -> str:
        return "ok"

    def close(self) -> None:
        """Nothing to release."""

    def print_ticket(self, ticket: TicketContent) -> PrintResult:
        with self._lock:
            try:
                blocks = self.renderer.blocks(ticket)
                data = self.renderer.encode(blocks)
            except Exception as error:  # a layout bug must not take the kiosk down
                logger.exception("ticket %s could not be rendered", ticket.number)
                return PrintResult(False, "unknown", f"render: {error!r}")
            stem = _UNSAFE_FILE_CHARS.sub("_", ticket.number)
            return self._write(stem, data, lambda: self.renderer.preview_of(blocks))

    def print_test_page(self) -> PrintResult:
        """Write the profile's test page as ``test-{profile}.bin`` and ``.png``."""
        with self._lock:
            data, preview = self.renderer.test_page()
            return self._write(f"test-{self.renderer.profile.name}", data, lambda: preview)

    def _write(self, stem: str, data: bytes, preview: Callable[[], Image.Image]) -> PrintResult:
        """``.bin`` first (the ticket itself), then the ``.png`` drawn from the same
        blocks; PNG optimisation is off: it costs ~60 ms for ~15 % of a 10 KB file."""
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.output_dir / f"{stem}.bin", data)
            png = io.BytesIO()
            preview().save(png, format="PNG")
            _write_atomically(self.output_dir / f"{stem}.png", png.getvalue())
        except OSError as error:
            logger.error("dummy printer could not write %s to %s: %s", stem,
                         self.output_dir, error)
            return PrintResult(False, "offline", f"cannot write {self.output_dir}: {error}")
        logger.info("dummy printer wrote %s (%d bytes)", self.output_dir / f"{stem}.bin",
                    len(data))
        return PrintResult(True, "ok")


class DeviceTicketPrinter:
    """A printer behind a serial, USB, network or file connection.

    Printing reads the paper status first (paper out: nothing is sent), sends the whole
    ticket in one write, then reads the status again (paper out now: the ticket may be
    cut short, so it counts as not printed). A device error gives ``offline`` and drops
    the connection, which the next call reopens.
    """

    def __init__(self, renderer: TicketRenderer, connection: DeviceConnection) -> None:
        self.renderer = renderer
        self.connection = connection
        # re-entrant: print_ticket renders under it (Pillow's FreeType faces are shared)
        # and then takes it again to send
        self._lock = threading.RLock()

    def _guarded(self, action: str, work: Callable[[], PrintResult]) -> PrintResult:
        try:
            return work()
        except DEVICE_ERRORS as error:
            detail = " ".join(str(error).split())  # escpos messages span lines
            logger.warning("printer %s: %s failed: %s", self.connection.describe(), action,
                           detail)
            return PrintResult(False, "offline", f"{action}: {detail}")
        except Exception as error:  # the promise is "never raises"; keep the trace
            logger.exception("printer %s: %s failed unexpectedly", self.connection.describe(),
                             action)
            self.connection.reset()
            return PrintResult(False, "unknown", f"{action}: {error!r}")

    def close(self) -> None:
        """Release the device (the next call would open it again)."""
        with self._lock:
            self.connection.reset()

    def status(self) -> str:
        def query() -> PrintResult:
            with self.connection.session() as session:
                return PrintResult(False, session.paper_state())

        with self._lock:
            return self._guarded("status", query).status

    def print_ticket(self, ticket: TicketContent) -> PrintResult:
        with self._lock:
            try:
                data = self.renderer.ticket_bytes(ticket)
            except Exception as error:  # a layout bug must not take the kiosk down
                logger.exception("ticket %s could not be rendered", ticket.number)
                return PrintResult(False, self.status(), f"render: {error!r}")
            return self._print(f"ticket {ticket.number}", data)

    def print_test_page(self) -> PrintResult:
        """Print the profile's test page, with the same status checks as a ticket."""
        with self._lock:
            data, _preview = self.renderer.test_page()
            return self._print("test page", data)

    def _print(self, what: str, data: bytes) -> PrintResult:
        def send() -> PrintResult:
            with self.connection.session() as session:
                before = session.paper_state()
                if before == "paper_out":
                    return PrintResult(False, "paper_out", "paper out before printing")
                session.send(data)
                after = session.paper_state()
            if after == "paper_out":
                return PrintResult(False, "paper_out", "paper ran out while printing")
            return PrintResult(True, after)

        with self._lock:
            result = self._guarded("print", send)
        logger.info("%s on %s (%d bytes): printed=%s status=%s %s", what,
                    self.connection.describe(), len(data), result.printed, result.status,
                    result.detail)
        return result


# --- choosing a printer -----------------------------------------------------------------


def _resolve(path: Path | None, base_dir: Path) -> Path | None:
    if path is None:
        return None
    return path if path.is_absolute() else base_dir / path


def transport_options(settings: PrinterSettings, profile: PrinterProfile) -> TransportOptions:
    """The kiosk's transport settings over the profile's defaults."""
    defaults = profile.transport

    def pick(value, default):
        return default if value is None else value

    return TransportOptions(
        escpos_profile=profile.escpos_profile,
        device=settings.device,
        baudrate=pick(settings.baudrate, defaults.baudrate),
        host=settings.host,
        port=pick(settings.port, defaults.port),
        usb_vendor_id=pick(settings.usb_vendor_id, defaults.usb_vendor_id),
        usb_product_id=pick(settings.usb_product_id, defaults.usb_product_id),
        usb_in_ep=pick(settings.usb_in_ep, defaults.usb_in_ep),
        usb_out_ep=pick(settings.usb_out_ep, defaults.usb_out_ep),
        timeout_s=pick(settings.timeout_s, defaults.timeout_s),
        status_timeout_s=pick(settings.status_timeout_s, defaults.status_timeout_s),
        read_status=profile.status,
    )


#: Which option each transport cannot do without.
_REQUIRED = {
    "serial": (("device", "the serial port, e.g. /dev/serial/by-id/..."),),
    "file": (("device", "the device file, e.g. /dev/usb/lp0"),),
    "network": (("host", "the printer's address"),),
    "usb": (("usb_vendor_id", "the USB vendor id, e.g. 0x04b8"),
            ("usb_product_id", "the USB product id")),
}


def _dummy(settings: PrinterSettings, profile: PrinterProfile, renderer: TicketRenderer,
           base_dir: Path) -> TicketPrinter:
    return DummyTicketPrinter(renderer, _resolve(settings.output_dir, base_dir))


def _device(settings: PrinterSettings, profile: PrinterProfile, renderer: TicketRenderer,
            base_dir: Path) -> TicketPrinter:
    options = transport_options(settings, profile)
    for key, meaning in _REQUIRED[settings.transport]:
        if getattr(options, key) is None:
            raise PrinterConfigError(
                f"printer.{key}: required for transport {settings.transport!r} ({meaning})")
    if settings.transport == "file" and options.device:
        device = _resolve(Path(options.device), base_dir)
        options = TransportOptions(**{**vars(options), "device": str(device)})
    return DeviceTicketPrinter(renderer, CONNECTIONS[settings.transport](options))


#: Transport name → factory of the printer that uses it.
TRANSPORTS: dict[str, Callable[..., TicketPrinter]] = {
    "dummy": _dummy,
    "file": _device,
    "usb": _device,
    "serial": _device,
    "network": _device,
}


def timezone_of(settings: PrinterSettings):
    """The zone tickets print their time in (None: the issue time's own offset)."""
    if settings.timezone is None:
        return None
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PrinterConfigError(
            f"printer.timezone: unknown time zone {settings.timezone!r} "
            "(e.g. Asia/Ho_Chi_Minh)") from None


def open_printer(settings: PrinterSettings, *, base_dir: Path) -> TicketPrinter:
    """The printer ``settings`` describe; relative paths are taken from ``base_dir``.

    Nothing is opened yet (the device opens on first use, so a kiosk starts with its
    printer unplugged), but everything that can be checked is: the profile, its fonts,
    the transport's required options.

    Raises:
        PrinterConfigError: the message starts with the bad key (``printer.profile``...).
    """
    profile = load_profile(settings.profile, _resolve(settings.profiles_dir, base_dir))
    renderer = TicketRenderer(profile, timezone_of(settings))
    factory = TRANSPORTS.get(settings.transport)
    if factory is None:
        raise PrinterConfigError(
            f"printer.transport: unknown transport {settings.transport!r}; "
            f"known: {', '.join(TRANSPORTS)}")
    printer = factory(settings, profile, renderer, base_dir)
    logger.info("printer: profile %s, transport %s", profile.name, settings.transport)
    return printer
