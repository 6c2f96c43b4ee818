"""The return-of-results ticket (phiếu trả kết quả): exact ESC/POS bytes per profile
(golden files ``golden/return-<profile>.bin``), "TRẢ KẾT QUẢ" drawn in Vietnamese and the
dossier code in the printer's own font. After an intended change, regenerate with
``MOTCUA_UPDATE_GOLDEN=1`` and look at the previews (``motcua printer preview``)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from kiosk.printing import TicketRenderer, load_profile, sample_return_ticket, sample_ticket
from kiosk.printing.layout import RasterBlock, TextBlock
from kiosk.printing.samples import SAMPLE_DOSSIER, SAMPLE_TZ

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MOTCUA_UPDATE_GOLDEN") == "1"
SHIPPED = ("epson-tm-t20", "epson-tm-t88v", "generic-58mm", "generic-80mm", "xprinter-xp80")


@pytest.mark.parametrize("name", SHIPPED)
def test_return_ticket_bytes_match_the_golden_file(name: str) -> None:
    """Given the sample return ticket for dossier 000.00.12.H42-261115-0007 at 09:40,
    When encoded for the profile, Then the bytes are exactly the golden file's."""
    data = TicketRenderer(load_profile(name), SAMPLE_TZ).ticket_bytes(sample_return_ticket())
    golden = GOLDEN / f"return-{name}.bin"
    if UPDATE:
        golden.write_bytes(data)
    assert data == golden.read_bytes(), f"{name}: {len(data)} bytes vs golden"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_banner_and_the_code_sit_under_the_service(name: str) -> None:
    """Given a profile, When the return ticket is laid out, Then right after the service
    name come the raster banner "TRẢ KẾT QUẢ", the label "Mã hồ sơ" and the code as bold
    native text (bytes ``ESC E 1``, centred, the code), all before the number."""
    renderer = TicketRenderer(load_profile(name), SAMPLE_TZ)
    blocks = renderer.blocks(sample_return_ticket())
    texts = [block.text for block in blocks if isinstance(block, (RasterBlock, TextBlock))]
    banner = texts.index("TRẢ KẾT QUẢ")
    assert texts[banner - 1] == "Nhận kết quả giải quyết hồ sơ"
    assert texts[banner + 1:banner + 3] == ["Mã hồ sơ", SAMPLE_DOSSIER]
    assert texts.index(SAMPLE_DOSSIER) < texts.index("R004")
    code_block = next(b for b in blocks if isinstance(b, TextBlock) and b.text == SAMPLE_DOSSIER)
    assert (code_block.bold, code_block.align) == (True, "center")
    data = renderer.ticket_bytes(sample_return_ticket())
    assert b"\x1bE\x01\x1ba\x01" + SAMPLE_DOSSIER.encode() + b"\n" in data
    assert len(data) <= 16 * 1024


def test_an_ordinary_ticket_has_no_banner() -> None:
    """Given the ordinary sample ticket, Then neither the banner nor a code is printed."""
    blocks = TicketRenderer(load_profile("generic-80mm"), SAMPLE_TZ).blocks(sample_ticket())
    texts = [block.text for block in blocks if isinstance(block, (RasterBlock, TextBlock))]
    assert "TRẢ KẾT QUẢ" not in texts and "Mã hồ sơ" not in texts


def test_a_dossier_code_must_be_printable_ascii() -> None:
    """Given a code with a newline or Vietnamese letters, Then the ticket is refused at
    construction, naming the field (the kiosk's code rule never lets one through)."""
    for bad in ("000.00.12.H42-261115-0007\n\x1bd\x09", "hồ-sơ", ""):
        with pytest.raises(ValueError, match="dossier"):
            dataclasses.replace(sample_return_ticket(), dossier=bad)
