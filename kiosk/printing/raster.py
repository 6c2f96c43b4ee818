"""Draw Vietnamese text lines and QR codes as 1-bit images for the printer.

Images end up in mode ``"1"`` (a thermal head has no grey), cropped
to the ink so no blank rows travel over the wire, and as narrow as the text allows: a
centred line is shifted right by white columns instead of padded to the full width.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont



#: Every QR mask pattern is valid; fixing one skips segno's scoring of all eight, which
#: takes about 15 ms in pure Python and would blow the 30 ms render budget.
QR_MASK = 0


@dataclass(frozen=True)
class TextStyle:
    """A raster line's look: font file, size in dots, horizontal alignment."""

    font_path: Path
    size: int
    align: str = "left"  # left | center
    #: White dots before a left-aligned line, so it does not touch the paper's edge.
    indent: int = 0


@functools.lru_cache(maxsize=64)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The TrueType font at ``size`` dots (cached: opening a TTF costs milliseconds)."""
    return ImageFont.truetype(str(path), size)


def wrap_to_width(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Split ``text`` at spaces into lines no wider than ``width`` dots (a single word
    wider than that stays whole on its own line)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


#: Grey levels darker than this become a printed dot.
INK_THRESHOLD = 170
_THRESHOLD = [0 if level < INK_THRESHOLD else 255 for level in range(256)]


def _byte_width(pixels: int) -> int:
    return max(8, -(-pixels // 8) * 8)


def render_line(text: str, style: TextStyle, paper_width: int) -> Image.Image:
    """One line of text as a 1-bit image, cropped to its ink; white is 1, black is 0.

    The image is never wider than ``paper_width``; a centred line starts with white
    columns so it prints centred without relying on ``ESC a`` (which not every printer
    applies to raster images).
    """
    font = load_font(style.font_path, style.size)
    left, top, right, bottom = font.getbbox(text)
    ink_width = min(right - left, paper_width)
    ink_height = max(bottom - top, 1)
    offset = (paper_width - ink_width) // 2 if style.align == "center" else style.indent
    ink_width = min(ink_width, paper_width - offset)
    width = min(_byte_width(offset + ink_width), paper_width)
    # Drawn anti-aliased, then thresholded: FreeType's 1-bit mode drops thin strokes at
    # ticket sizes (the horn of Ư vanished at 20 dots), a generous threshold keeps them.
    grey = Image.new("L", (width, ink_height), 255)
    ImageDraw.Draw(grey).text((offset - left, -top), text, font=font, fill=0)
    return grey.point(_THRESHOLD).convert("1", dither=Image.Dither.NONE)


def qr_image(content: str, module_dots: int, paper_width: int,
             center: bool = True) -> Image.Image:
    """The QR code of ``content`` (error correction M, the smallest version that fits, as
    the printer's own ``GS ( k`` picks; mask :data:`QR_MASK`) at ``module_dots`` per
    module, no quiet zone: the paper around it is blank."""
    code = segno.make(content, error="m", micro=False, boost_error=False, mask=QR_MASK)
    modules = code.symbol_size(scale=1, border=0)[0]
    size = modules * module_dots
    offset = max((paper_width - size) // 2, 0) if center else 0
    symbol = Image.new("1", (modules, modules), 1)
    symbol.putdata([0 if dark else 1 for row in code.matrix for dark in row])
    image = Image.new("1", (min(_byte_width(offset + size), paper_width), size), 1)
    image.paste(symbol.resize((size, size), Image.Resampling.NEAREST), (offset, 0))
    return image
