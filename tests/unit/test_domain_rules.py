"""The queue-rule decisions of issue 7, one group per rule (see docs/architecture.md).

Each test states the decision it pins down; before issue 7 each rule had at least one
test here that failed.
"""

from __future__ import annotations

from motcua.domain import PriorityMode, TicketStatus
from motcua.domain.selection import waiting_ahead
from motcua.domain.views import recent_calls, service_view, ticket_view

from tests.unit.domain_helpers import (
    MONDAY,
    QueueSite,
    kinds,
    numbers,
    site_setup,
    vietnam_time,
    with_service,
    default_services,
)

import datetime as dt

SATURDAY = MONDAY + dt.timedelta(days=5)


def counter_one_site(waiting: int = 3, **rules: object) -> QueueSite:
    """Counter 1 open (ho_tich, dat_dai) with A001..A00n waiting for ho_tich."""
    site = QueueSite(site_setup(**rules))
    site.issue_many("ho_tich", waiting)
    site.open(1)
    return site


# --- 1. a ticket called back gets a fresh recall count; the total is kept ---------------


def test_a_no_show_called_back_gets_a_fresh_recall_count_and_keeps_the_total() -> None:
    """Given A001 recalled twice then marked no_show (max_recalls 3),
    When counter 1 calls A001 back and recalls it three times,
    Then the call back starts at 0 recalls, the three recalls are allowed (the third is
    recall 3, not a no-show), and recalls_total is 5."""
    site = counter_one_site(1)
    site.call_next(1)
    site.do("recall", 1)
    site.do("recall", 1)
    site.do("no_show", 1)

    site.do("call", 1, ticket="A001")
    called_back = site.ticket("A001")
    assert (called_back.recalls, called_back.recalls_total) == (0, 2)
    recalls = [site.do("recall", 1) for _ in range(3)]

    assert [kinds(d) for d in recalls] == [["ticket_recalled"]] * 3
    assert [d.events[0].data["recall"] for d in recalls] == [1, 2, 3]
    assert site.ticket("A001").status is TicketStatus.CALLED
    assert site.ticket("A001").recalls_total == 5


def test_a_held_ticket_called_back_gets_a_fresh_recall_count() -> None:
    """Given A001 recalled once then held, When call_next calls it back,
    Then its recall count is 0 and its total is still 1."""
    site = counter_one_site(1)
    site.call_next(1)
    site.do("recall", 1)
    site.do("hold", 1)

    site.call_next(1)

    assert (site.ticket("A001").recalls, site.ticket("A001").recalls_total) == (0, 1)


# --- 2. daily caps count by the service issued for --------------------------------------


def test_a_transfer_out_does_not_free_cap() -> None:
    """Given dat_dai capped at 2 with B001 and B002 issued, and B001 transferred to ho_tich,
    When a kiosk issues dat_dai, Then sold_out: B001 still counts for dat_dai."""
    site = QueueSite(site_setup(services=with_service(default_services(), "dat_dai",
                                                      daily_cap=2)))
    site.issue_many("dat_dai", 2)
    site.open(2)
    site.call_next(2)
    site.do("transfer", 2, to_service="ho_tich")
    assert site.ticket("B001").issued_service == "dat_dai"
    assert site.ticket("B001").service == "ho_tich"

    error = site.refuse("issue", service="dat_dai")

    assert error.code == "sold_out"
    assert error.message_vi == "Hết số cho dịch vụ Đất đai"


def test_a_transfer_in_does_not_use_cap() -> None:
    """Given ho_tich capped at 2 with A001 issued, and B001 transferred from dat_dai into
    ho_tich, When a kiosk issues ho_tich, Then A002 is issued (B001 counts for dat_dai)."""
    site = QueueSite(site_setup(services=with_service(default_services(), "ho_tich",
                                                      daily_cap=2)))
    site.issue("ho_tich")
    site.issue("dat_dai")
    site.open(2)
    site.call_next(2)
    site.do("transfer", 2, to_service="ho_tich")

    assert site.issue("ho_tich").number == "A002"


def test_walk_ins_ignore_the_cap_and_do_not_use_it() -> None:
    """Given ho_tich capped at 1 and a walk-in served for it at counter 1,
    When a kiosk issues ho_tich, Then A002 is issued: only kiosk tickets use the cap."""
    site = QueueSite(site_setup(services=with_service(default_services(), "ho_tich",
                                                      daily_cap=1)))
    site.open(1)
    site.do("walk_in", 1, service="ho_tich")

    assert site.issue("ho_tich").number == "A002"
    assert site.refuse("issue", service="ho_tich").code == "sold_out"


# --- 3. no stamp goes back; no duration or estimate is negative ---------------------------


def test_issued_at_never_goes_back_within_the_day() -> None:
    """Given A001 issued at 08:05, When the clock steps back and A002 is issued at 08:00,
    Then A002's issued_at is 08:05 (the later of now and the last issue) and A001 is
    still ahead of A002."""
    site = QueueSite(start=vietnam_time(MONDAY, 8, 5))
    site.issue("ho_tich")
    site.clock.set(vietnam_time(MONDAY, 8, 0))

    second = site.issue("ho_tich")

    assert second.issued_at == vietnam_time(MONDAY, 8, 5)
    assert waiting_ahead(site.state, second) == 1


def test_a_finish_stamped_before_its_call_gives_no_negative_wait() -> None:
    """Given A001 called at 08:10 with A002 waiting, When the clock steps back and A001 is
    finished at 07:59, Then A001 is finished at its call time (a 0 s service) and A002's
    estimate is 0 s, never negative (before: -660 s)."""
    site = counter_one_site(2)
    site.clock.set(vietnam_time(MONDAY, 8, 10))
    site.call_next(1)

    site.do("finish", 1, at=vietnam_time(MONDAY, 7, 59))

    first = site.ticket("A001")
    assert first.finished_at == first.called_at == vietnam_time(MONDAY, 8, 10)
    assert site.state.service_durations["ho_tich"] == [0.0]
    assert ticket_view(site.state, site.ticket("A002"))["est_wait_s"] == 0


def test_a_call_or_start_is_never_stamped_before_the_previous_stamp() -> None:
    """Given A001 issued at 08:00, When it is called at 07:50 and started at 07:40 (the
    clock stepped back), Then called_at and started_at are both 08:00."""
    site = counter_one_site(1)

    site.do("call_next", 1, at=vietnam_time(MONDAY, 7, 50))
    site.do("start", 1, at=vietnam_time(MONDAY, 7, 40))

    ticket = site.ticket("A001")
    assert ticket.called_at == ticket.started_at == vietnam_time(MONDAY, 8, 0)


# --- 4. walk-ins -------------------------------------------------------------------------


def test_a_walk_in_for_an_inactive_service_is_refused() -> None:
    """Given dat_dai inactive, When counter 1 (which serves it) takes a dat_dai walk-in,
    Then service_inactive and nothing changes."""
    site = QueueSite(site_setup(services=with_service(default_services(), "dat_dai",
                                                      active=False)))
    site.open(1)

    error = site.refuse("walk_in", 1, service="dat_dai")

    assert error.code == "service_inactive"
    assert error.message_vi == "Dịch vụ dat_dai tạm ngừng"


def test_a_walk_in_for_a_service_the_counter_does_not_serve_is_refused() -> None:
    """Given counter 2 serves only dat_dai, When it takes a ho_tich walk-in,
    Then service_not_served in Vietnamese and English, and nothing changes."""
    site = QueueSite()
    site.open(2)

    error = site.refuse("walk_in", 2, service="ho_tich")

    assert error.code == "service_not_served"
    assert error.as_dict()["message"] == "Quầy số 2 không phục vụ dịch vụ ho_tich"
    assert error.as_dict()["message_en"] == "Counter 2 does not serve ho_tich"


def test_a_walk_in_ignores_issuing_hours() -> None:
    """Given Saturday 09:00 (no issuing session), When counter 1 takes a walk-in,
    Then A001 is issued, called and started there."""
    site = QueueSite(start=vietnam_time(SATURDAY, 9, 0))
    site.open(1)

    decision = site.do("walk_in", 1, service="ho_tich")

    assert kinds(decision) == ["ticket_issued", "ticket_called", "ticket_started"]
    assert site.ticket("A001").status is TicketStatus.SERVING


def test_a_walk_in_does_not_count_as_a_normal_call_when_interleaving() -> None:
    """Given interleaved mode every 2 calls, A001, A002 normal and A003 elderly waiting,
    and call_next took A001 (streak 1), When counter 1 serves a walk-in then calls next,
    Then the streak is still 1 and A002 is called, not A003."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=2))
    site.issue_many("ho_tich", 2)
    site.issue("ho_tich", "elderly")
    site.open(1)
    site.call_next(1)

    site.do("walk_in", 1, service="ho_tich")

    assert site.state.counters[1].normal_streak == 1
    assert site.call_next(1).number == "A002"


# --- 5. issuing hours are not serving hours ----------------------------------------------


def test_a_ticket_issued_at_1659_does_not_expire_while_its_counter_is_open() -> None:
    """Given A001 issued at 16:59 and counter 1 open, When tick at 17:00:30,
    Then nothing expires and A001 still waits."""
    site = QueueSite(start=vietnam_time(MONDAY, 16, 59))
    site.issue("ho_tich")
    site.open(1)

    decision = site.do("tick", at=vietnam_time(MONDAY, 17, 0, 30))

    assert kinds(decision) == []
    assert site.ticket("A001").status is TicketStatus.WAITING


def test_tickets_held_or_transferred_after_the_end_are_not_expired() -> None:
    """Given counters 1 and 2 open after 17:00, A001 held at counter 1 and B001 transferred
    to counter 2 at 17:05, When tick at 17:06, Then both still wait for their counters."""
    site = QueueSite(start=vietnam_time(MONDAY, 16, 50))
    site.issue("ho_tich")
    site.issue("dat_dai")
    site.open(1, 2)
    site.clock.set(vietnam_time(MONDAY, 17, 5))
    site.call_next(1)
    site.do("hold", 1)
    site.call_next(1)  # B001, the only one left waiting for counter 1
    site.do("transfer", 1, to_counter=2)

    decision = site.do("tick", at=vietnam_time(MONDAY, 17, 6))

    assert kinds(decision) == []
    assert site.ticket("A001").status is TicketStatus.HELD
    assert site.ticket("B001").reserved_counter == 2


def test_serve_until_keeps_tickets_after_the_issuing_end_until_it_comes() -> None:
    """Given serve_until 17:30, A001 waiting and every counter closed, When ticks run at
    17:10 and 17:30, Then nothing expires at 17:10 and A001 expires (serve_end) at 17:30."""
    site = QueueSite(site_setup(serve_until=dt.time(17, 30)),
                     start=vietnam_time(MONDAY, 16, 0))
    site.issue("ho_tich")

    early = site.do("tick", at=vietnam_time(MONDAY, 17, 10))
    due = site.do("tick", at=vietnam_time(MONDAY, 17, 30))

    assert kinds(early) == []
    assert kinds(due) == ["ticket_expired"]
    assert due.events[0].data == {"reason": "serve_end"}
    assert site.ticket("A001").status is TicketStatus.EXPIRED


def test_a_paused_counter_keeps_its_services_tickets_alive_after_serve_until() -> None:
    """Given serve_until 17:30, A001 (ho_tich) and C001 (chung_thuc) waiting, counter 1
    (ho_tich, dat_dai) paused and the others closed, When tick at 17:45,
    Then only C001 expires: A001's service still has a counter."""
    site = QueueSite(site_setup(serve_until=dt.time(17, 30)),
                     start=vietnam_time(MONDAY, 16, 0))
    site.issue("ho_tich")
    site.issue("chung_thuc")
    site.open(1)
    site.do("pause", 1)

    decision = site.do("tick", at=vietnam_time(MONDAY, 17, 45))

    assert [site.state.tickets[e.ticket_id].number for e in decision.events] == ["C001"]
    assert site.ticket("A001").status is TicketStatus.WAITING


# --- 6. pause holds a called ticket; no finish on call when the site says so -------------


def test_pause_with_a_called_ticket_puts_it_on_hold() -> None:
    """Given A001 called (not started) at counter 1, When the clerk pauses,
    Then A001 is held (reason pause, hold_calls 3), not finished, and the counter is free."""
    site = counter_one_site(2)
    site.call_next(1)

    decision = site.do("pause", 1)

    assert kinds(decision) == ["ticket_held", "counter_paused"]
    assert decision.events[0].data == {"hold_calls": 3, "reason": "pause"}
    assert site.ticket("A001").status is TicketStatus.HELD
    assert site.ticket("A001").finished_at is None
    assert site.state.counters[1].current is None


def test_pause_with_a_serving_ticket_finishes_it() -> None:
    """Given A001 serving at counter 1, When the clerk pauses, Then A001 is done."""
    site = counter_one_site(1)
    site.call_next(1)
    site.do("start", 1)

    decision = site.do("pause", 1)

    assert kinds(decision) == ["ticket_finished", "counter_paused"]
    assert site.ticket("A001").status is TicketStatus.DONE


def test_without_finish_on_call_next_call_and_walk_in_refuse_while_serving() -> None:
    """Given finish_on_call_next off and A001 serving at counter 1, When the clerk calls
    A002 or takes a walk-in, Then both are refused with ticket_in_progress (A001 is not
    finished behind the clerk's back)."""
    site = counter_one_site(2, finish_on_call_next=False)
    site.call_next(1)
    site.do("start", 1)

    by_number = site.refuse("call", 1, ticket="A002")
    walk_in = site.refuse("walk_in", 1, service="ho_tich")

    assert by_number.code == walk_in.code == "ticket_in_progress"
    assert walk_in.message_en == "Counter 1 is still on ticket A001: finish it first"
    assert site.ticket("A001").status is TicketStatus.SERVING


# --- 7. a held ticket alone is released to call_next --------------------------------------


def test_call_next_calls_back_the_oldest_hold_when_nothing_waits() -> None:
    """Given A002 held at 08:05 and then A001 held at 08:06 (nobody waiting),
    When call_next, Then A002 (held first) is called, and A001 stays held."""
    site = counter_one_site(2)
    site.do("call", 1, ticket="A002", at=vietnam_time(MONDAY, 8, 5))
    site.do("hold", 1, at=vietnam_time(MONDAY, 8, 5))
    site.do("call", 1, ticket="A001", at=vietnam_time(MONDAY, 8, 6))
    site.do("hold", 1, at=vietnam_time(MONDAY, 8, 6))

    called = site.call_next(1)

    assert called.number == "A002"
    assert site.ticket("A001").status is TicketStatus.HELD


# --- 8. people ahead -----------------------------------------------------------------------


def test_waiting_ahead_follows_the_interleaving() -> None:
    """Given interleaved mode every 2 normal calls, a fresh counter 1, A001..A004 normal
    and A005, A006 elderly waiting, When each ticket's waiting_ahead is read,
    Then it is its place in the order call_next takes them: A001 A002 A005 A003 A004 A006."""
    site = QueueSite(site_setup(priority_mode=PriorityMode.INTERLEAVED, interleave_every=2))
    site.issue_many("ho_tich", 4)
    site.issue_many("ho_tich", 2, priority="elderly")
    site.open(1)

    ahead = {t.number: waiting_ahead(site.state, t) for t in site.state.tickets.values()}
    called = [site.call_next(1).number for _ in range(6)]

    assert ahead == {"A001": 0, "A002": 1, "A005": 2, "A003": 3, "A004": 4, "A006": 5}
    assert called == ["A001", "A002", "A005", "A003", "A004", "A006"]


def test_a_ticket_reserved_for_another_counter_is_not_ahead() -> None:
    """Given B001 transferred to counter 2 (reserved there) and B002, B003 waiting for
    dat_dai, When waiting_ahead is read, Then B002 has nobody ahead and B001 has nobody
    ahead at counter 2."""
    site = QueueSite()
    site.issue_many("dat_dai", 3)
    site.open(1, 2)
    site.call_next(1)
    site.do("transfer", 1, to_counter=2)

    assert waiting_ahead(site.state, site.ticket("B002")) == 0
    assert waiting_ahead(site.state, site.ticket("B003")) == 1
    assert waiting_ahead(site.state, site.ticket("B001")) == 0


# --- 9. cancel ---------------------------------------------------------------------------


def test_a_clerk_cancels_a_waiting_ticket_by_number() -> None:
    """Given A001..A003 waiting, When counter 1 cancels "a2",
    Then ticket_cancelled (reason clerk) for A002, and A003 has one ticket ahead."""
    site = counter_one_site(3)

    decision = site.do("cancel", 1, ticket="a2")

    assert kinds(decision) == ["ticket_cancelled"]
    assert decision.events[0].data == {"reason": "clerk"}
    assert decision.events[0].counter == 1
    assert site.ticket("A002").status is TicketStatus.CANCELLED
    assert waiting_ahead(site.state, site.ticket("A003")) == 1
    assert service_view(site.state, "ho_tich")["waiting"] == 2


def test_a_clerk_cancels_the_called_ticket_and_the_counter_is_free() -> None:
    """Given A001 called at counter 1, When the clerk cancels it,
    Then A001 is cancelled, the counter has no current ticket, and call_next takes A002."""
    site = counter_one_site(2)
    site.call_next(1)

    site.do("cancel", 1, ticket="A001")

    assert site.ticket("A001").status is TicketStatus.CANCELLED
    assert site.state.counters[1].current is None
    assert site.call_next(1).number == "A002"


def test_a_serving_ticket_or_one_called_elsewhere_cannot_be_cancelled() -> None:
    """Given A001 serving at counter 1 and A002 called at counter 3, When counter 1
    cancels A001 or A002, Then ticket_not_cancellable for both and nothing changes."""
    site = counter_one_site(2)
    site.call_next(1)
    site.do("start", 1)
    site.open(3)
    site.call_next(3)

    serving = site.refuse("cancel", 1, ticket="A001")
    elsewhere = site.refuse("cancel", 1, ticket="A002")

    assert serving.code == elsewhere.code == "ticket_not_cancellable"
    assert serving.message_vi == "Số A001 không thể huỷ (trạng thái đang phục vụ)"


def test_the_holder_cancels_with_the_ticket_token_only() -> None:
    """Given A001 waiting and A002 held, When the holder cancels with each ticket's id
    token, Then both are cancelled with reason holder and no counter; a printed number
    "A001" is unknown_ticket."""
    site = counter_one_site(3)
    site.do("call", 1, ticket="A002")
    site.do("hold", 1)
    first, second = site.ticket("A001"), site.ticket("A002")

    assert site.refuse("cancel_by_holder", ticket="A003").code == "unknown_ticket"
    one = site.do("cancel_by_holder", ticket=first.id)
    two = site.do("cancel_by_holder", ticket=second.id)

    assert [(e.kind, e.counter, e.data) for e in one.events + two.events] == [
        ("ticket_cancelled", None, {"reason": "holder"})] * 2
    assert first.status is second.status is TicketStatus.CANCELLED
    assert numbers(t for t in site.state.tickets.values()
                   if t.status is TicketStatus.WAITING) == ["A003"]


def test_the_holder_cannot_cancel_a_called_ticket() -> None:
    """Given A001 called at counter 1, When its holder cancels it,
    Then ticket_not_cancellable: the clerk is already calling them."""
    site = counter_one_site(1)
    ticket = site.call_next(1)

    assert site.refuse("cancel_by_holder", ticket=ticket.id).code == "ticket_not_cancellable"


# --- recent calls ------------------------------------------------------------------------


def test_recent_calls_list_each_ticket_once_at_its_latest_call() -> None:
    """Given A001 called at 08:01 and held, A002 called at 08:02, then A001 called back at
    08:03, When the board's recent calls are read, Then A001 (08:03) then A002 (08:02)."""
    site = counter_one_site(2)
    site.do("call_next", 1, at=vietnam_time(MONDAY, 8, 1))
    site.do("hold", 1, at=vietnam_time(MONDAY, 8, 1))
    site.do("call_next", 1, at=vietnam_time(MONDAY, 8, 2))
    site.do("call", 1, ticket="A001", at=vietnam_time(MONDAY, 8, 3))

    assert recent_calls(site.state) == [
        {"ticket": "A001", "counter": 1, "service": "ho_tich",
         "at": "2025-03-03T08:03:00+07:00"},
        {"ticket": "A002", "counter": 1, "service": "ho_tich",
         "at": "2025-03-03T08:02:00+07:00"},
    ]
