"""Malformed commands are refused with a stable code naming the bad field."""

from __future__ import annotations

import pytest

from motcua.domain import Command, DomainError, execute
from motcua.domain.errors import MESSAGES, render

from tests.unit.domain_helpers import QueueSite


def served_site() -> QueueSite:
    """A001 finished at counter 1 (so rating is possible), A002 waiting."""
    site = QueueSite()
    site.issue_many("ho_tich", 2)
    site.open(1)
    site.call_next(1)
    site.do("finish", 1)
    return site


@pytest.mark.parametrize(
    ("action", "counter", "args", "field"),
    [
        ("rate", 1, {"score": "3"}, "score"),
        ("rate", 1, {"score": True}, "score"),
        ("rate", 1, {}, "score"),
        ("open", 2, {"clerk": 5}, "clerk"),
        ("open", 2, {"clerk": "x" * 129}, "clerk"),
        ("open", 2, {"clerk": "Lan", "services": "x"}, "services"),
        ("open", 2, {"clerk": "Lan", "services": ["ho_tich", 3]}, "services"),
        ("issue", None, {"service": 7}, "service"),
        ("issue", None, {"service": "ho_tich", "priority": 1}, "priority"),
        ("issue", None, {"service": "ho_tich", "reason": 12}, "reason"),
        ("call", 1, {"ticket": None}, "ticket"),
        ("call", 1, {"ticket": ["A002"]}, "ticket"),
        ("set_priority", 1, {"ticket": "A002", "priority": "royal"}, "priority"),
        ("transfer", 1, {"to_counter": "2"}, "to_counter"),
        ("transfer", 1, {"to_counter": True}, "to_counter"),
        ("transfer", 1, {"to_service": 3}, "to_service"),
        ("call_next", "1", {}, "counter"),
        ("call_next", True, {}, "counter"),
        ("call_next", None, {}, "counter"),
    ],
)
def test_wrong_argument_types_are_invalid_argument_naming_the_field(
    action: str, counter: object, args: dict, field: str
) -> None:
    """Given a site with a served and a waiting ticket, When a command carries a wrongly
    typed argument, Then invalid_argument naming that field and nothing changes."""
    site = served_site()

    error = site.refuse(action, counter, **args)

    assert (error.code, error.params) == ("invalid_argument", {"field": field})


def test_unknown_action_is_refused() -> None:
    """Given a site, When the action "dance" is asked, Then unknown_action naming it."""
    site = served_site()

    error = site.refuse("dance", 1)

    assert (error.code, error.params) == ("unknown_action", {"action": "dance"})


def test_arguments_that_are_not_a_mapping_are_invalid() -> None:
    """Given a site, When a command's args is a list, Then invalid_argument on args."""
    site = served_site()

    with pytest.raises(DomainError) as refusal:
        execute(site.state, Command("call_next", ["x"], counter=1), site.clock.now, site.new_id)

    assert (refusal.value.code, refusal.value.params) == ("invalid_argument", {"field": "args"})


def test_every_error_code_has_both_messages() -> None:
    """Given the message catalog, Then every code has a non-empty Vietnamese and English text."""
    assert all(vi.strip() and en.strip() for vi, en in MESSAGES.values())


def test_error_reply_keeps_vietnamese_and_english_apart() -> None:
    """Given unknown_counter 9, When rendered for a reply, Then message is the Vietnamese
    text alone, message_en the English one, params the value filled in."""
    error = DomainError("unknown_counter", counter=9)

    assert error.as_dict() == {
        "code": "unknown_counter",
        "message": "Không có quầy số 9",
        "message_en": "Unknown counter: 9",
        "params": {"counter": 9},
    }
    assert render("sold_out") == (
        "Hết số cho dịch vụ {service}", "No more numbers today for {service}",
    )


def test_an_uncatalogued_error_code_cannot_be_raised() -> None:
    """Given no message for code "oops", When a DomainError is built with it, Then KeyError."""
    with pytest.raises(KeyError):
        DomainError("oops")
