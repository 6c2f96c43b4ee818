"""The display's configuration file, its environment overrides and its errors; the
Vietnamese date on the board."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from display.config import DisplayConfigError, find_font, load_display_config
from display.strings import vietnamese_date

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "display" / "display.example.toml"


def test_the_example_file_is_valid_and_complete():
    """Given display/display.example.toml, when it is loaded, then every documented key has
    its value: id 1 at van-lam, 1920×1080 full screen, 3 notices, 8 s blink, 6 recent
    calls, DejaVuSans, no periodic screenshot, the theme's accent, and an announcer
    writing under var/announcements, quieter at lunch."""
    config = load_display_config(EXAMPLE, environ={})
    section = config.display
    assert (section.id, section.site, section.size, section.fullscreen) == (
        "1", "van-lam", (1920, 1080), True)
    assert section.center_name == "Bộ phận Tiếp nhận và Trả kết quả huyện Văn Lâm"
    assert len(section.notices) == 3 and section.notices[0].startswith("Quý khách")
    assert (section.blink_s, section.recent_calls, section.fps) == (8.0, 6, 20)
    assert (section.font, section.screenshot_every_s) == ("DejaVuSans.ttf", 0)
    assert config.resolve(section.screenshot_path) == EXAMPLE.parent / "../var/display.png"
    assert config.theme.rgb("accent") == (0xFF, 0xCC, 0x00)
    assert config.announcer == {
        "audio_out": "../var/announcements",
        "volume_by_hour": {"07:00": 0.9, "11:30": 0.6, "13:00": 0.9}}
    assert config.font_path().name == "DejaVuSans.ttf"
    assert config.font_path(bold=True).name == "DejaVuSans-Bold.ttf"


def test_environment_variables_win_over_the_file():
    """Given the example file, when MOTCUA_DISPLAY_* and MOTCUA_MQTT_URL are set, then
    they replace the file's values."""
    config = load_display_config(EXAMPLE, environ={
        "MOTCUA_DISPLAY_ID": "2", "MOTCUA_MQTT_URL": "mqtt://display2:pw@10.0.0.5:1883",
        "MOTCUA_SITE": "hcm-q1", "MOTCUA_DISPLAY_RESOLUTION": "1280x720",
        "MOTCUA_DISPLAY_FULLSCREEN": "false", "MOTCUA_DISPLAY_SCREENSHOT_EVERY_S": "5",
        "MOTCUA_DISPLAY_SCREENSHOT": "/tmp/board.png"})
    section = config.display
    assert (section.id, section.site, section.mqtt_url) == (
        "2", "hcm-q1", "mqtt://display2:pw@10.0.0.5:1883")
    assert (section.size, section.fullscreen, section.screenshot_every_s) == (
        (1280, 720), False, 5.0)
    assert section.screenshot_path == Path("/tmp/board.png")


def test_every_bad_key_is_named_at_once(tmp_path):
    """Given a file with a bad resolution, a negative blink, an unknown key and a bad
    colour, when it is loaded, then one error names all four keys."""
    path = tmp_path / "bad.toml"
    path.write_text('[display]\nresolution = "big"\nblink_s = -1\ncolour = 1\n'
                    '[display.theme]\naccent = "yellow"\n[announcer]\nvoice = "vi"\n',
                    encoding="utf-8")
    with pytest.raises(DisplayConfigError) as error:
        load_display_config(path, environ={})
    message = str(error.value)
    for key in ("display.resolution", "display.blink_s", "display.colour",
                "display.theme.accent"):
        assert key in message


def test_an_unknown_table_is_refused(tmp_path):
    """Given a file with a [kiosk] table, when it is loaded, then the error names it."""
    path = tmp_path / "other.toml"
    path.write_text("[kiosk]\nid = 1\n", encoding="utf-8")
    with pytest.raises(DisplayConfigError, match="unknown table.*kiosk"):
        load_display_config(path, environ={})


def test_a_missing_font_says_which_package_to_install():
    """Given a font name found nowhere, when it is looked up, then the error says to
    install fonts-dejavu-core."""
    with pytest.raises(DisplayConfigError, match="fonts-dejavu-core"):
        find_font("NoSuchFont-Regular.ttf")


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2026, 11, 30), "Thứ Hai, 30/11/2026"), (dt.date(2026, 12, 1), "Thứ Ba, 01/12/2026"),
    (dt.date(2026, 12, 2), "Thứ Tư, 02/12/2026"), (dt.date(2026, 12, 3), "Thứ Năm, 03/12/2026"),
    (dt.date(2026, 12, 4), "Thứ Sáu, 04/12/2026"), (dt.date(2026, 12, 5), "Thứ Bảy, 05/12/2026"),
    (dt.date(2026, 12, 6), "Chủ Nhật, 06/12/2026"),
])
def test_the_date_reads_in_vietnamese(day, text):
    """Given each day of a week, when the board's date is written, then it is the
    Vietnamese weekday name and dd/mm/yyyy."""
    assert vietnamese_date(day) == text


def test_check_config_accepts_the_example_and_names_bad_keys(tmp_path, capsys):
    """Given the example file and a file with a bad blink, when `motcua display
    check-config` checks them, then the example is valid (exit 0, its id, site and
    resolution printed) and the bad one exits 2 naming display.blink_s."""
    from motcua.cli import main

    assert main(["display", "check-config", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{EXAMPLE}: hợp lệ / valid (display 1, site van-lam, 1920x1080)")
    bad = tmp_path / "bad.toml"
    bad.write_text("[display]\nblink_s = 0\n", encoding="utf-8")
    assert main(["display", "check-config", str(bad)]) == 2
    assert "display.blink_s" in capsys.readouterr().err


@pytest.mark.parametrize(("announcer", "key"), [
    ('sink = "speaker"', "announcer.sink"),
    ('mode = "spelled"', "announcer.mode"),
    ('loudness = 3', "announcer.loudness"),
    ('template = "Mời {ticket} đến {counter_name}"', "announcer.template"),
])
def test_check_config_names_a_bad_announcer_key(tmp_path, capsys, announcer, key):
    """Given a display file whose [announcer] table has one bad value, when `motcua display
    check-config` runs, then it exits 2 naming that key (no sound is played)."""
    from motcua.cli import main

    bad = tmp_path / "display.toml"
    bad.write_text(f"[announcer]\n{announcer}\n", encoding="utf-8")
    assert main(["display", "check-config", str(bad)]) == 2
    assert key in capsys.readouterr().err
