"""The ``[dossiers]`` table of a site file: defaults, the example's values, errors by key."""

from __future__ import annotations

from pathlib import Path

from motcua.cli import main
from motcua.dossiers.codes import DEFAULT_CODE_PATTERN
from motcua.hub_config import HubConfig
from motcua.site_config import example_config_path, load_site_config, parse_site_config
from tests.unit.test_site_config import MINIMAL_SITE, minimal, problems_of, write


def test_without_the_table_lookups_use_the_national_pattern_and_no_return_service():
    """Given a site file without [dossiers],
    when it is loaded,
    then codes follow the national pattern, no return service is set, no holiday file,
    and 10 wrong codes a minute are allowed."""
    settings = parse_site_config(minimal()).dossiers.to_settings()

    assert settings.code_rule.pattern == DEFAULT_CODE_PATTERN
    assert (settings.return_service, settings.holidays, settings.wrong_codes_per_minute) == (
        None, None, 10)
    assert settings.code_rule.clean(" 000.00.12.h42-230915-0001\r\n") == \
        "000.00.12.H42-230915-0001"


def test_the_example_center_returns_results_at_tra_ket_qua():
    """Given the shipped example center,
    when its dossier settings are read,
    then return-of-results tickets are of service tra-ket-qua (prefix K, Trả kết quả)."""
    config = load_site_config(example_config_path())
    service = next(s for s in config.services if s.code == config.dossiers.return_service)

    assert (service.code, service.prefix, service.name) == ("tra-ket-qua", "K", "Trả kết quả")


def test_mistakes_are_reported_by_key():
    """Given a pattern that is not a regular expression, an unknown return service, a
    negative limit and a misspelt key,
    when the file is checked,
    then each problem names its key (with a hint for the service and the key)."""
    data = minimal()
    data["dossiers"] = {"code_pattern": "([A-Z]", "return_service": "ho-tic",
                        "wrong_codes_per_minute": -1, "holiday": "x.toml"}

    assert problems_of(data) == [
        "dossiers.code_pattern: dossier code pattern '([A-Z]' is not a regular expression: "
        "missing ), unterminated subpattern at position 0 (got '([A-Z]')",
        "dossiers.wrong_codes_per_minute: must be at least 0 (got -1)",
        "dossiers.holiday: unknown key (did you mean 'holidays'?)",
        "dossiers.return_service: unknown service 'ho-tic' (did you mean 'ho-tich'?)",
    ]


def test_a_relative_holiday_file_is_found_beside_the_site_file(tmp_path: Path):
    """Given a site file naming holidays = "le.toml",
    when the hub reads its dossier settings,
    then the path is the one beside the site file."""
    path = write(tmp_path, MINIMAL_SITE + '\n[dossiers]\nholidays = "le.toml"\n')

    settings = HubConfig(site_config=path).dossier_settings()

    assert settings.holidays == tmp_path / "le.toml"


def test_check_config_refuses_a_missing_holiday_file(tmp_path: Path, capsys):
    """Given a site file whose holiday file does not exist,
    when `motcua check-config` runs,
    then it exits 1 naming dossiers.holidays and the path."""
    path = write(tmp_path, MINIMAL_SITE + '\n[dossiers]\nholidays = "le.toml"\n')

    exit_code = main(["check-config", str(path)])

    assert exit_code == 1
    assert capsys.readouterr().err == (
        f"{path}: dossiers.holidays: no such file {tmp_path / 'le.toml'}\n")
