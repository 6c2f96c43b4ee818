"""Debounce with a fake clock, and what a counter's state puts on its sign."""

from __future__ import annotations

import pytest

from counter_panel.protocol import SIGN_CLEAR, SIGN_OFFLINE, SignCommand, Verb
from counter_panel.station import Debouncer, sign_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_second_press_within_the_window_is_the_same_press():
    """Given a 300 ms window, when NEXT comes at 0, 120 and 299 ms, then only the first is
    a press; 301 ms after it is a new press, and the window restarts from there."""
    clock = FakeClock()
    debouncer = Debouncer(0.3, clock)
    accepted = []
    for at_ms in (0, 120, 299, 301, 450, 602):
        clock.now = 100.0 + at_ms / 1000
        accepted.append(debouncer.accept("NEXT"))
    assert accepted == [True, False, False, True, False, True]


def test_different_keys_do_not_debounce_each_other():
    """Given a 300 ms window, when NEXT then FINISH then NEXT come 10 ms apart, then NEXT
    and FINISH are presses and the second NEXT is a bounce."""
    clock = FakeClock()
    debouncer = Debouncer(0.3, clock)
    results = []
    for key in ("NEXT", "FINISH", "NEXT"):
        results.append(debouncer.accept(key))
        clock.now += 0.01
    assert results == [True, True, False]


def test_a_zero_window_accepts_every_press():
    """Given debounce_ms = 0, when NEXT comes twice at the same instant, both are presses."""
    debouncer = Debouncer(0.0, FakeClock())
    assert [debouncer.accept("NEXT"), debouncer.accept("NEXT")] == [True, True]


def state(status: str | None, number: str = "A015") -> dict:
    ticket = None if status is None else {"number": number, "status": status}
    return {"status": "open", "ticket": ticket}


@pytest.mark.parametrize(("counter_state", "reachable", "shown"), [
    (state("called"), True, SignCommand(Verb.BLINK, "A015")),
    (state("serving"), True, SignCommand(Verb.SHOW, "A015")),
    (state(None), True, SIGN_CLEAR),
    (None, True, SIGN_CLEAR),
    (state("called"), False, SIGN_OFFLINE),
    (None, False, SIGN_OFFLINE),
    (state("done"), True, SIGN_CLEAR),
    (state("called", number="a-15!"), True, SIGN_CLEAR),
])
def test_the_sign_follows_the_counter_state(counter_state, reachable, shown):
    """Given the counter's retained state and the hub's reachability, then the sign blinks
    a called number, shows a served one steady, is blank otherwise, shows the offline mark
    when the hub is unreachable, and never tries to show a number it cannot."""
    assert sign_for(counter_state, reachable) == shown
