"""Camera frames of an appointment slip, made here, for the camera scanner's tests and
bench: a 640×480 grey desk with a white slip whose barcode (Code 128, python-barcode) or
QR code (segno) holds the dossier code. Deterministic: the same arguments give the same
pixels."""

from __future__ import annotations

import io
import random

import segno
from PIL import Image, ImageDraw

FRAME_SIZE = (640, 480)


def code128_image(code: str) -> Image.Image:
    """The Code 128 bars of ``code`` (no human-readable line), 1 px per 0.25 mm at 200 dpi.

    Raises:
        ImportError: python-barcode is not installed (a test dependency).
    """
    import barcode
    from barcode.writer import ImageWriter

    symbol = barcode.get("code128", code, writer=ImageWriter())
    return symbol.render({"module_width": 0.25, "module_height": 9, "quiet_zone": 4,
                          "write_text": False, "dpi": 200}).convert("L")


def qr_image(code: str, scale: int = 5) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def slip_frame(code: str | None, symbology: str = "code128", *, seed: int = 0,
               angle: float = 0.0, size: tuple[int, int] = FRAME_SIZE) -> Image.Image:
    """A grey frame with a slip; ``code=None`` gives the slip without any barcode."""
    rng = random.Random(seed)
    frame = Image.new("L", size, 96)
    noise = Image.effect_noise(size, 18).point(lambda v: max(0, min(255, v - 32)))
    frame = Image.blend(frame, noise, 0.25)
    slip = Image.new("L", (int(size[0] * 0.86), int(size[1] * 0.62)), 246)
    draw = ImageDraw.Draw(slip)
    for line in range(3):  # the slip's printed lines, as grey bars
        y = 14 + line * 18
        draw.rectangle((20, y, 20 + rng.randint(200, slip.width - 60), y + 7), fill=150)
    if code is not None:
        symbol = code128_image(code) if symbology == "code128" else qr_image(code)
        if symbol.width > slip.width - 20:
            ratio = (slip.width - 20) / symbol.width
            symbol = symbol.resize((slip.width - 20, int(symbol.height * ratio)))
        slip.paste(symbol, ((slip.width - symbol.width) // 2,
                            min(74, slip.height - symbol.height - 4)))
    if angle:
        slip = slip.rotate(angle, expand=True, fillcolor=96)
    frame.paste(slip, ((size[0] - slip.width) // 2, (size[1] - slip.height) // 2))
    return frame
