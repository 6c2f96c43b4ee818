"""The one error the printing package raises at configuration time."""

from __future__ import annotations


class PrinterConfigError(ValueError):
    """A printer setting or profile is invalid; the message starts with the key.

    For example ``printer.profile: no profile 'xp-99'; known: epson-tm-t20, ...``.
    Raised by :func:`~kiosk.printing.load_profile` and
    :func:`~kiosk.printing.open_printer`, never while printing a ticket.
    """
