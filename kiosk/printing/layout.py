"""From a ticket to printer-neutral blocks: raster lines, native text, QR, feeds, a cut.

The same blocks feed both :mod:`~kiosk.printing.encode` (ESC/POS bytes) and
:mod:`~kiosk.printing.preview` (a PNG), so the preview shows the ticket the printer gets.
Where each line goes is decided here, once: ASCII lines (and, on a ``cp1258`` profile,
lines that code page can spell) use the printer's own font; every other Vietnamese line
is drawn with DejaVuSans; the number is native text at a large size; the QR is native
where the profile says so and an image otherwise.
"""

from __future__ import annotations

import datetime
import functools
import textwrap
from dataclasses import dataclass

from PIL import Image

from kiosk.printing.codepage import can_encode_cp1258
from kiosk.printing.fonts import find_font
from kiosk.printing.model import TicketContent
from kiosk.printing.profiles import PrinterProfile
from kiosk.printing.raster import TextStyle, load_font, qr_image, render_line, wrap_to_width
from kiosk.printing.texts import ahead_line, issued_line, text, wait_line

#: Width of one character of the printer's font A, in dots (12 × 24).
NATIVE_CHAR_DOTS = 12
#: White dots before left-aligned raster lines (a paper edge is never quite straight).
LEFT_INDENT = 8


@dataclass(frozen=True)
class RasterBlock:
    """A 1-bit image printed as is (``GS v 0``); ``text`` is what it shows."""

    image: Image.Image
    text: str = ""


@dataclass(frozen=True)
class TextBlock:
    """A line in the printer's own font: ASCII, or Vietnamese on a ``cp1258`` profile."""

    text: str
    magnification: int = 1
    bold: bool = False
    align: str = "left"


@dataclass(frozen=True)
class QrBlock:
    """A QR code the printer draws itself (``GS ( k``), centred."""

    content: str
    module_dots: int


@dataclass(frozen=True)
class FeedBlock:
    """Blank paper, in dots (``ESC J``)."""

    dots: int


@dataclass(frozen=True)
class CutBlock:
    """End of the ticket: ``full`` or ``partial`` cut, or ``none`` (feed to the tear bar)."""

    mode: str


Block = RasterBlock | TextBlock | QrBlock | FeedBlock | CutBlock


class TicketLayout:
    """Lays tickets out for one profile; fonts are found and opened once, here.

    Raises:
        PrinterConfigError: (from the constructor) a font of the profile is not installed.
    """

    def __init__(self, profile: PrinterProfile, tz: datetime.tzinfo | None = None) -> None:
        self.profile = profile
        self.tz = tz
        self._regular = find_font(profile.fonts.regular)
        self._bold = find_font(profile.fonts.bold)
        for path in (self._regular, self._bold):
            load_font(path, profile.fonts.body_size)  # fail now on an unreadable file
        # Center and service names, labels and footers repeat on every ticket: drawing
        # each once keeps a ticket's render to the lines that change (time, counts).
        self._cached_lines = functools.lru_cache(maxsize=512)(self._draw_lines)

    # --- lines -------------------------------------------------------------------------

    def _native(self, line: str) -> bool:
        if line.isascii():
            return True
        return self.profile.vietnamese == "cp1258" and can_encode_cp1258(line)

    def lines(self, content: str, size: int, *, bold: bool = False,
              align: str = "left") -> list[Block]:
        """``content`` wrapped to the paper: native text when the printer can spell it,
        raster lines otherwise (blocks are shared between calls: never mutate them)."""
        return list(self._cached_lines(content, size, bold, align))

    def _draw_lines(self, content: str, size: int, bold: bool, align: str) -> tuple[Block, ...]:
        width = self.profile.width_dots
        if self._native(content):
            columns = max(width // NATIVE_CHAR_DOTS, 8)
            return tuple(TextBlock(line, bold=bold, align=align)
                         for line in textwrap.wrap(content, columns) or [""])
        style = TextStyle(self._bold if bold else self._regular, size, align, LEFT_INDENT)
        font = load_font(style.font_path, size)
        blocks: list[Block] = []
        for index, line in enumerate(wrap_to_width(content, font, width - LEFT_INDENT)):
            if index:
                blocks.append(FeedBlock(max(size // 4, 4)))
            blocks.append(RasterBlock(render_line(line, style, width), line))
        return tuple(blocks)

    def fitted_lines(self, content: str, largest: int, smallest: int, *,
                     bold: bool = False, align: str = "left") -> list[Block]:
        """``content`` on one line at the largest size from ``largest`` down to
        ``smallest`` that fits the paper; wrapped at ``smallest`` if none does (a long
        service name stays legible and keeps the ticket's bytes bounded)."""
        if self._native(content):
            return self.lines(content, largest, bold=bold, align=align)
        width = self.profile.width_dots - LEFT_INDENT
        path = self._bold if bold else self._regular
        for size in range(largest, smallest, -2):
            if load_font(path, size).getlength(content) <= width:
                return self.lines(content, size, bold=bold, align=align)
        return self.lines(content, smallest, bold=bold, align=align)

    def qr(self, content: str) -> Block:
        """The QR of ``content``: native where the profile has it, else an image."""
        if self.profile.native_qr:
            return QrBlock(content, self.profile.qr_module_dots)
        return RasterBlock(qr_image(content, self.profile.qr_module_dots,
                                    self.profile.width_dots), content)

    def _spaced(self, *groups: list[Block], gap: int) -> list[Block]:
        blocks: list[Block] = []
        for group in groups:
            if blocks and group:
                blocks.append(FeedBlock(gap))
            blocks.extend(group)
        return blocks

    # --- pages -------------------------------------------------------------------------

    def ticket(self, ticket: TicketContent) -> list[Block]:
        """The blocks of one ticket, top to bottom."""
        ticket = ticket.normalized()
        fonts = self.profile.fonts
        header = self._spaced(
            self.lines(ticket.center_name, fonts.body_size, bold=True, align="center"),
            self.fitted_lines(ticket.service_name, fonts.title_size, fonts.body_size,
                              bold=True, align="center"),
            gap=10)
        if ticket.dossier:
            # A return-of-results ticket: the banner and the code right under the service,
            # where the clerk's eye lands first.
            header = self._spaced(
                header,
                self.lines(text("return_banner"), fonts.title_size, bold=True,
                           align="center"),
                [*self.lines(text("dossier_label"), fonts.small_size, align="center"),
                 FeedBlock(4),
                 *self.lines(ticket.dossier, fonts.body_size, bold=True, align="center")],
                gap=10)
        number = [*self.lines(text("number_label"), fonts.small_size, align="center"),
                  FeedBlock(6),
                  TextBlock(ticket.number, self.profile.number_magnification, True, "center")]
        if ticket.priority_label:
            number.append(FeedBlock(8))
            # title size: at body size the horn of a bold Ư shrinks to a dot
            number += self.lines(text("priority", label=ticket.priority_label),
                                 fonts.title_size, bold=True, align="center")
        details = self._spaced(
            self.lines(issued_line(ticket.issued_at, self.tz), fonts.body_size),
            self.lines(ahead_line(ticket.waiting_ahead), fonts.body_size),
            self.lines(wait_line(ticket.est_wait_s), fonts.body_size), gap=8)
        follow = [self.qr(ticket.url), FeedBlock(8),
                  *self.lines(text("qr_caption"), fonts.small_size, align="center")]
        footer = self._spaced(*(self.lines(line, fonts.small_size, align="center")
                                for line in ticket.footer), gap=6)
        return [*self._spaced(header, number, details, follow, footer, gap=16),
                CutBlock(self.profile.cutter)]

    def test_page(self) -> list[Block]:
        """A page that shows whether this profile suits the printer: Vietnamese text in
        the profile's mode, native text, the big number, the QR and the cut."""
        profile, fonts = self.profile, self.profile.fonts
        mode = profile.vietnamese if profile.vietnamese == "raster" else (
            f"cp1258 (ESC t {profile.codepage_table})")
        body = [
            self.lines(text("test_title"), fonts.title_size, bold=True, align="center"),
            self.lines(text("test_profile", name=profile.name), fonts.body_size),
            self.lines(text("test_width", dots=profile.width_dots, mm=profile.width_mm,
                            dpi=profile.dpi), fonts.body_size),
            self.lines(text("test_mode", mode=mode), fonts.body_size),
            self.lines(text("test_vietnamese"), fonts.body_size),
            self.lines(text("test_letters"), fonts.body_size),
            self.lines(text("test_ascii"), fonts.body_size),
            [TextBlock("A000", profile.number_magnification, True, "center")],
            [self.qr("motcua: QR OK")],
            self.lines(text("test_qr_hint"), fonts.small_size, align="center"),
        ]
        return [*self._spaced(*body, gap=12), CutBlock(profile.cutter)]
