"""Printer profiles and printer settings: shipped values, validation, errors naming keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.printing import PrinterConfigError, PrinterSettings, list_profiles, load_profile


def test_shipped_profiles_and_their_capabilities() -> None:
    """Given the repository's printer_profiles/, when they are listed, then the five
    models are there with their paper width, dpi, escpos profile, Vietnamese mode,
    native QR and cutter."""
    table = {p.name: (p.width_dots, p.dpi, p.escpos_profile, p.vietnamese, p.native_qr,
                      p.cutter) for p in list_profiles()}
    assert table == {
        "epson-tm-t20": (576, 203, "TM-T20II", "raster", True, "partial"),
        "epson-tm-t88v": (512, 180, "TM-T88V", "raster", True, "partial"),
        "generic-58mm": (384, 203, "POS-5890", "raster", False, "none"),
        "generic-80mm": (576, 203, "TM-T20II", "raster", True, "partial"),
        "xprinter-xp80": (576, 203, "TM-T20II", "raster", True, "partial"),
    }
    assert load_profile("epson-tm-t20").transport.usb_vendor_id == 0x04B8
    assert load_profile("generic-58mm").width_mm == 48.0


def test_missing_profile_names_the_key_and_the_known_ones() -> None:
    """Given a name with no profile file, when it is loaded, then the error starts with
    printer.profile and lists the known profiles."""
    with pytest.raises(PrinterConfigError) as raised:
        load_profile("xp-99")
    assert str(raised.value).startswith("printer.profile: no profile 'xp-99' in ")
    assert str(raised.value).endswith(
        "known: epson-tm-t20, epson-tm-t88v, generic-58mm, generic-80mm, xprinter-xp80")


def test_a_path_is_not_a_profile_name() -> None:
    """Given a name that tries to leave the profiles directory, when it is loaded, then
    it is refused like any unknown name."""
    with pytest.raises(PrinterConfigError, match="no profile '../pyproject'"):
        load_profile("../pyproject")


def write_profile(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.toml").write_text(text, encoding="utf-8")
    return directory


def test_unknown_key_in_a_profile_is_named(tmp_path: Path) -> None:
    """Given a profile with a misspelt key, when it is loaded, then the error names the
    file and the key."""
    directory = write_profile(tmp_path, "typo", 'escpos_profile = "TM-T20II"\n'
                              'width_dots = 576\nnative_qrr = true\n')
    with pytest.raises(PrinterConfigError) as raised:
        load_profile("typo", directory)
    assert str(raised.value) == (
        "printer.profile: typo.toml: native_qrr: Extra inputs are not permitted")


def test_bad_values_are_named_with_their_table(tmp_path: Path) -> None:
    """Given a profile with a bad cutter and a bad baud rate, when it is loaded, then
    both keys are named, the nested one with its table."""
    directory = write_profile(tmp_path, "bad", 'escpos_profile = "TM-T20II"\n'
                              'width_dots = 576\ncutter = "saw"\n[transport]\nbaudrate = 0\n')
    with pytest.raises(PrinterConfigError) as raised:
        load_profile("bad", directory)
    message = str(raised.value)
    assert message.startswith("printer.profile: bad.toml: cutter: ")
    assert "; transport.baudrate: Input should be greater than 0" in message


def test_cp1258_needs_the_table_number(tmp_path: Path) -> None:
    """Given a profile asking for Vietnamese through cp1258 without its ESC t number,
    when it is loaded, then the error says codepage_table is needed."""
    directory = write_profile(tmp_path, "cp", 'escpos_profile = "TM-T20II"\n'
                              'width_dots = 576\nvietnamese = "cp1258"\n')
    with pytest.raises(PrinterConfigError, match="needs codepage_table"):
        load_profile("cp", directory)


def test_broken_toml_is_named(tmp_path: Path) -> None:
    """Given a profile that is not TOML, when the profiles are listed, then the error
    names the file (a broken profile is never skipped silently)."""
    directory = write_profile(tmp_path, "broken", "width_dots = = 5\n")
    with pytest.raises(PrinterConfigError, match=r"^printer.profile: broken.toml: "):
        list_profiles(directory)


def test_printer_settings_defaults_and_hex_usb_ids() -> None:
    """Given the kiosk's [printer] table, then the default is the generic 80 mm profile
    on the dummy transport writing to var/tickets, and USB ids may be hex strings."""
    default = PrinterSettings()
    assert (default.profile, default.transport, default.output_dir) == (
        "generic-80mm", "dummy", Path("var/tickets"))
    usb = PrinterSettings(transport="usb", usb_vendor_id="0x04b8", usb_product_id="0e15")
    assert (usb.usb_vendor_id, usb.usb_product_id) == (0x04B8, 0x0E15)


@pytest.mark.parametrize(("settings", "key"), [
    ({"transport": "bluetooth"}, "transport"),
    ({"baud": 9600}, "baud"),
    ({"usb_vendor_id": "xyz"}, "usb_vendor_id"),
    ({"port": 70000}, "port"),
])
def test_printer_settings_reject_bad_keys(settings: dict, key: str) -> None:
    """Given a bad [printer] value or an unknown key, then validation names the key."""
    with pytest.raises(ValidationError) as raised:
        PrinterSettings(**settings)
    assert [error["loc"][0] for error in raised.value.errors()] == [key]
