"""People ahead and estimated wait: rolling mean × position ÷ open counters; device views."""

from __future__ import annotations

from motcua.domain.selection import estimated_wait_seconds, mean_service_seconds, waiting_ahead
from motcua.domain.views import counter_view, service_view, ticket_view

from tests.unit.domain_helpers import MONDAY, QueueSite, site_setup, vietnam_time


def ahead(site: QueueSite, *numbers: str) -> list[int]:
    return [waiting_ahead(site.state, site.ticket(n)) for n in numbers]


def wait(site: QueueSite, *numbers: str) -> list[int]:
    return [estimated_wait_seconds(site.state, site.ticket(n)) for n in numbers]


def test_waiting_ahead_counts_the_same_service_in_queue_order() -> None:
    """Given A001, A002, A003 and B001 waiting, Then A001..A003 have 0, 1, 2 ahead and
    B001 has 0 (other services do not count)."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.issue("dat_dai")

    assert ahead(site, "A001", "A002", "A003", "B001") == [0, 1, 2, 0]


def test_priority_tickets_are_ahead_of_every_normal_ticket() -> None:
    """Given A001, A002 normal and A003 elderly, Then A003 has 0 ahead, A001 1, A002 2."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.issue("ho_tich", priority="elderly")

    assert ahead(site, "A003", "A001", "A002") == [0, 1, 2]


def test_a_ticket_that_is_not_waiting_has_nobody_ahead_and_no_wait() -> None:
    """Given A001 called at counter 1 and A002 waiting, Then A001 has 0 ahead and 0 s wait,
    and A002 has 0 ahead."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.open(1)
    site.call_next(1)

    assert ahead(site, "A001", "A002") == [0, 0]
    assert wait(site, "A001") == [0]


def test_released_hold_is_ahead_of_older_tickets() -> None:
    """Given A004 held then released at the front (hold_calls=1) with A002, A003 waiting,
    Then A004 has 0 ahead and A002 has 1."""
    site = QueueSite(site_setup(hold_calls=1))
    site.issue_many("ho_tich", 4)
    site.open(1)
    site.do("call", 1, ticket="A004")
    site.do("hold", 1)
    site.call_next(1)  # A001; its call releases A004

    assert ahead(site, "A004", "A002", "A003") == [0, 1, 2]


def test_estimate_uses_the_configured_mean_before_anyone_is_served() -> None:
    """Given ho_tich's configured mean of 10 min, A001..A003 waiting and counter 1 the
    only open counter serving ho_tich, Then waits are 600, 1200 and 1800 s."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.open(1)

    assert mean_service_seconds(site.state, "ho_tich") == 600.0
    assert wait(site, "A001", "A002", "A003") == [600, 1200, 1800]


def test_estimate_is_divided_by_open_counters_serving_the_service() -> None:
    """Given A001..A003 and counters 1 and 3 open (both serve ho_tich) plus counter 2
    (dat_dai only), Then A003 waits 600 × 3 ÷ 2 = 900 s."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.open(1, 2, 3)

    assert wait(site, "A003") == [900]


def test_paused_counters_do_not_count_and_no_open_counter_counts_as_one() -> None:
    """Given A001..A003 with counter 1 paused and no other counter open,
    Then A003 waits 600 × 3 ÷ 1 = 1800 s."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.open(1, 3)
    site.do("pause", 1)
    site.do("close", 3)

    assert wait(site, "A003") == [1800]


def test_estimate_follows_the_rolling_mean_of_todays_service_times() -> None:
    """Given counters 1 and 3 open, A001 served 08:00-08:04 (240 s) at counter 1 and A002
    08:04-08:10 (360 s, timed from the call) at counter 3, When A003..A005 wait,
    Then the mean is 300 s and their waits are 150, 300 and 450 s."""
    site = QueueSite()
    site.issue_many("ho_tich", 5)
    site.open(1, 3)
    site.call_next(1)
    site.do("start", 1)
    site.clock.set(vietnam_time(MONDAY, 8, 4))
    site.do("finish", 1)
    site.call_next(3)
    site.clock.set(vietnam_time(MONDAY, 8, 10))
    site.do("finish", 3)

    assert site.state.service_durations == {"ho_tich": [240.0, 360.0]}
    assert mean_service_seconds(site.state, "ho_tich") == 300.0
    assert wait(site, "A003", "A004", "A005") == [150, 300, 450]


def test_rolling_mean_keeps_only_the_last_window_of_times() -> None:
    """Given rolling_window=2 and service times of 60, 120 and 180 s, Then only the last
    two count: the mean is 150 s."""
    site = QueueSite(site_setup(rolling_window=2))
    site.issue_many("ho_tich", 3)
    site.open(1)
    for minutes in (1, 2, 3):
        site.call_next(1)
        site.clock.advance(minutes=minutes)
        site.do("finish", 1)

    assert site.state.service_durations == {"ho_tich": [120.0, 180.0]}
    assert mean_service_seconds(site.state, "ho_tich") == 150.0


def test_ticket_view_has_the_contract_fields() -> None:
    """Given A001, A002 waiting at 08:00 with counter 1 open, Then A002's view shows one
    ahead and a 1200 s wait, and no counter while waiting."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.open(1)

    view = ticket_view(site.state, site.ticket("A002"))

    assert view == {
        "id": "t0002",
        "number": "A002",
        "service": "ho_tich",
        "prefix": "A",
        "priority": "normal",
        "status": "waiting",
        "counter": None,
        "issued_at": "2025-03-03T08:00:00+07:00",
        "waiting_ahead": 1,
        "est_wait_s": 1200,
    }


def test_counter_and_service_views() -> None:
    """Given A001 called at counter 1 and A002, A003 waiting, Then counter 1 shows A001
    called, and ho_tich shows 2 waiting with A002 next."""
    site = QueueSite()
    site.issue_many("ho_tich", 3)
    site.open(1, clerk="Lan")
    site.call_next(1)

    assert counter_view(site.state, 1) == {
        "counter": 1,
        "name": "Quầy 1",
        "status": "open",
        "clerk": "Lan",
        "services": ["ho_tich", "dat_dai"],
        "ticket": "A001",
        "ticket_status": "called",
    }
    assert service_view(site.state, "ho_tich") == {
        "code": "ho_tich", "name": "Hộ tịch", "prefix": "A", "waiting": 2, "next": "A002",
    }
