"""Working days around weekends, holidays, Tết and office hours; the shipped calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.calendar import CalendarError, WorkCalendar, load_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPPED = load_calendar()


def at(day: str, time: str = "09:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def test_three_days_from_friday_morning_skip_the_weekend():
    """Given a dossier received on Friday 27/11/2026 at 09:00 (no holiday near),
    when 3 working days are added, then it is due on Wednesday 2/12/2026."""
    assert SHIPPED.add_working_days(at("2026-11-27"), 3, VN) == dt.date(2026, 12, 2)


def test_after_office_hours_or_on_a_day_off_counting_starts_the_next_working_day():
    """Given the 17:00 closing time, when dossiers are received on Friday at 17:30, on
    Saturday, and on Friday at 16:59, then 3-day limits end Thursday, Thursday, Wednesday;
    0 days is the day of reception itself (Monday for the weekend ones)."""
    assert SHIPPED.add_working_days(at("2026-11-27", "17:30"), 3, VN) == dt.date(2026, 12, 3)
    assert SHIPPED.add_working_days(at("2026-11-28", "10:00"), 3, VN) == dt.date(2026, 12, 3)
    assert SHIPPED.add_working_days(at("2026-11-27", "16:59"), 3, VN) == dt.date(2026, 12, 2)
    assert SHIPPED.add_working_days(at("2026-11-28", "10:00"), 0, VN) == dt.date(2026, 11, 30)
    assert SHIPPED.add_working_days(at("2026-11-27", "08:00"), 0, VN) == dt.date(2026, 11, 27)


def test_the_time_zone_decides_the_day_of_reception():
    """Given 2026-11-27 01:30 UTC (08:30 in Vietnam) and 2026-11-27 10:30 UTC (17:30 in
    Vietnam), when 1 working day is added in Vietnam's zone, then Monday 30/11 and
    Tuesday 1/12."""
    utc = dt.timezone.utc
    assert SHIPPED.add_working_days(dt.datetime(2026, 11, 27, 1, 30, tzinfo=utc), 1, VN) \
        == dt.date(2026, 11, 30)
    assert SHIPPED.add_working_days(dt.datetime(2026, 11, 27, 10, 30, tzinfo=utc), 1, VN) \
        == dt.date(2026, 12, 1)


def test_tet_2026_is_skipped():
    """Given Tết 2026 (days off Monday 16/2 to Friday 20/2, mùng 1 on 17/2), when a
    2-day dossier is received on Friday 13/2/2026, then it is due Tuesday 24/2/2026."""
    assert SHIPPED.add_working_days(at("2026-02-13"), 2, VN) == dt.date(2026, 2, 24)
    assert SHIPPED.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1


def test_tet_2025_and_the_swapped_day_of_30_4():
    """Given 2025's decisions (Tết 27–31/1; 2/5 off, Saturday 26/4 worked instead), then
    a 1-day dossier of Friday 24/1/2025 is due Monday 3/2/2025, and one received on
    Friday 25/4/2025 is due on the made-up Saturday 26/4/2025."""
    assert SHIPPED.add_working_days(at("2025-01-24"), 1, VN) == dt.date(2025, 2, 3)
    assert SHIPPED.add_working_days(at("2025-04-25"), 1, VN) == dt.date(2025, 4, 26)
    assert SHIPPED.add_working_days(at("2025-04-29"), 1, VN) == dt.date(2025, 5, 5)


@pytest.mark.parametrize("year, new_year", [
    (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"),
    (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-02")])
def test_the_shipped_calendar_has_every_fixed_holiday_and_five_tet_working_days(
        year, new_year):
    """Given the shipped holidays_vn.toml, when a year 2024–2030 is read, then 1/1, 30/4,
    1/5 and 2/9 are days off, mùng 1 Tết is one, and Tết takes exactly 5 working days
    within the two weeks around it."""
    for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
        assert dt.date(year, month, day) in SHIPPED.holidays
    lunar = dt.date.fromisoformat(new_year)
    assert SHIPPED.holidays[lunar] == "Tết Nguyên đán"
    window = [lunar + dt.timedelta(days=d) for d in range(-7, 8)]
    tet = [d for d in window if SHIPPED.holidays.get(d) == "Tết Nguyên đán"
           and d.weekday() < 5]
    assert len(tet) == 5


def test_hung_kings_day_is_in_every_year():
    """Given the shipped calendar, then Giỗ Tổ Hùng Vương is a day off on the known
    dates (10/3 lunar): 18/4/2024, 7/4/2025, 26/4/2026 (a Sunday, with Monday 27/4 off)."""
    for day in ("2024-04-18", "2025-04-07", "2026-04-26", "2026-04-27"):
        assert SHIPPED.holidays[dt.date.fromisoformat(day)].startswith("Giỗ Tổ Hùng Vương")
    names = [name for day, name in SHIPPED.holidays.items() if name.startswith("Giỗ Tổ")]
    assert len({day.year for day, name in SHIPPED.holidays.items()
                if name.startswith("Giỗ Tổ")}) == 7 and names


def test_working_days_between_counts_the_end_not_the_start():
    """Given Monday 30/11/2026 and Wednesday 2/12/2026, then 2 working days lie between
    (Tuesday and Wednesday); reversed it is -2; Friday to Monday is 1."""
    monday, wednesday = dt.date(2026, 11, 30), dt.date(2026, 12, 2)
    assert SHIPPED.working_days_between(monday, wednesday) == 2
    assert SHIPPED.working_days_between(wednesday, monday) == -2
    assert SHIPPED.working_days_between(dt.date(2026, 11, 27), monday) == 1


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 10, 1),
                    timezones=st.just(VN)),
       st.integers(min_value=0, max_value=60))
def test_an_appointment_is_a_working_day_exactly_n_working_days_after_reception(received,
                                                                                  days):
    """For any reception time 2024–2030 and limit 0–60 days, the appointment is a
    working day, and exactly `days` working days after the day of reception."""
    due = SHIPPED.add_working_days(received, days, VN)
    start = SHIPPED.reception_day(received, VN)
    assert SHIPPED.is_working_day(due) and SHIPPED.is_working_day(start)
    assert start >= received.date()
    assert SHIPPED.working_days_between(start, due) == days


def test_a_site_calendar_with_a_working_saturday(tmp_path):
    """Given a site's own calendar with one holiday and one worked Saturday, when it is
    loaded, then the Saturday is a working day and the holiday is not, and a dossier of
    Monday 16:45 (after its 16:30 closing) counts from Wednesday: 1 day → Thursday."""
    path = tmp_path / "lich.toml"
    path.write_text('[calendar]\nweekend = ["sunday", "saturday"]\noffice_close = "16:30"\n'
                    '[holidays]\n"2026-12-01" = "Ngày nghỉ địa phương"\n'
                    '[working_days]\n"2026-12-05" = "Làm bù"\n', encoding="utf-8")
    calendar = load_calendar(path)
    assert calendar.is_working_day(dt.date(2026, 12, 5))
    assert not calendar.is_working_day(dt.date(2026, 12, 1))
    assert calendar.office_close == dt.time(16, 30)
    assert calendar.add_working_days(at("2026-11-30", "16:45"), 1, VN) == dt.date(2026, 12, 3)


@pytest.mark.parametrize("text, named", [
    ('[holidays]\n"2026-13-01" = "x"\n', "[holidays] key '2026-13-01' is not a date"),
    ('[holidays]\n"2026-12-01" = 5\n', "[holidays] 2026-12-01: the value must be a name"),
    ('[calendar]\nweekend = ["caturday"]\n', "weekend: 'caturday' is not one of"),
    ('[calendar]\noffice_close = "5pm"\n', "office_close: '5pm' is not a time"),
    ('[holiday]\n', "unknown table(s): holiday"),
    ('[holidays]\n"2026-12-01" = "a"\n"2026-12-01 = "b"\n', "at line 3"),
])
def test_a_bad_calendar_file_names_its_line_or_key(tmp_path, text, named):
    """Given a broken calendar file, when it is loaded, then CalendarError names the
    file and the bad key (or the TOML line)."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarError) as caught:
        load_calendar(path)
    assert named in str(caught.value) and "bad.toml" in str(caught.value)


def test_a_missing_calendar_file_is_a_clear_error(tmp_path):
    """Given no file at the path, then CalendarError says it cannot be read."""
    with pytest.raises(CalendarError, match="cannot read the calendar"):
        load_calendar(tmp_path / "none.toml")


def test_limits_out_of_range_are_refused():
    """Given -1 or 100000 working days, then ValueError (never a hang)."""
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(at("2026-11-27"), -1, VN)
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(at("2026-11-27"), 100_000, VN)
