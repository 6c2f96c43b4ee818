"""Small sites and clocks for store, dispatcher and hub tests."""

from __future__ import annotations

import datetime as dt
import threading

from motcua.domain import Assignment, CounterSetup, IssuingSession, Rules, Service, SiteSetup

VN = dt.timezone(dt.timedelta(hours=7))
#: Monday 23 November 2026, 08:00 in Hà Nội: inside the morning session.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 8, 0, tzinfo=VN)
ALL_DAY = IssuingSession("ca-ngay", dt.time(0, 0), dt.time(23, 59, 59), frozenset(range(7)))


def small_setup(counters: int = 3, rules: Rules | None = None, all_day: bool = False) -> SiteSetup:
    """Three services (đất đai A, hộ tịch C, chứng thực C shares the prefix) and N counters
    that all serve every service."""
    services = {
        "dat-dai": Service("dat-dai", "A", "Đất đai", "Đất đai", 12.0),
        "ho-tich": Service("ho-tich", "C", "Hộ tịch", "Hộ tịch", 8.0),
        "chung-thuc": Service("chung-thuc", "C", "Chứng thực", "Chứng thực", 5.0),
    }
    every = tuple(services)
    return SiteSetup(
        site_id="test-site",
        name="Bộ phận Một cửa thử nghiệm",
        timezone="Asia/Ho_Chi_Minh",
        services=services,
        counters={
            n: CounterSetup(n, f"Quầy {n}", (Assignment(every),)) for n in range(1, counters + 1)
        },
        sessions=(ALL_DAY,) if all_day else (
            IssuingSession("sang", dt.time(7, 30), dt.time(11, 30)),
            IssuingSession("chieu", dt.time(13, 30), dt.time(17, 0)),
        ),
        rules=rules or Rules(),
    )


class ManualClock:
    """A clock tests move by hand; thread-safe, never goes backwards unless told to."""

    def __init__(self, start: dt.datetime = MONDAY_MORNING) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> dt.datetime:
        with self._lock:
            self._now += dt.timedelta(**delta)
            return self._now

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._now = moment
