"""The kiosk's configuration file, its environment overrides and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DEFAULT_PRIORITIES, KioskConfigError, load_kiosk_config
from motcua.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "kiosk" / "kiosk.example.toml"


def test_the_example_file_is_valid_and_says_what_a_center_sets():
    """Given kiosk/kiosk.example.toml, when it is loaded without environment, then it is
    kiosk 1 of van-lam on the generic 80 mm profile with the dummy printer, offering the
    five priority groups with their Vietnamese labels, and its ticket folder resolves
    beside the repository's var/."""
    config = load_kiosk_config(EXAMPLE, environ={})
    kiosk = config.kiosk
    assert (kiosk.id, kiosk.site, kiosk.http_port, kiosk.language) == ("1", "van-lam", 8090, "vi")
    assert kiosk.center_name == "Trung tâm Phục vụ hành chính công huyện Văn Lâm"
    assert kiosk.priority_choices() == DEFAULT_PRIORITIES
    assert (config.printer.profile, config.printer.transport) == ("generic-80mm", "dummy")
    assert (config.base_dir / config.printer.output_dir).resolve() == REPO_ROOT / "var" / "tickets"


def test_environment_variables_win_over_the_file():
    """Given the example file, when MOTCUA_* variables are set, then they replace its values
    (an empty variable changes nothing)."""
    config = load_kiosk_config(EXAMPLE, environ={
        "MOTCUA_KIOSK_ID": "2", "MOTCUA_MQTT_URL": "mqtt://kiosk2:pw@hub:1883",
        "MOTCUA_PUBLIC_URL": "https://motcua.example", "MOTCUA_KIOSK_HTTP_PORT": "9000",
        "MOTCUA_PRINTER_PROFILE": "xprinter-xp80", "MOTCUA_PRINTER": "network",
        "MOTCUA_SITE": ""})
    assert (config.kiosk.id, config.kiosk.mqtt_url, config.kiosk.public_url,
            config.kiosk.http_port, config.kiosk.site) == (
        "2", "mqtt://kiosk2:pw@hub:1883", "https://motcua.example", 9000, "van-lam")
    assert (config.printer.profile, config.printer.transport) == ("xprinter-xp80", "network")


def test_every_bad_key_is_named_at_once(tmp_path):
    """Given a file with four mistakes, when it is loaded, then one error names each key."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nid = "Kiosk 1"\nhttp_port = 70000\npublic_url = "hub:8080"\n'
                    'colour = "red"\n[[kiosk.priorities]]\ncode = "vip"\nvi = "VIP"\nen = "VIP"\n',
                    encoding="utf-8")
    with pytest.raises(KioskConfigError) as error:
        load_kiosk_config(path, environ={})
    message = str(error.value)
    for key in ("kiosk.id", "kiosk.http_port", "kiosk.public_url", "kiosk.colour",
                "kiosk.priorities.0.code"):
        assert key in message, key


def test_an_unknown_table_or_a_broken_file_is_refused_with_its_path(tmp_path):
    """Given a file with a [camera] table, and one that is not TOML, when loaded, then the
    error names the file and the table (or the parse error)."""
    extra = tmp_path / "extra.toml"
    extra.write_text("[camera]\nport = 1\n", encoding="utf-8")
    with pytest.raises(KioskConfigError, match="unknown table\\(s\\): camera"):
        load_kiosk_config(extra, environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[kiosk\n", encoding="utf-8")
    with pytest.raises(KioskConfigError, match="broken.toml"):
        load_kiosk_config(broken, environ={})


def test_check_config_names_a_missing_printer_profile(tmp_path, capsys):
    """Given a file naming a printer profile that does not exist, when `motcua kiosk
    check-config` runs, then it exits 2 naming printer.profile; the example exits 0."""
    path = tmp_path / "kiosk.toml"
    path.write_text('[printer]\nprofile = "xp-99"\n', encoding="utf-8")
    assert main(["kiosk", "check-config", str(path)]) == 2
    assert "printer.profile" in capsys.readouterr().err
    assert main(["kiosk", "check-config", str(EXAMPLE)]) == 0
    assert "hợp lệ / valid" in capsys.readouterr().out
