"""The site TOML file: the shipped example, the errors that name their key, check-config."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from motcua.cli import main
from motcua.domain import Priority, PriorityMode, Rules
from motcua.site_config import (
    SiteConfigError,
    example_config_path,
    load_site_config,
    parse_site_config,
)

MINIMAL_SITE = """
[site]
id = "xa-mau"
name = "Bộ phận Một cửa xã Mẫu"

[[sessions]]
name = "Buổi sáng"
start = "07:30"
end = "11:30"

[[services]]
code = "ho-tich"
prefix = "C"
name = "Hộ tịch"

[[services]]
code = "chung-thuc"
prefix = "D"
name = "Chứng thực"

[[counters]]
number = 1
name = "Quầy 1"
services = ["ho-tich", "chung-thuc"]
"""


def minimal() -> dict[str, Any]:
    """A fresh, valid site as parsed TOML data, for a test to spoil one key of."""
    return tomllib.loads(MINIMAL_SITE)


def problems_of(data: dict[str, Any]) -> list[str]:
    """The messages ``parse_site_config`` refuses ``data`` with (fails if it accepts it)."""
    with pytest.raises(SiteConfigError) as caught:
        parse_site_config(data)
    return caught.value.messages


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped example -------------------------------------------------------------


def test_example_converts_to_a_setup_with_seven_services_and_six_counters() -> None:
    """Given the packaged example center,
    When it is loaded and converted to the domain setup,
    Then it has the seven services and six counters of the Văn Lâm office."""
    setup = load_site_config(example_config_path()).to_setup()

    assert setup.site_id == "van-lam"
    assert list(setup.services) == [
        "dat-dai", "dang-ky-kinh-doanh", "ho-tich", "chung-thuc",
        "lao-dong-tbxh", "xay-dung", "tra-ket-qua",
    ]
    assert list(setup.counters) == [1, 2, 3, 4, 5, 6]
    assert setup.services["dat-dai"].prefix == "A"
    assert setup.services["dat-dai"].daily_cap == 200


def test_example_merged_counter_serves_differently_in_consecutive_weeks() -> None:
    """Given the example's merged counter 6 with a weekly rotation from Monday 2026-01-05,
    When its services are asked for a day of each of two consecutive weeks,
    Then the two weeks differ, and both come from the rotation."""
    counter = load_site_config(example_config_path()).to_setup().counters[6]

    first_week = counter.services_on(dt.date(2026, 1, 7))
    second_week = counter.services_on(dt.date(2026, 1, 14))

    assert first_week != second_week
    assert set(first_week) == set(second_week) == {"lao-dong-tbxh", "xay-dung"}


def test_example_rules_priorities_and_sessions_follow_the_brief() -> None:
    """Given the packaged example center,
    When it is loaded,
    Then it interleaves priority every 3 tickets, offers all six groups in Vietnamese,
    and issues numbers in the morning and afternoon on weekdays."""
    config = load_site_config(example_config_path())
    setup = config.to_setup()

    assert setup.rules.priority_mode is PriorityMode.INTERLEAVED
    assert setup.rules.interleave_every == 3
    assert config.priority_labels()[Priority.ELDERLY] == "Người cao tuổi"
    assert list(config.priority_labels()) == list(Priority)
    assert [(s.start, s.end) for s in setup.sessions[:2]] == [
        (dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)),
    ]
    assert config.warnings == []


# --- conversion ----------------------------------------------------------------------


def test_omitted_rules_take_the_domain_defaults() -> None:
    """Given a site file without a [rules] table,
    When it is converted,
    Then the setup's rules are exactly the domain's default Rules."""
    assert parse_site_config(minimal()).to_setup().rules == Rules()


def test_rotation_cycles_through_its_weeks_and_keeps_the_default_outside_it() -> None:
    """Given a counter rotating two week-lists from a Monday over a 4-week horizon,
    When it is converted,
    Then weeks 1 and 3 serve the first list, weeks 2 and 4 the second,
    and the undated default applies before the start and after the horizon."""
    data = minimal()
    data["site"]["rotation_horizon_weeks"] = 4
    data["counters"][0]["rotation"] = {
        "start": dt.date(2026, 3, 2), "weeks": [["ho-tich"], ["chung-thuc"]],
    }
    counter = parse_site_config(data).to_setup().counters[1]

    weeks = [counter.services_on(dt.date(2026, 3, 2) + dt.timedelta(weeks=w)) for w in range(4)]
    assert weeks == [("ho-tich",), ("chung-thuc",), ("ho-tich",), ("chung-thuc",)]
    assert counter.services_on(dt.date(2026, 3, 1)) == ("ho-tich", "chung-thuc")
    assert counter.services_on(dt.date(2026, 3, 30)) == ("ho-tich", "chung-thuc")


def test_weekdays_accept_english_and_vietnamese_day_names() -> None:
    """Given a session on ["sat", "cn"] (Saturday, and Sunday in Vietnamese),
    When it is converted,
    Then the session runs on weekdays 5 and 6."""
    data = minimal()
    data["sessions"][0]["weekdays"] = ["sat", "cn"]

    assert parse_site_config(data).to_setup().sessions[0].weekdays == {5, 6}


def test_services_may_share_a_prefix() -> None:
    """Given two services with the same ticket prefix,
    When the file is validated,
    Then it is accepted (they share one number sequence)."""
    data = minimal()
    data["services"][1]["prefix"] = "C"

    assert parse_site_config(data).to_setup().services["chung-thuc"].prefix == "C"


def test_service_no_counter_serves_is_a_warning_not_an_error() -> None:
    """Given an active service that no counter lists,
    When the file is validated,
    Then it is accepted with a warning naming the service."""
    data = minimal()
    data["counters"][0]["services"] = ["ho-tich"]

    warnings = parse_site_config(data).warnings

    assert warnings == [
        "services[1].code: no counter serves 'chung-thuc'; its tickets would never be called"
    ]


def test_priorities_table_limits_the_offered_groups_and_keeps_normal() -> None:
    """Given a [priorities] table listing only the elderly,
    When the labels are asked for,
    Then normal (with its default label) and elderly are offered, nothing else."""
    data = minimal()
    data["priorities"] = {"elderly": "Người cao tuổi"}

    labels = parse_site_config(data).priority_labels()

    assert labels == {Priority.NORMAL: "Thông thường", Priority.ELDERLY: "Người cao tuổi"}


# --- errors name their key -----------------------------------------------------------


def test_unknown_key_is_rejected_naming_it() -> None:
    """Given a service with a misspelt key "prefx",
    When the file is validated,
    Then the error names services[0].prefx and suggests the right key."""
    data = minimal()
    data["services"][0]["prefx"] = "C"

    assert "services[0].prefx: unknown key (did you mean 'prefix'?)" in problems_of(data)


def test_bad_prefix_is_rejected_with_its_value() -> None:
    """Given a service whose prefix is not 1–2 uppercase letters,
    When the file is validated,
    Then the error names the key and quotes the value."""
    data = minimal()
    data["services"][1]["prefix"] = "d1"

    assert problems_of(data) == ["services[1].prefix: must be 1–2 uppercase letters (got 'd1')"]


def test_duplicate_service_codes_are_rejected() -> None:
    """Given two services with the same code,
    When the file is validated,
    Then the second one is reported, pointing at the first."""
    data = minimal()
    data["services"].append({"code": "ho-tich", "prefix": "H", "name": "Hộ tịch 2"})

    assert problems_of(data) == [
        "services[2].code: duplicate code 'ho-tich' (first at services[0])"
    ]


def test_duplicate_counter_numbers_are_rejected() -> None:
    """Given two counters numbered 1,
    When the file is validated,
    Then the second one is reported, pointing at the first."""
    data = minimal()
    data["counters"].append({"number": 1, "name": "Quầy 1 bis", "services": ["ho-tich"]})

    assert problems_of(data) == ["counters[1].number: duplicate number 1 (first at counters[0])"]


def test_unknown_service_in_a_counter_is_rejected() -> None:
    """Given a counter listing a service code that does not exist,
    When the file is validated,
    Then the error names the list entry and suggests the close code."""
    data = minimal()
    data["counters"][0]["services"] = ["ho-tich", "chung-thut"]

    assert problems_of(data) == [
        "counters[0].services[1]: unknown service 'chung-thut' (did you mean 'chung-thuc'?)"
    ]


def test_unknown_service_in_a_rotation_is_rejected() -> None:
    """Given a rotation whose second week names a misspelt service,
    When the file is validated,
    Then the error points at that week's entry."""
    data = minimal()
    data["counters"][0]["rotation"] = {
        "start": dt.date(2026, 1, 5), "weeks": [["ho-tich"], ["xay-dng"]],
    }

    assert problems_of(data) == ["counters[0].rotation.weeks[1][0]: unknown service 'xay-dng'"]


def test_rotation_must_start_on_a_monday() -> None:
    """Given a rotation starting on Tuesday 2026-01-06,
    When the file is validated,
    Then the start date is refused."""
    data = minimal()
    data["counters"][0]["rotation"] = {"start": dt.date(2026, 1, 6), "weeks": [["ho-tich"]]}

    assert problems_of(data) == [
        "counters[0].rotation.start: must be a Monday, not a Tuesday (got 2026-01-06)"
    ]


def test_bad_session_time_is_rejected() -> None:
    """Given a session starting at "7h30" instead of "07:30",
    When the file is validated,
    Then the error names the key and shows the expected form."""
    data = minimal()
    data["sessions"][0]["start"] = "7h30"

    assert problems_of(data) == [
        'sessions[0].start: must be a time "HH:MM" such as "07:30" (got \'7h30\')'
    ]


def test_session_ending_before_it_starts_is_rejected() -> None:
    """Given a session from 13:30 to 11:30,
    When the file is validated,
    Then the end is reported."""
    data = minimal()
    data["sessions"][0].update(start="13:30", end="11:30")

    assert problems_of(data) == ["sessions[0].end: must be after start 13:30 (got 11:30)"]


def test_overlapping_sessions_are_rejected() -> None:
    """Given an afternoon session that starts before the morning one ends,
    When the file is validated,
    Then the overlap is reported on the later session."""
    data = minimal()
    data["sessions"].append({"name": "Buổi chiều", "start": "11:00", "end": "17:00"})

    assert problems_of(data) == ["sessions[1]: overlaps sessions[0] ('Buổi sáng') on mon"]


def test_unknown_timezone_is_rejected() -> None:
    """Given a site whose timezone is not an IANA zone,
    When the file is validated,
    Then the error names site.timezone."""
    data = minimal()
    data["site"]["timezone"] = "Asia/Hanoi_City"

    assert problems_of(data) == [
        "site.timezone: must be an IANA time zone such as 'Asia/Ho_Chi_Minh' "
        "(got 'Asia/Hanoi_City')"
    ]


def test_unknown_priority_group_is_rejected() -> None:
    """Given a [priorities] table with a group the kiosk does not know,
    When the file is validated,
    Then the error names the key and lists the known groups."""
    data = minimal()
    data["priorities"] = {"vip": "Khách VIP"}

    assert problems_of(data) == [
        "priorities.vip: unknown priority group "
        "(expected one of normal, elderly, disabled, pregnant, merit, child)"
    ]


def test_type_errors_and_reference_errors_are_reported_together() -> None:
    """Given a file with both a wrong value and a counter naming an unknown service,
    When the file is validated,
    Then both problems are reported in the same run."""
    data = minimal()
    data["services"][0]["daily_cap"] = 0
    data["counters"][0]["services"] = ["ho-tich", "dat-dai"]

    assert problems_of(data) == [
        "services[0].daily_cap: must be at least 1 (got 0)",
        "counters[0].services[1]: unknown service 'dat-dai'",
    ]


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    """Given a file whose third line has no value after "=",
    When it is loaded,
    Then the single error is a TOML syntax error with line 3."""
    path = write(tmp_path, '[site]\nid = "x"\nname =\n')

    with pytest.raises(SiteConfigError) as caught:
        load_site_config(path)

    [message] = caught.value.messages
    assert message.startswith("TOML syntax error:")
    assert "line 3" in message


# --- the command line ----------------------------------------------------------------


def test_check_config_without_file_checks_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    """Given no file argument,
    When `motcua check-config` runs,
    Then it reports the example center as OK with its counts, and its return-of-results
    service, and exits 0."""
    exit_code = main(["check-config"])

    out = capsys.readouterr().out
    assert exit_code == 0
    assert out == (
        "OK: Bộ phận Tiếp nhận và Trả kết quả huyện Văn Lâm — "
        "7 services, 6 counters, 3 sessions\n"
        "dossiers: return-of-results tickets of 'tra-ket-qua', "
        "10 wrong codes a minute per kiosk or web client\n"
    )


def test_check_config_prints_warnings_and_still_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a valid file with a service no counter serves,
    When `motcua check-config FILE` runs,
    Then it prints OK then the warning, and exits 0 (1 with --strict)."""
    path = write(tmp_path, MINIMAL_SITE.replace('["ho-tich", "chung-thuc"]', '["ho-tich"]'))

    exit_code = main(["check-config", str(path)])
    out = capsys.readouterr().out
    strict_exit_code = main(["check-config", "--strict", str(path)])

    assert exit_code == 0
    assert out.splitlines()[0] == "OK: Bộ phận Một cửa xã Mẫu — 2 services, 1 counters, 1 sessions"
    assert "warning: services[1].code: no counter serves 'chung-thuc'" in out
    assert strict_exit_code == 1


def test_check_config_prints_every_error_on_stderr_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a file with a bad prefix and a misspelt key,
    When `motcua check-config FILE` runs,
    Then both errors are on stderr, one per line with the file name, and it exits 1."""
    text = MINIMAL_SITE.replace('prefix = "C"', 'prefix = "c"').replace(
        'name = "Chứng thực"', 'name = "Chứng thực"\nactiv = false'
    )
    path = write(tmp_path, text)

    exit_code = main(["check-config", str(path)])

    captured = capsys.readouterr()
    assert exit_code == 1
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{path}: services[0].prefix: must be 1–2 uppercase letters (got 'c')",
        f"{path}: services[1].activ: unknown key (did you mean 'active'?)",
    ]


def test_check_config_reports_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a path that does not exist,
    When `motcua check-config` runs on it,
    Then it says the file cannot be read and exits 1."""
    path = tmp_path / "missing.toml"

    exit_code = main(["check-config", str(path)])

    assert exit_code == 1
    assert f"{path}: cannot read the file" in capsys.readouterr().err


def test_example_config_prints_the_example_file(capsys: pytest.CaptureFixture[str]) -> None:
    """Given the packaged example,
    When `motcua example-config` runs,
    Then it prints exactly that file, comments included, and exits 0."""
    exit_code = main(["example-config"])

    assert exit_code == 0
    assert capsys.readouterr().out == example_config_path().read_text(encoding="utf-8")


def test_example_config_output_is_a_valid_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the output of `motcua example-config` saved to a file,
    When that file is loaded,
    Then it is a valid site identical to the example."""
    main(["example-config"])
    path = write(tmp_path, capsys.readouterr().out)

    assert load_site_config(path) == load_site_config(example_config_path())


def test_parsed_data_is_not_modified() -> None:
    """Given parsed TOML data,
    When it is validated,
    Then the caller's data is left unchanged (it may be reused or reported)."""
    data = minimal()
    before = copy.deepcopy(data)

    parse_site_config(data)

    assert data == before


def test_serve_until_is_read_as_a_local_time() -> None:
    """Given [rules] serve_until = "12:15" after a morning session ending 11:30,
    When the file is parsed, Then the rules' serve_until is 12:15."""
    data = minimal()
    data["rules"] = {"serve_until": "12:15"}

    assert parse_site_config(data).to_setup().rules.serve_until == dt.time(12, 15)


def test_serve_until_defaults_to_none() -> None:
    """Given no serve_until, Then the rules keep None (expiry when the last counter
    serving a service closes after the last session, else at the end of the day)."""
    assert parse_site_config(minimal()).to_setup().rules.serve_until is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25:00", 'rules.serve_until: must be a time "HH:MM" such as "07:30" (got \'25:00\')'),
        ("11:00", "rules.serve_until: must not be before the end of session 'Buổi sáng' "
                  "(11:30) (got 11:00)"),
    ],
)
def test_a_bad_serve_until_is_refused_naming_the_key(value: str, message: str) -> None:
    """Given serve_until "25:00" (not a time) or "11:00" (before the morning session ends
    at 11:30), When the file is parsed, Then one error names rules.serve_until."""
    data = minimal()
    data["rules"] = {"serve_until": value}

    assert problems_of(data) == [message]
