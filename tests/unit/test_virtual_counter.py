"""The console counter: keys become contract commands, replies become one readable line."""

from __future__ import annotations

import datetime as dt
import pytest

from counter_panel.virtual import NotACommand, command_for, describe_reply, envelope
from motcua import contract
from motcua.domain import DomainError
from motcua.up.demo import demo_site_text
from motcua.site_config import example_config_text, parse_site_config


def no_clerk() -> str:
    raise AssertionError("the clerk's name was not needed")


@pytest.mark.parametrize(("key", "action"), [
    ("n", "call_next"), ("r", "recall"), ("s", "start"), ("f", "finish"), ("x", "no_show"),
    ("h", "hold"), ("p", "pause"), ("u", "resume"), ("c", "close"), ("N\n", "call_next"),
])
def test_each_key_sends_its_counter_action(key, action):
    """Given a key pressed (with Enter), then the command carries the contract's action."""
    assert command_for(key, no_clerk) == {"action": action}


def test_open_takes_the_clerk_after_the_key_or_asks_for_it():
    """Given `o Nguyễn Thị Lan`, then open carries that clerk; given a bare `o`, it asks."""
    assert command_for("o Nguyễn Thị Lan", no_clerk) == {"action": "open",
                                                          "clerk": "Nguyễn Thị Lan"}
    assert command_for("o", lambda: "Lan") == {"action": "open", "clerk": "Lan"}


def test_q_quits_and_issuing_or_unknown_keys_are_refused():
    """Given q, then nothing is sent (None); given i or z, then the clerk is told why."""
    assert command_for("q", no_clerk) is None
    with pytest.raises(NotACommand, match="ki-ốt"):
        command_for("i dat-dai", no_clerk)
    with pytest.raises(NotACommand, match="z"):
        command_for("z", no_clerk)


def test_envelope_adds_a_fresh_id_and_sent_at_and_parses_as_a_counter_command():
    """Given an open body, then the wire payload validates with a uuid id and sent_at."""
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    first, second = envelope({"action": "open", "clerk": "Lan"}, now), envelope(
        {"action": "open", "clerk": "Lan"}, now)
    assert first.id != second.id
    parsed = contract.parse_command(contract.TopicKind.COUNTER_CMD, contract.dump(first))
    assert (parsed.action, parsed.args["clerk"], parsed.sent_at) == ("open", "Lan", now)


def test_replies_read_as_one_line_per_press():
    """Given a hub reply carrying ticket A001 called at counter 1 (a contract Reply),
    then the clerk reads its number and status."""
    ticket = contract.Ticket(id="tk1", number="A001", service="dat-dai", prefix="A",
                             priority="normal", status="called", counter=1,
                             issued_at="2026-11-23T08:00:00+07:00", waiting_ahead=0,
                             est_wait_s=None)
    reply = contract.Reply(id="1", ok=True, ticket=ticket)
    assert describe_reply(1, contract.dump(reply)) == "Quầy 1 → A001 (called)"


def test_a_refusal_reads_as_the_catalogs_vietnamese_text_only():
    """Given the hub's queue_empty refusal as the catalog builds it,
    then the clerk reads "Không còn công dân chờ" — the Vietnamese text, without English."""
    reply = contract.Reply(id="2", ok=False, error=DomainError("queue_empty").as_dict())
    assert describe_reply(3, contract.dump(reply)) == "Quầy 3 ✗ Không còn công dân chờ"


def test_demo_site_issues_all_day_every_day_and_keeps_everything_else():
    """Given the example center, then the demo site has one 00:00–23:59 session on 7 days
    and the same services and counters."""
    example = parse_site_config(_toml(example_config_text()))
    demo = parse_site_config(_toml(demo_site_text(example_config_text())))
    assert [(s.start.isoformat("minutes"), s.end.isoformat("minutes"), len(s.weekdays))
            for s in demo.sessions] == [("00:00", "23:59", 7)]
    assert demo.services == example.services and demo.counters == example.counters


def _toml(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)
