"""One ticket to bytes and to a preview, for one profile."""

from __future__ import annotations

import datetime

from PIL import Image

from kiosk.printing.encode import encode_blocks
from kiosk.printing.layout import Block, TicketLayout
from kiosk.printing.model import TicketContent
from kiosk.printing.preview import render_preview
from kiosk.printing.profiles import PrinterProfile


class TicketRenderer:
    """Lays out, encodes and previews tickets for ``profile``; times are printed in ``tz``
    (None: the issue time's own offset, the site's zone as the hub stamped it).

    Raises:
        PrinterConfigError: (from the constructor) a font of the profile is missing.
    """

    def __init__(self, profile: PrinterProfile, tz: datetime.tzinfo | None = None) -> None:
        self.profile = profile
        self.layout = TicketLayout(profile, tz)

    def blocks(self, ticket: TicketContent) -> list[Block]:
        return self.layout.ticket(ticket)

    def ticket_bytes(self, ticket: TicketContent) -> bytes:
        """The exact ESC/POS bytes of ``ticket``."""
        return encode_blocks(self.blocks(ticket), self.profile)

    def encode(self, blocks: list[Block]) -> bytes:
        """The ESC/POS bytes of laid-out blocks."""
        return encode_blocks(blocks, self.profile)

    def preview_of(self, blocks: list[Block]) -> Image.Image:
        """The preview of laid-out blocks."""
        return render_preview(blocks, self.profile)

    def ticket_bytes_and_preview(self, ticket: TicketContent) -> tuple[bytes, Image.Image]:
        """Bytes and preview from one layout (the preview is of these very bytes)."""
        blocks = self.blocks(ticket)
        return encode_blocks(blocks, self.profile), render_preview(blocks, self.profile)

    def preview(self, ticket: TicketContent) -> Image.Image:
        return render_preview(self.blocks(ticket), self.profile)

    def test_page(self) -> tuple[bytes, Image.Image]:
        """Bytes and preview of the profile's test page."""
        blocks = self.layout.test_page()
        return self.encode(blocks), self.preview_of(blocks)
