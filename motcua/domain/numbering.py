"""Ticket numbers and business days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def format_number(prefix: str, seq_no: int) -> str:
    """``A`` + 15 -> ``A015``; four digits past 999 (``A1000``)."""
    return f"{prefix}{seq_no:03d}"


def local_time(now: dt.datetime, timezone: str) -> dt.datetime:
    """``now`` (timezone-aware) seen in the site's zone, whatever the machine's zone is."""
    if now.tzinfo is None:
        raise ValueError("the clock must give timezone-aware datetimes")
    return now.astimezone(ZoneInfo(timezone))


def business_day(now: dt.datetime, timezone: str) -> dt.date:
    """The site's local calendar date at ``now``: numbering resets at local midnight."""
    return local_time(now, timezone).date()
