"""Blocks to ESC/POS bytes, through python-escpos's ``Dummy`` printer.

Encoding is pure (no device): the bytes are built once, then a transport sends them in
one write. The same ticket and profile always give the same bytes, which the golden
tests pin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PIL import Image

from kiosk.printing import _escpos_env  # noqa: F401  (before escpos: stable cache dir)
from escpos.constants import QR_ECLEVEL_M  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

from kiosk.printing.codepage import encode_cp1258  # noqa: E402
from kiosk.printing.layout import (  # noqa: E402
    Block, CutBlock, FeedBlock, QrBlock, RasterBlock, TextBlock)
from kiosk.printing.profiles import PrinterProfile  # noqa: E402

ESC = b"\x1b"
GS = b"\x1d"
_INVERT = bytes(255 - value for value in range(256))
#: Tallest image sent in one ``GS v 0`` (escpos's own fragment height).
MAX_RASTER_ROWS = 960


def raster_command(image: Image.Image) -> bytes:
    """``GS v 0`` for a 1-bit image: the same bytes as escpos's
    ``image(impl="bitImageRaster")``, without its RGBA round trip (ten times faster)."""
    if image.mode != "1":
        image = image.convert("1")
    width_bytes = (image.width + 7) // 8
    if image.width % 8:
        padded = Image.new("1", (width_bytes * 8, image.height), 1)
        padded.paste(image, (0, 0))
        image = padded
    # Pillow packs "1" images with 1 = white; the printer wants 1 = a black dot
    data = image.tobytes().translate(_INVERT)
    return (GS + b"v0\x00" + width_bytes.to_bytes(2, "little")
            + image.height.to_bytes(2, "little") + data)


def _raster(printer: Dummy, block: RasterBlock, profile: PrinterProfile) -> None:
    if block.image.width > profile.width_dots:
        raise ValueError(f"raster line {block.text!r} is wider than the paper")
    if block.image.height > MAX_RASTER_ROWS:  # printers buffer a limited image
        printer.image(block.image, impl="bitImageRaster", fragment_height=MAX_RASTER_ROWS)
        return
    printer._raw(raster_command(block.image))


def _text(printer: Dummy, block: TextBlock, profile: PrinterProfile) -> None:
    size = block.magnification
    if size > 1:
        printer.set(align=block.align, bold=block.bold, custom_size=True,
                    width=size, height=size)
    else:
        printer.set(align=block.align, bold=block.bold, normal_textsize=True)
    data = (block.text.encode("ascii") if block.text.isascii()
            else encode_cp1258(block.text))
    printer._raw(data + b"\n")
    # back to the defaults: raster images after this must not inherit the centring
    printer.set(align="left", bold=False, normal_textsize=True)


def _qr(printer: Dummy, block: QrBlock, profile: PrinterProfile) -> None:
    printer.set(align="center")
    printer.qr(block.content, ec=QR_ECLEVEL_M, size=block.module_dots, native=True)
    printer.set(align="left")


def _feed(printer: Dummy, block: FeedBlock, profile: PrinterProfile) -> None:
    dots = block.dots
    while dots > 0:
        step = min(dots, 255)
        printer._raw(ESC + b"J" + bytes((step,)))
        dots -= step


def _cut(printer: Dummy, block: CutBlock, profile: PrinterProfile) -> None:
    if block.mode == "none":
        printer.print_and_feed(4)  # past the tear bar
    else:
        printer.cut(mode="FULL" if block.mode == "full" else "PART")


_ENCODERS: dict[type, Callable[[Dummy, object, PrinterProfile], None]] = {
    RasterBlock: _raster,
    TextBlock: _text,
    QrBlock: _qr,
    FeedBlock: _feed,
    CutBlock: _cut,
}


def encode_blocks(blocks: Iterable[Block], profile: PrinterProfile) -> bytes:
    """The ESC/POS bytes of ``blocks`` for ``profile``: initialise (``ESC @``), the
    density and code page the profile asks for, then each block."""
    printer = Dummy(profile=profile.escpos_profile)
    printer.hw("INIT")
    if profile.density is not None:
        printer.set(density=profile.density)
    if profile.vietnamese == "cp1258":
        printer._raw(ESC + b"t" + bytes((profile.codepage_table,)))
    for block in blocks:
        _ENCODERS[type(block)](printer, block, profile)
    return printer.output
