"""The per-kiosk issue rate: a token bucket per kiosk, shared by MQTT and HTTP."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from motcua.dispatch import Request
from motcua.domain import Command
from motcua.rate_limit import IssueRateLimiter, kiosk_of

AT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


_ids = itertools.count(1)


def ask(limiter: IssueRateLimiter, source: str, seconds: float = 0, action: str = "issue",
        request_id: str | None = None):
    request = Request(Command(action, {"service": "dat-dai"}), source=source,
                      request_id=request_id or f"r{next(_ids)}")
    return limiter(request, AT + dt.timedelta(seconds=seconds))


@pytest.mark.parametrize(("source", "kiosk"), [
    ("kiosk/1", "1"), ("http/kiosk/sanh-a", "sanh-a"), ("counter/3", None),
    ("http/holder", None), ("internal", None), ("kiosk/1/extra", None),
])
def test_the_kiosk_of_a_request_source(source, kiosk):
    """Given a request source, Then MQTT and HTTP kiosks map to the same kiosk id and
    anything else to None (not limited)."""
    assert kiosk_of(source) == kiosk


def test_a_burst_then_one_issue_per_refill_interval():
    """Given 6 a minute with a burst of 3, Then kiosk 1 gets 3 at 08:00:00, the 4th is
    refused with retry_s 10, at 08:00:09 still refused (retry_s 1), at 08:00:10 served,
    and a bucket never holds more than the burst after an idle hour."""
    limiter = IssueRateLimiter(per_minute=6, burst=3)
    assert [ask(limiter, "kiosk/1") for _ in range(3)] == [None, None, None]
    refused = ask(limiter, "kiosk/1")
    assert (refused.ok, refused.error["code"], refused.error["params"]) == (
        False, "rate_limited", {"device": "1", "retry_s": 10})
    assert ask(limiter, "kiosk/1", 9).error["params"]["retry_s"] == 1
    assert ask(limiter, "kiosk/1", 10) is None
    assert [ask(limiter, "kiosk/1", 3600) is None for _ in range(4)] == [True] * 3 + [False]


def test_kiosks_have_their_own_budget_and_http_shares_the_mqtt_one():
    """Given a burst of 1, Then kiosk 1 over MQTT uses it, kiosk 1 over HTTP is refused,
    kiosk 2 is served, and actions other than issue are never limited."""
    limiter = IssueRateLimiter(per_minute=1, burst=1)
    assert ask(limiter, "kiosk/1") is None
    assert ask(limiter, "http/kiosk/1").error["code"] == "rate_limited"
    assert ask(limiter, "kiosk/2") is None
    assert ask(limiter, "kiosk/1", action="printer") is None


def test_zero_per_minute_turns_the_limit_off():
    """Given 0 a minute, Then a hundred issues at once from one kiosk all pass."""
    limiter = IssueRateLimiter(per_minute=0, burst=1)
    assert all(ask(limiter, "kiosk/1") is None for _ in range(100))


def test_a_request_id_is_charged_once():
    """Given a burst of 2, When request a is asked three times (the dispatcher retrying it
    alone after a failed batch), Then it is charged once: b still passes and c is refused;
    and a refused request is judged afresh when retried once the bucket has refilled."""
    limiter = IssueRateLimiter(per_minute=6, burst=2)

    assert [ask(limiter, "kiosk/1", request_id="a") for _ in range(3)] == [None] * 3
    assert ask(limiter, "kiosk/1", request_id="b") is None
    assert ask(limiter, "kiosk/1", request_id="c").error["code"] == "rate_limited"
    assert ask(limiter, "kiosk/1", 10, request_id="c") is None


def test_a_clock_gone_back_does_not_refill_the_bucket_later():
    """Given a burst of 1 used at 08:00:10, When the clock goes back to 08:00:00 and then
    reads 08:00:10 again, Then the second ask is still refused (nothing refilled)."""
    limiter = IssueRateLimiter(per_minute=6, burst=1)

    assert ask(limiter, "kiosk/1", 10) is None
    assert ask(limiter, "kiosk/1", 0).error["code"] == "rate_limited"
    assert ask(limiter, "kiosk/1", 10).error["code"] == "rate_limited"
