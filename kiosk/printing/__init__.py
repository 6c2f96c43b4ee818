"""Thermal ticket printing for the kiosk: profiles, layout, Vietnamese raster text,
transports and paper status.

The kiosk process needs only :func:`open_printer` and the :class:`TicketPrinter` it
returns::

    printer = open_printer(PrinterSettings(profile="epson-tm-t20", transport="usb",
                                           usb_vendor_id=0x04B8, usb_product_id=0x0E15),
                           base_dir=config_dir)
    result = printer.print_ticket(ticket)       # PrintResult(printed, status, detail)
    printer.status()                            # ok | paper_low | paper_out | offline | unknown
"""

from kiosk.printing import _escpos_env  # noqa: F401  (first: before escpos is imported)
from kiosk.printing.errors import PrinterConfigError
from kiosk.printing.model import PRINTER_STATES, PrintResult, TicketContent, TicketPrinter
from kiosk.printing.printers import (
    TRANSPORTS, DeviceTicketPrinter, DummyTicketPrinter, open_printer)
from kiosk.printing.profiles import PrinterProfile, list_profiles, load_profile
from kiosk.printing.render import TicketRenderer
from kiosk.printing.samples import sample_return_ticket, sample_ticket
from kiosk.printing.settings import PrinterSettings

__all__ = [
    "PRINTER_STATES", "TRANSPORTS", "DeviceTicketPrinter", "DummyTicketPrinter",
    "PrintResult", "PrinterConfigError", "PrinterProfile", "PrinterSettings",
    "TicketContent", "TicketPrinter", "TicketRenderer", "list_profiles", "load_profile",
    "open_printer", "sample_return_ticket", "sample_ticket",
]
