"""Blocks to a PNG-ready image: what the ticket looks like, without a printer.

Raster lines are pasted as sent; native text is drawn with DejaVu Sans Mono in the
printer font's 12 × 24 dot cell; a native QR is drawn module for module as the printer
would. The feed before the cut is shortened and the cut shown as a dashed line.
"""

from __future__ import annotations

from collections.abc import Iterable

from PIL import Image, ImageDraw

from kiosk.printing.fonts import find_font
from kiosk.printing.layout import Block, CutBlock, FeedBlock, QrBlock, RasterBlock, TextBlock
from kiosk.printing.profiles import PrinterProfile
from kiosk.printing.raster import load_font, qr_image

#: Grey frame around the paper, in pixels.
MARGIN = 16
#: Line advance of native text at size 1 (ESC 2: 1/6 inch at 203 dpi).
NATIVE_LINE_DOTS = 34


def _native_line(block: TextBlock, width: int) -> Image.Image:
    size = block.magnification
    cell_w, cell_h = 12 * size, 24 * size
    name = "DejaVuSansMono-Bold.ttf" if block.bold else "DejaVuSansMono.ttf"
    path = find_font(name)
    probe = load_font(path, 100)
    font = load_font(path, max(int(100 * cell_w / probe.getlength("M")), 6))
    text_width = cell_w * len(block.text)
    x = (width - text_width) // 2 if block.align == "center" else 0
    height = max(NATIVE_LINE_DOTS, cell_h + 6)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    draw.text((x, cell_h), block.text, font=font, fill=0, anchor="ls")
    return image


def _pieces(blocks: Iterable[Block], profile: PrinterProfile) -> list[Image.Image]:
    width = profile.width_dots
    pieces: list[Image.Image] = []
    for block in blocks:
        if isinstance(block, RasterBlock):
            pieces.append(block.image)
        elif isinstance(block, TextBlock):
            pieces.append(_native_line(block, width))
        elif isinstance(block, QrBlock):
            pieces.append(qr_image(block.content, block.module_dots, width))
        elif isinstance(block, FeedBlock):
            pieces.append(Image.new("1", (width, block.dots), 1))
        elif isinstance(block, CutBlock):
            cut = Image.new("1", (width, 48), 1)
            draw = ImageDraw.Draw(cut)
            for x in range(0, width, 16):
                draw.line([(x, 40), (x + 8, 40)], fill=0, width=2)
            pieces.append(cut)
    return pieces


def render_preview(blocks: Iterable[Block], profile: PrinterProfile) -> Image.Image:
    """The ticket as a greyscale image: white paper, one pixel per printer dot, in a
    grey frame."""
    pieces = _pieces(blocks, profile)
    width = profile.width_dots
    height = sum(piece.height for piece in pieces) + 24
    image = Image.new("L", (width + 2 * MARGIN, height + 2 * MARGIN), 200)
    image.paste(255, (MARGIN, MARGIN, MARGIN + width, MARGIN + height))
    y = MARGIN + 12
    for piece in pieces:
        image.paste(piece.convert("L"), (MARGIN, y))
        y += piece.height
    return image
