"""Issuing numbers at the kiosk: hours, weekends, daily caps, unknown or inactive services."""

from __future__ import annotations

import datetime as dt

from tests.unit.domain_helpers import (
    MONDAY,
    QueueSite,
    default_services,
    kinds,
    site_setup,
    vietnam_time,
    with_service,
)

SATURDAY = MONDAY + dt.timedelta(days=5)


def test_issue_inside_the_morning_session_succeeds() -> None:
    """Given Monday 07:30 (the morning session opens), When a number is issued,
    Then the decision is one ticket_issued event about the new ticket."""
    site = QueueSite(start=vietnam_time(MONDAY, 7, 30))

    decision = site.do("issue", service="ho_tich")

    assert kinds(decision) == ["day_started", "ticket_issued"]
    assert decision.ticket_id == "t0001"
    assert decision.events[1].data["number"] == "A001"


def test_issue_before_the_first_session_is_outside_hours() -> None:
    """Given Monday 07:29, When a number is asked for, Then outside_hours."""
    site = QueueSite(start=vietnam_time(MONDAY, 7, 29))

    assert site.refuse("issue", service="ho_tich").code == "outside_hours"


def test_issue_at_the_session_end_is_outside_hours() -> None:
    """Given the morning session ends at 11:30, When a number is asked for at 11:30,
    Then outside_hours (the end is exclusive)."""
    site = QueueSite(start=vietnam_time(MONDAY, 11, 29))
    site.issue("ho_tich")

    error = site.refuse("issue", service="ho_tich", at=vietnam_time(MONDAY, 11, 30))

    assert error.code == "outside_hours"


def test_issue_at_lunch_is_outside_hours() -> None:
    """Given Monday 12:15 between the sessions, When a number is asked for, Then outside_hours."""
    site = QueueSite(start=vietnam_time(MONDAY, 9, 0))
    site.issue("ho_tich")

    error = site.refuse("issue", service="ho_tich", at=vietnam_time(MONDAY, 12, 15))

    assert error.code == "outside_hours"
    assert "Ngoài giờ" in error.message_vi


def test_issue_in_the_afternoon_session_succeeds() -> None:
    """Given morning numbers A001, A002, When issued at 13:30, Then A003."""
    site = QueueSite(start=vietnam_time(MONDAY, 9, 0))
    site.issue_many("ho_tich", 2)
    site.clock.set(vietnam_time(MONDAY, 13, 30))

    assert site.issue("ho_tich").number == "A003"


def test_issue_on_saturday_morning_is_outside_hours() -> None:
    """Given sessions run Monday to Friday, When a number is asked for Saturday 09:00,
    Then outside_hours."""
    site = QueueSite(start=vietnam_time(SATURDAY, 9, 0))

    assert site.refuse("issue", service="ho_tich").code == "outside_hours"


def test_daily_cap_reached_is_sold_out_in_vietnamese() -> None:
    """Given dat_dai is capped at 2 a day and B001, B002 are issued, When a third is asked
    for, Then sold_out with a Vietnamese message containing "Hết số" and the service name."""
    services = with_service(default_services(), "dat_dai", daily_cap=2)
    site = QueueSite(site_setup(services=services))
    site.issue_many("dat_dai", 2)

    error = site.refuse("issue", service="dat_dai")

    assert error.code == "sold_out"
    assert "Hết số" in error.message_vi
    assert "Đất đai" in error.message_vi
    assert error.as_dict()["code"] == "sold_out"


def test_cap_of_one_service_does_not_limit_another() -> None:
    """Given dat_dai is sold out at 1, When ho_tich is asked for, Then A001 is issued."""
    services = with_service(default_services(), "dat_dai", daily_cap=1)
    site = QueueSite(site_setup(services=services))
    site.issue("dat_dai")

    assert site.issue("ho_tich").number == "A001"


def test_cap_counts_kiosk_numbers_not_walk_ins() -> None:
    """Given dat_dai is capped at 1 and a clerk served a walk-in for it,
    When the kiosk asks for dat_dai, Then it still gets a number (B002)."""
    services = with_service(default_services(), "dat_dai", daily_cap=1)
    site = QueueSite(site_setup(services=services))
    site.open(2)
    site.do("walk_in", 2, service="dat_dai")

    assert site.issue("dat_dai").number == "B002"


def test_cap_is_per_day() -> None:
    """Given dat_dai capped at 1 was sold out Monday, When Tuesday 08:00 comes,
    Then B001 is issued again."""
    services = with_service(default_services(), "dat_dai", daily_cap=1)
    site = QueueSite(site_setup(services=services))
    site.issue("dat_dai")
    assert site.refuse("issue", service="dat_dai").code == "sold_out"
    site.clock.set(vietnam_time(MONDAY + dt.timedelta(days=1), 8, 0))

    ticket = site.issue("dat_dai")

    assert (ticket.number, ticket.business_day) == ("B001", MONDAY + dt.timedelta(days=1))


def test_unknown_service_is_refused() -> None:
    """Given no service "visa", When asked for, Then unknown_service naming it."""
    site = QueueSite()

    error = site.refuse("issue", service="visa")

    assert error.code == "unknown_service"
    assert error.params == {"service": "visa"}


def test_inactive_service_is_refused() -> None:
    """Given chung_thuc is switched off, When asked for, Then service_inactive."""
    services = with_service(default_services(), "chung_thuc", active=False)
    site = QueueSite(site_setup(services=services))

    error = site.refuse("issue", service="chung_thuc")

    assert error.code == "service_inactive"
    assert error.params == {"service": "chung_thuc"}


def test_issue_with_a_priority_keeps_class_and_reason() -> None:
    """Given an elderly citizen, When the kiosk issues with priority elderly and a reason,
    Then the ticket is elderly, is_priority, and keeps the reason."""
    site = QueueSite()

    ticket = site.issue("ho_tich", priority="elderly", reason="75 tuổi")

    assert (ticket.priority.value, ticket.is_priority, ticket.priority_reason) == (
        "elderly", True, "75 tuổi",
    )


def test_issue_with_an_unknown_priority_is_invalid() -> None:
    """Given no priority class "vip", When asked for, Then invalid_argument on priority."""
    site = QueueSite()

    error = site.refuse("issue", service="ho_tich", priority="vip")

    assert (error.code, error.params) == ("invalid_argument", {"field": "priority"})


def test_issue_without_a_service_is_invalid() -> None:
    """Given no service argument, When issue is asked, Then invalid_argument on service."""
    site = QueueSite()

    error = site.refuse("issue")

    assert (error.code, error.params) == ("invalid_argument", {"field": "service"})


def test_refused_issue_does_not_consume_a_number() -> None:
    """Given A001 then a refused request outside hours, When issuing in hours again,
    Then the next number is A002 (gap-free)."""
    site = QueueSite(start=vietnam_time(MONDAY, 11, 0))
    site.issue("ho_tich")
    site.refuse("issue", service="ho_tich", at=vietnam_time(MONDAY, 12, 0))
    site.clock.set(vietnam_time(MONDAY, 13, 30))

    assert site.issue("ho_tich").number == "A002"


def test_a_return_ticket_carries_its_dossier_and_others_do_not() -> None:
    """Given Monday 08:00,
    When a number is issued with a dossier code, then one without,
    Then the first ticket_issued event and ticket carry the code and the second have
    no dossier at all (their event data is exactly as before)."""
    site = QueueSite(start=vietnam_time(MONDAY, 8, 0))

    returned = site.do("issue", service="ho_tich", dossier="000.00.12.H42-261120-0001")
    ordinary = site.do("issue", service="ho_tich")

    assert returned.events[-1].data["dossier"] == "000.00.12.H42-261120-0001"
    assert site.state.tickets[returned.ticket_id].dossier == "000.00.12.H42-261120-0001"
    assert "dossier" not in ordinary.events[-1].data
    assert site.state.tickets[ordinary.ticket_id].dossier is None
