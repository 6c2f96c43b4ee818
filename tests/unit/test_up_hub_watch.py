"""`motcua up` waits for the hub's own `hub/status`, read through the contract."""

from __future__ import annotations

import datetime as dt

from motcua.bus import BusMessage
from motcua.contract import Topics
from motcua.up.hub_watch import hub_came_online

SITE = Topics("van-lam")
SINCE = dt.datetime(2026, 11, 30, 1, 0, 0, tzinfo=dt.timezone.utc)


def status(payload: bytes, topic: str = SITE.hub_status()) -> BusMessage:
    return BusMessage(topic, payload, 1, True)


def test_a_hub_started_after_the_watch_began_counts():
    """Given a hub/status online, started one second after the watch began (in +07:00),
    when it is checked, then the hub came online."""
    message = status(b'{"online":true,"epoch":"e1","started_at":"2026-11-30T08:00:01+07:00"}')

    assert hub_came_online(SITE, message, SINCE) is True


def test_a_retained_online_of_an_earlier_hub_does_not_count():
    """Given the retained online status of a hub started a minute before the watch began,
    when it is checked, then it does not count (that hub may be dead)."""
    message = status(b'{"online":true,"started_at":"2026-11-30T00:59:00Z"}')

    assert hub_came_online(SITE, message, SINCE) is False


def test_offline_unreadable_or_foreign_statuses_do_not_count():
    """Given an offline status, a status the contract refuses (online as a string), and an
    online status on another site's topic, when each is checked, then none counts."""
    fresh = b'"started_at":"2026-11-30T01:00:05Z"'
    assert hub_came_online(SITE, status(b'{"online":false,' + fresh + b"}"), SINCE) is False
    assert hub_came_online(SITE, status(b'{"online":"yes",' + fresh + b"}"), SINCE) is False
    other_site = Topics("hcm-q1").hub_status()
    assert hub_came_online(
        SITE, status(b'{"online":true,' + fresh + b"}", other_site), SINCE) is False
    assert hub_came_online(SITE, status(b'{"online":true}'), SINCE) is False
