"""Ticket numbers: per prefix, per business day, gap-free, reset at Vietnamese midnight."""

from __future__ import annotations

import copy
import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest

from motcua.domain.numbering import business_day, format_number

from tests.unit.domain_helpers import (
    MONDAY,
    UTC,
    QueueSite,
    all_day_sessions,
    default_services,
    kinds,
    numbers,
    site_setup,
    vietnam_time,
    with_service,
)

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def round_the_clock_site(start: dt.datetime | None = None) -> QueueSite:
    return QueueSite(site_setup(sessions=all_day_sessions()), start=start)


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An aware UTC instant in March 2025."""
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def new_york_machine() -> Iterator[None]:
    """The machine's own zone is America/New_York for the duration of the test."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()


def test_first_number_of_the_day_is_001() -> None:
    """Given a fresh site, When a kiosk issues a ho_tich number, Then it is A001."""
    site = QueueSite()

    ticket = site.issue("ho_tich")

    assert (ticket.number, ticket.prefix, ticket.seq_no) == ("A001", "A", 1)


def test_numbers_are_consecutive_without_gaps() -> None:
    """Given 14 numbers already issued for A, When one more is issued, Then it is A015."""
    site = QueueSite()
    site.issue_many("ho_tich", 14)

    ticket = site.issue("ho_tich")

    assert ticket.number == "A015"
    assert sorted(t.seq_no for t in site.state.tickets.values()) == list(range(1, 16))


def test_each_prefix_has_its_own_counter() -> None:
    """Given two A numbers, When a dat_dai (prefix B) number is issued, Then it is B001."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)

    ticket = site.issue("dat_dai")

    assert ticket.number == "B001"
    assert site.state.last_numbers == {"A": 2, "B": 1}


def test_services_sharing_a_prefix_share_the_counter() -> None:
    """Given chung_thuc also uses prefix A and A001, A002 went to ho_tich,
    When chung_thuc issues, Then it gets A003 and ho_tich then gets A004."""
    services = with_service(default_services(), "chung_thuc", prefix="A")
    site = QueueSite(site_setup(services=services))
    site.issue_many("ho_tich", 2)

    shared = site.issue("chung_thuc")
    after = site.issue("ho_tich")

    assert (shared.number, shared.service) == ("A003", "chung_thuc")
    assert (after.number, after.service) == ("A004", "ho_tich")


def test_a999_is_followed_by_a1000() -> None:
    """Given A999 was the last number today, When one more is issued, Then it is A1000."""
    site = QueueSite(site_setup(sessions=all_day_sessions()))
    site.issue_many("ho_tich", 999)
    assert site.ticket("A999").seq_no == 999

    ticket = site.issue("ho_tich")

    assert (ticket.number, ticket.seq_no) == ("A1000", 1000)


def test_format_number_pads_to_three_digits_only() -> None:
    """Given prefixes and sequence numbers, When formatted, Then 3 digits, 4 past 999."""
    assert [format_number("A", n) for n in (1, 15, 999, 1000, 12345)] == [
        "A001", "A015", "A999", "A1000", "A12345",
    ]


def test_numbering_restarts_after_local_midnight() -> None:
    """Given A001..A003 were issued Monday, When a number is issued Tuesday 00:00:30 in
    Vietnam, Then it is A001 of Tuesday and the day_started event comes first."""
    site = round_the_clock_site(vietnam_time(MONDAY, 23, 58))
    site.issue_many("ho_tich", 3)

    decision = site.do("issue", service="ho_tich", at=vietnam_time(TUESDAY, 0, 0, 30))

    ticket = site.state.tickets[decision.ticket_id]
    assert (ticket.number, ticket.business_day) == ("A001", TUESDAY)
    assert kinds(decision) == ["ticket_expired"] * 3 + ["day_started", "ticket_issued"]
    assert site.state.business_day == TUESDAY


def test_business_day_is_vietnamese_date_of_an_aware_instant() -> None:
    """Given 16:59:59 and 17:00 UTC on Monday, When mapped to business days,
    Then the first is Monday and the second already Tuesday (UTC+7)."""
    before = dt.datetime(2025, 3, 3, 16, 59, 59, tzinfo=UTC)
    after = dt.datetime(2025, 3, 3, 17, 0, 0, tzinfo=UTC)

    assert business_day(before, "Asia/Ho_Chi_Minh") == MONDAY
    assert business_day(after, "Asia/Ho_Chi_Minh") == TUESDAY


@pytest.mark.usefixtures("new_york_machine")
def test_reset_follows_vietnam_midnight_on_a_new_york_machine() -> None:
    """Given the machine's zone is America/New_York and the clock gives UTC instants,
    When numbers are issued around 17:00 UTC (midnight in Vietnam), 00:00 UTC (UTC
    midnight) and 05:00 UTC (New York midnight), Then only 17:00 UTC restarts at A001."""
    assert time.localtime(0).tm_zone in ("EST", "EDT")
    site = round_the_clock_site()
    steps = [
        (utc(3, 16, 59), "A001", MONDAY),  # Mon 23:59 in VN, Mon 11:59 in NY
        (utc(3, 17, 0), "A001", TUESDAY),  # Tue 00:00 in VN: the reset
        (utc(4, 0, 0), "A002", TUESDAY),  # UTC midnight: no reset
        (utc(4, 5, 0), "A003", TUESDAY),  # NY midnight (EST): no reset
        (utc(4, 16, 59), "A004", TUESDAY),
        (utc(4, 17, 0), "A001", WEDNESDAY),  # Wed 00:00 in VN: the next reset
    ]

    seen = []
    for moment, _, _ in steps:
        ticket = site.state.tickets[site.do("issue", service="ho_tich", at=moment).ticket_id]
        seen.append((moment, ticket.number, ticket.business_day))

    assert seen == steps


def test_clock_backwards_across_midnight_is_refused() -> None:
    """Given Tuesday's numbering started at 00:05, When a command arrives stamped Monday
    23:59, Then it is refused with clock_backwards naming both days and nothing changes."""
    site = round_the_clock_site(vietnam_time(TUESDAY, 0, 5))
    site.issue("ho_tich")

    error = site.refuse("issue", service="ho_tich", at=vietnam_time(MONDAY, 23, 59))

    assert error.code == "clock_backwards"
    assert error.params == {"today": MONDAY, "business_day": TUESDAY}
    assert site.state.last_numbers == {"A": 1}


def test_clock_backwards_across_midnight_refuses_counter_actions_too() -> None:
    """Given Tuesday has begun, When a counter opens with a Monday timestamp,
    Then it is refused with clock_backwards."""
    site = round_the_clock_site(vietnam_time(TUESDAY, 0, 5))
    site.issue("ho_tich")

    error = site.refuse("open", 1, clerk="Lan", at=vietnam_time(MONDAY, 22, 0))

    assert error.code == "clock_backwards"


def test_clock_backwards_within_the_day_is_accepted() -> None:
    """Given A001 issued at 09:00, When the clock steps back to 08:30 the same day,
    Then issuing still works and gives A002 with no new day."""
    site = QueueSite(start=vietnam_time(MONDAY, 9, 0))
    site.issue("ho_tich")

    decision = site.do("issue", service="ho_tich", at=vietnam_time(MONDAY, 8, 30))

    assert kinds(decision) == ["ticket_issued"]
    assert site.state.tickets[decision.ticket_id].number == "A002"
    assert site.state.business_day == MONDAY


def test_naive_datetime_is_refused_without_change() -> None:
    """Given a site with one ticket, When a command is stamped with a naive datetime,
    Then it raises ValueError (the clock must be aware) and the state is unchanged."""
    site = QueueSite()
    site.issue("ho_tich")
    before = copy.deepcopy(site.state)

    with pytest.raises(ValueError, match="timezone-aware"):
        site.do("issue", service="ho_tich", at=dt.datetime(2025, 3, 3, 9, 0))

    assert site.state == before


def test_issued_numbers_follow_issue_order_across_prefixes() -> None:
    """Given a fresh site, When A, B, A are issued in turn, Then A001, B001, A002."""
    site = QueueSite()

    tickets = [site.issue("ho_tich"), site.issue("dat_dai"), site.issue("ho_tich")]

    assert numbers(tickets) == ["A001", "B001", "A002"]


def test_issued_ticket_records_business_day_and_issue_time() -> None:
    """Given 08:15 Monday in Vietnam, When a number is issued, Then the ticket's business
    day is Monday, issued_at is that instant and it waits, from the kiosk."""
    site = QueueSite(start=vietnam_time(MONDAY, 8, 15))

    ticket = site.issue("dat_dai")

    assert ticket.business_day == MONDAY
    assert ticket.issued_at == vietnam_time(MONDAY, 8, 15)
    assert (ticket.status.value, ticket.origin, ticket.service) == ("waiting", "kiosk", "dat_dai")

