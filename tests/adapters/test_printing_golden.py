"""Exact ESC/POS bytes per profile for the fixed sample ticket (golden files).

The bytes depend on the shipped profiles, the layout, Pillow and the DejaVu font files
(Debian's fonts-dejavu-core, found by file name in a fixed order). After an intended
change, regenerate with ``MOTCUA_UPDATE_GOLDEN=1`` and look at the previews.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from kiosk.printing import TicketRenderer, list_profiles, load_profile, sample_ticket
from kiosk.printing.encode import raster_command
from kiosk.printing.layout import QrBlock, RasterBlock, TextBlock
from kiosk.printing.samples import SAMPLE_TZ

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MOTCUA_UPDATE_GOLDEN") == "1"
SHIPPED = ("epson-tm-t20", "epson-tm-t88v", "generic-58mm", "generic-80mm", "xprinter-xp80")

INIT = b"\x1b@"
PARTIAL_CUT = b"\x1dV\x01"


def test_every_shipped_profile_has_a_golden_file() -> None:
    """Given the shipped profiles, then each has a golden ticket (and no golden file is
    left over from a removed profile)."""
    assert tuple(profile.name for profile in list_profiles()) == SHIPPED
    assert sorted(path.name for path in GOLDEN.glob("ticket-*.bin")) == [
        f"ticket-{name}.bin" for name in SHIPPED]


@pytest.mark.parametrize("name", SHIPPED)
def test_ticket_bytes_match_the_golden_file(name: str) -> None:
    """Given the sample ticket issued at 08:15 in Hồ Chí Minh City, when it is encoded
    for the profile, then the bytes are exactly the golden file's."""
    data = TicketRenderer(load_profile(name), SAMPLE_TZ).ticket_bytes(sample_ticket())
    golden = GOLDEN / f"ticket-{name}.bin"
    if UPDATE:
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{name}: {len(data)} bytes vs golden"


@pytest.mark.parametrize("name", SHIPPED)
def test_ticket_structure_per_profile(name: str) -> None:
    """Given a profile, when the sample ticket is encoded, then it starts with ESC @,
    holds the number at the profile's size (GS !), bold and centred, the QR natively
    (GS ( k with the URL) only where the profile has native QR, and ends with the
    profile's cut (a partial cut, or a feed past the tear bar)."""
    profile = load_profile(name)
    data = TicketRenderer(profile, SAMPLE_TZ).ticket_bytes(sample_ticket())
    size = profile.number_magnification - 1
    assert data.startswith(INIT)
    assert b"\x1d!" + bytes((size << 4 | size,)) + b"\x1bE\x01\x1ba\x01A015\n" in data
    url = sample_ticket().url.encode()
    native_qr = b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    assert (native_qr in data) is profile.native_qr
    if profile.cutter == "none":
        assert data.endswith(b"\x1bd\x04")
    else:
        assert data.endswith(PARTIAL_CUT)


def test_80mm_ticket_stays_under_16_kb() -> None:
    """Given the 80 mm profiles, when the sample ticket is encoded, then it is at most
    16 KB (HARDWARE_NOTES: raster Vietnamese lines, native number and QR)."""
    for name in ("epson-tm-t20", "generic-80mm", "xprinter-xp80", "epson-tm-t88v"):
        data = TicketRenderer(load_profile(name), SAMPLE_TZ).ticket_bytes(sample_ticket())
        assert len(data) <= 16 * 1024, (name, len(data))


LONG_SERVICE = "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở"


def test_long_service_name_shrinks_then_wraps_and_stays_under_16_kb() -> None:
    """Given a service name too long for one line even at body size, when the ticket is
    laid out on 80 mm paper, then it wraps into two lines drawn at body size (not the
    title size), and the whole ticket, with a priority, an hour-long wait and two footer
    lines, stays within 16 KB."""
    profile = load_profile("generic-80mm")
    renderer = TicketRenderer(profile, SAMPLE_TZ)
    ticket = dataclasses.replace(sample_ticket(), service_name=LONG_SERVICE,
                                 waiting_ahead=123, est_wait_s=5000)
    lines = [block for block in renderer.blocks(ticket)
             if isinstance(block, RasterBlock) and block.text in (
                 "Cấp giấy chứng nhận quyền sử dụng đất,", "quyền sở hữu nhà ở")]
    assert [block.text for block in lines] == [
        "Cấp giấy chứng nhận quyền sử dụng đất,", "quyền sở hữu nhà ở"]
    for line in lines:
        at_body_size = renderer.layout.lines(line.text, profile.fonts.body_size, bold=True,
                                             align="center")[0]
        assert line.image.tobytes() == at_body_size.image.tobytes()
    assert len(renderer.ticket_bytes(ticket)) <= 16 * 1024


def test_blocks_put_vietnamese_in_raster_and_ascii_in_native_text() -> None:
    """Given the raster profile generic-80mm, when the sample ticket is laid out, then
    every line with a Vietnamese letter is an image, the number and the ASCII hotline
    are native text, and the QR is native."""
    blocks = TicketRenderer(load_profile("generic-80mm"), SAMPLE_TZ).blocks(sample_ticket())
    raster = [block.text for block in blocks if isinstance(block, RasterBlock)]
    native = [block.text for block in blocks if isinstance(block, TextBlock)]
    assert raster == [
        "Trung tâm Phục vụ hành chính công", "thành phố Đà Nẵng", "Đăng ký kinh doanh",
        "Số thứ tự", "Ưu tiên: Người cao tuổi", "Giờ lấy số: 08:15 ngày 30/11/2026",
        "Số người chờ trước bạn: 7", "Ước tính chờ: khoảng 13 phút",
        "Quét mã QR để theo dõi số của bạn", "Vui lòng chờ gọi số trên màn hình"]
    assert native == ["A015", "Hotline: 0236 3 888 999"]
    assert [block.content for block in blocks if isinstance(block, QrBlock)] == [
        sample_ticket().url]


@pytest.mark.parametrize("width", [8, 13, 100, 576])
def test_raster_command_equals_escpos_bit_image_raster(width: int) -> None:
    """Given a 1-bit image (widths on and off a byte boundary), when it is encoded with
    the fast path, then the bytes equal python-escpos's image(impl="bitImageRaster")."""
    image = Image.new("1", (width, 17), 1)
    draw = ImageDraw.Draw(image)
    draw.line([(0, 0), (width - 1, 16)], fill=0)
    draw.rectangle([(width // 3, 4), (width // 2, 9)], fill=0)
    reference = Dummy(profile="TM-T20II")
    reference.image(image, impl="bitImageRaster")
    assert raster_command(image) == reference.output
