"""What the kiosk process hands the printer and what it gets back.

:class:`TicketContent` is everything printed on one ticket; :class:`TicketPrinter` is the
small protocol every transport implements. Printer states are the contract's
(:data:`kiosk.backend.PRINTER_STATES`).
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from kiosk.backend import PRINTER_STATES

__all__ = ["PRINTER_STATES", "PrintResult", "TicketContent", "TicketPrinter"]


@dataclass(frozen=True)
class TicketContent:
    """One ticket, as the hub issued it.

    ``number`` is ASCII (``"A015"``): it is printed with the printer's own font at a large
    size. ``issued_at`` must be timezone-aware; it is printed in local time. ``url`` is the
    QR target, the hub's live page ``/t/{id}``. ``dossier`` (a dossier code, ASCII) makes
    it a return-of-results ticket: "TRẢ KẾT QUẢ" and the code are printed under the
    service, so the clerk who calls it knows which dossier to hand over.
    """

    center_name: str
    service_name: str
    number: str
    priority_label: str | None
    issued_at: datetime.datetime
    waiting_ahead: int
    est_wait_s: int | None
    url: str
    footer: tuple[str, ...] = ()
    dossier: str | None = None

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("TicketContent.issued_at must be timezone-aware")
        if not self.number or not self.number.isascii() or not self.number.isprintable():
            raise ValueError(f"TicketContent.number must be printable ASCII: {self.number!r}")
        if self.dossier is not None and not (
                self.dossier and self.dossier.isascii() and self.dossier.isprintable()):
            raise ValueError(f"TicketContent.dossier must be printable ASCII: {self.dossier!r}")

    def normalized(self) -> TicketContent:
        """The same ticket with every text in Unicode NFC, so each Vietnamese letter is
        one code point (what the font's cmap and code pages expect)."""
        def nfc(text: str) -> str:
            return unicodedata.normalize("NFC", text)

        return TicketContent(
            center_name=nfc(self.center_name), service_name=nfc(self.service_name),
            number=self.number,
            priority_label=nfc(self.priority_label) if self.priority_label else None,
            issued_at=self.issued_at, waiting_ahead=self.waiting_ahead,
            est_wait_s=self.est_wait_s, url=self.url,
            footer=tuple(nfc(line) for line in self.footer), dossier=self.dossier)


@dataclass(frozen=True)
class PrintResult:
    """The outcome of one :meth:`TicketPrinter.print_ticket`.

    ``printed`` is true only when every byte reached the device and the printer did not
    report paper out afterwards. ``status`` is one of :data:`PRINTER_STATES`; ``detail``
    says what went wrong, for the log.
    """

    printed: bool
    status: str
    detail: str = ""

    def __post_init__(self) -> None:
        if self.status not in PRINTER_STATES:
            raise ValueError(f"unknown printer status {self.status!r}")


class TicketPrinter(Protocol):
    """A thermal printer as the kiosk sees it. Implementations are thread-safe."""

    def status(self) -> str:
        """``ok``, ``paper_low``, ``paper_out``, ``offline`` or ``unknown``; never raises.

        A printer that does not answer is ``unknown``, never ``ok``.
        """

    def print_ticket(self, ticket: TicketContent) -> PrintResult:
        """Print one ticket; device faults come back in the result, never as exceptions."""
