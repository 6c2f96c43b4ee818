"""Previews and Vietnamese glyphs with the real Pillow and DejaVu fonts; the dummy
printer's files; a code-page profile; a missing font."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from kiosk.printing import (
    PrinterConfigError, PrinterSettings, TicketRenderer, load_profile, open_printer,
    sample_ticket)
from kiosk.printing.fonts import find_font
from kiosk.printing.layout import RasterBlock, TextBlock
from kiosk.printing.preview import MARGIN
from kiosk.printing.profiles import DEFAULT_PROFILES_DIR
from kiosk.printing.raster import TextStyle, load_font, render_line
from kiosk.printing.samples import SAMPLE_TZ

SHIPPED = ("epson-tm-t20", "epson-tm-t88v", "generic-58mm", "generic-80mm", "xprinter-xp80")
#: Letters with their base: the rendering of each must differ from its base's.
DIACRITICS = {"Ư": "U", "ư": "u", "Ơ": "O", "ố": "o", "ứ": "u", "ự": "u", "Đ": "D",
              "ă": "a", "ả": "a", "ẫ": "a", "ỷ": "y", "ổ": "o", "ờ": "o", "ớ": "o"}


def _mask(font, char: str) -> Image.Image:
    """What ``font`` draws for ``char`` (for a code point it lacks: its .notdef box)."""
    mask = font.getmask(char, mode="L")
    return Image.frombytes("L", mask.size, bytes(mask)) if mask.size[0] else Image.new("L", (1, 1))


@pytest.mark.parametrize("name", SHIPPED)
def test_preview_size_follows_the_paper(name: str) -> None:
    """Given a profile, when the sample ticket is previewed, then the image is the paper
    width in dots plus the frame, and as tall as a ticket (600-1100 dots)."""
    profile = load_profile(name)
    image = TicketRenderer(profile, SAMPLE_TZ).preview(sample_ticket())
    assert image.mode == "L"
    assert image.width == profile.width_dots + 2 * MARGIN
    assert 600 <= image.height <= 1100, image.height


@pytest.mark.parametrize("font_name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_every_ticket_character_has_a_real_glyph(font_name: str) -> None:
    """Given every character printed as raster on the sample ticket and the test page,
    when DejaVu draws it, then no character comes out as the font's missing-glyph box."""
    renderer = TicketRenderer(load_profile("generic-80mm"), SAMPLE_TZ)
    texts = [block.text for block in renderer.blocks(sample_ticket())
             if isinstance(block, RasterBlock)]
    texts += [block.text for block in renderer.layout.test_page()
              if isinstance(block, RasterBlock)]
    characters = sorted(set("".join(texts)) - {" "})
    assert {"ố", "ứ", "ự", "Đ", "ă", "ý", "ờ", "ổ", "Ư", "ớ", "ả"} <= set(characters)
    font = load_font(find_font(font_name), 24)
    box = _mask(font, "\U0010fffd")
    tofu = [char for char in characters
            if ImageChops.difference(_mask(font, char), box).getbbox() is None]
    assert tofu == []


def differing_dots(first: Image.Image, second: Image.Image) -> int:
    """Dots that differ between two printer lines, on a common canvas."""
    width, height = max(first.width, second.width), max(first.height, second.height)
    canvases = []
    for image in (first, second):
        canvas = Image.new("1", (width, height), 1)
        canvas.paste(image, (0, 0))
        canvases.append(canvas.convert("L"))
    return ImageChops.difference(*canvases).histogram()[255]


@pytest.mark.parametrize("name", SHIPPED)
def test_diacritics_are_drawn_at_every_size_the_profile_uses(name: str) -> None:
    """Given each font and size a profile prints raster lines with, when a letter with a
    diacritic and its base letter are rendered as printer lines, then the two differ
    (by at least three dots: a mark that vanished, or a tofu box for both, fails)."""
    profile = load_profile(name)
    fonts = profile.fonts
    for font_name in (fonts.regular, fonts.bold):
        for size in (fonts.title_size, fonts.body_size, fonts.small_size):
            style = TextStyle(find_font(font_name), size)
            for marked, base in DIACRITICS.items():
                drawn = render_line(marked, style, profile.width_dots)
                plain = render_line(base, style, profile.width_dots)
                assert differing_dots(drawn, plain) >= 3, (font_name, size, marked)


def test_dummy_printer_writes_the_exact_bytes_and_their_preview(tmp_path: Path) -> None:
    """Given the dummy transport with a relative output_dir, when the sample ticket is
    printed, then {base_dir}/tickets/A015.bin holds exactly the ticket's bytes, A015.png
    is the preview (same size), and the result is printed, ok."""
    printer = open_printer(PrinterSettings(profile="generic-80mm", transport="dummy",
                                           output_dir=Path("tickets"),
                                           timezone="Asia/Ho_Chi_Minh"), base_dir=tmp_path)
    result = printer.print_ticket(sample_ticket())

    assert (result.printed, result.status) == (True, "ok")
    assert printer.status() == "ok"
    renderer = TicketRenderer(load_profile("generic-80mm"), SAMPLE_TZ)
    data, preview = renderer.ticket_bytes_and_preview(sample_ticket())
    assert (tmp_path / "tickets" / "A015.bin").read_bytes() == data
    with Image.open(tmp_path / "tickets" / "A015.png") as png:
        assert png.size == preview.size
        assert ImageChops.difference(png.convert("L"), preview).getbbox() is None
    assert sorted(path.name for path in (tmp_path / "tickets").iterdir()) == [
        "A015.bin", "A015.png"]


def copy_profile(tmp_path: Path, name: str, replace: dict[str, str]) -> Path:
    """A profiles dir holding one shipped profile as ``test-<name>``, edited."""
    directory = tmp_path / "profiles"
    directory.mkdir(exist_ok=True)
    text = (DEFAULT_PROFILES_DIR / f"{name}.toml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    (directory / f"test-{name}.toml").write_text(text, encoding="utf-8")
    return directory


def test_cp1258_profile_sends_vietnamese_as_text_with_split_tone_marks(tmp_path: Path) -> None:
    """Given a profile where Windows-1258 was tested (table 52), when the sample ticket
    is encoded, then the code page is selected once, Vietnamese lines are native text
    with tone marks after their base letters, no text line is an image, and the ticket
    is far smaller than the raster one."""
    directory = copy_profile(tmp_path, "generic-80mm",
                             {'vietnamese = "raster"': 'vietnamese = "cp1258"\ncodepage_table = 52'})
    renderer = TicketRenderer(load_profile("test-generic-80mm", directory), SAMPLE_TZ)
    data = renderer.ticket_bytes(sample_ticket())

    assert data.startswith(b"\x1b@\x1bt\x34")
    assert data.count(b"\x1bt") == 1
    assert b"S\xf4\xec th\xfd\xec t\xfd\xf2\n" in data                 # Số thứ tự
    assert b"\xd0\xe3ng ky\xec kinh doanh\n" in data       # Đăng ký: ý is y + U+0301
    assert b"\x1dv0" not in data
    blocks = renderer.blocks(sample_ticket())
    assert not any(isinstance(block, RasterBlock) for block in blocks)
    assert "Ưu tiên: Người cao tuổi" in [
        block.text for block in blocks if isinstance(block, TextBlock)]
    assert len(data) < 1500


def test_missing_font_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    """Given a profile naming a font that is not installed, when the printer is opened,
    then PrinterConfigError names printer.profile's fonts and how to install DejaVu."""
    directory = copy_profile(tmp_path, "generic-58mm", {"[fonts]": '[fonts]\nregular = "NoSuchFont.ttf"'})
    with pytest.raises(PrinterConfigError) as raised:
        open_printer(PrinterSettings(profile="test-generic-58mm", profiles_dir=directory),
                     base_dir=tmp_path)
    message = str(raised.value)
    assert message.startswith("printer.profile: fonts: font 'NoSuchFont.ttf' not found")
    assert "fonts-dejavu-core" in message


def test_missing_profile_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    """Given settings naming a profile that does not exist, when the printer is opened,
    then PrinterConfigError names printer.profile and lists the known profiles."""
    with pytest.raises(PrinterConfigError) as raised:
        open_printer(PrinterSettings(profile="xp-99"), base_dir=tmp_path)
    message = str(raised.value)
    assert message.startswith("printer.profile: no profile 'xp-99'")
    assert message.endswith("known: " + ", ".join(SHIPPED))


def test_copied_profile_dir_is_used_relative_to_base_dir(tmp_path: Path) -> None:
    """Given profiles_dir relative to base_dir, when the printer is opened, then the
    profile is read from there."""
    shutil.copy(DEFAULT_PROFILES_DIR / "generic-58mm.toml", tmp_path / "mine.toml")
    printer = open_printer(PrinterSettings(profile="mine", profiles_dir=Path(".")),
                           base_dir=tmp_path)
    assert printer.renderer.profile.width_dots == 384
