"""The wrong-code limiter: a token bucket per kiosk or web client, on an injected clock."""

from __future__ import annotations

from motcua.dossiers.wrong_codes import WrongCodeLimiter


class Seconds:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_ten_wrong_codes_then_a_wait_of_six_seconds():
    """Given 10 wrong codes a minute,
    when a kiosk makes 10 wrong codes at once,
    then it may go on before the 10th and must wait 6 s after it; 6 s later it may go on."""
    clock = Seconds()
    limiter = WrongCodeLimiter(10, clock=clock)
    waits = []
    for _ in range(10):
        waits.append(limiter.retry_after("kiosk/1"))
        limiter.record_wrong("kiosk/1")

    assert waits == [None] * 10
    assert limiter.retry_after("kiosk/1") == 6
    clock.now += 3
    assert limiter.retry_after("kiosk/1") == 3
    clock.now += 3
    assert limiter.retry_after("kiosk/1") is None


def test_clients_are_counted_apart():
    """Given kiosk 1 out of wrong codes,
    when kiosk 2 and a web client ask,
    then they may go on."""
    limiter = WrongCodeLimiter(2, clock=Seconds())
    limiter.record_wrong("kiosk/1")
    limiter.record_wrong("kiosk/1")

    assert limiter.retry_after("kiosk/1") == 30
    assert limiter.retry_after("kiosk/2") is None
    assert limiter.retry_after("web/203.0.113.7") is None


def test_zero_turns_the_limit_off():
    """Given 0 wrong codes a minute, when a client makes 1000, then nothing is refused."""
    limiter = WrongCodeLimiter(0, clock=Seconds())
    for _ in range(1000):
        limiter.record_wrong("kiosk/1")

    assert limiter.retry_after("kiosk/1") is None


def test_a_clock_gone_back_refills_nothing():
    """Given a client out of wrong codes,
    when it makes one more wrong code while the clock is 100 s back, and the clock then
    goes 3 s past where it was,
    then the wait is counted from the latest time seen: 3 s left of 6, not a full
    bucket refilled over the 103 s the clock seems to have moved."""
    clock = Seconds()
    limiter = WrongCodeLimiter(10, clock=clock)
    for _ in range(10):
        limiter.record_wrong("web/198.51.100.1")
    clock.now -= 100
    limiter.record_wrong("web/198.51.100.1")
    clock.now += 103

    assert limiter.retry_after("web/198.51.100.1") == 3


def test_memory_is_bounded_to_the_most_recent_clients():
    """Given room for 3 clients,
    when 5 clients each make their one allowed wrong code,
    then the 2 oldest are forgotten (a full bucket again) and the 3 newest still wait."""
    limiter = WrongCodeLimiter(1, clock=Seconds(), max_clients=3)
    for n in range(5):
        limiter.record_wrong(f"web/10.0.0.{n}")

    assert [limiter.retry_after(f"web/10.0.0.{n}") for n in range(5)] == [
        None, None, 60, 60, 60]
