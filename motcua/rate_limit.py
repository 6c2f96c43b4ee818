"""Per-kiosk issue rate: a token bucket per kiosk, so a stuck touch screen cannot empty a
service's daily numbers in seconds.

The limiter is the dispatcher's intercept for ``issue``: it runs on the writer thread
after the idempotence check, so a repeated request id still gets its first reply, and it
reads the dispatcher's clock, so tests drive it with a manual clock. A kiosk is the same
kiosk over MQTT (source ``kiosk/1``) and HTTP (``http/kiosk/1``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import deque
from dataclasses import dataclass, field

from motcua.dispatch import Request, Result
from motcua.errors import WireError

log = logging.getLogger(__name__)

#: Action limited per kiosk.
LIMITED_ACTION = "issue"
#: Request ids remembered per kiosk as already charged (see ``IssueRateLimiter``).
CHARGED_IDS_KEPT = 64


@dataclass
class _Bucket:
    tokens: float
    at: float
    charged: deque = field(default_factory=lambda: deque(maxlen=CHARGED_IDS_KEPT))


def kiosk_of(source: str) -> str | None:
    """The kiosk id of a request source (``kiosk/1`` or ``http/kiosk/1``), else None."""
    parts = source.split("/")
    if len(parts) == 2 and parts[0] == "kiosk":
        return parts[1]
    if len(parts) == 3 and parts[:2] == ["http", "kiosk"]:
        return parts[2]
    return None


class IssueRateLimiter:
    """At most ``burst`` issues at once per kiosk, refilled at ``per_minute`` per minute.

    ``per_minute`` of 0 turns the limit off. A request id is charged once: when the
    dispatcher retries a command alone after a failed batch, it is not charged again (a
    refused one was not charged, so a retry of it is judged afresh).
    """

    def __init__(self, per_minute: float, burst: int) -> None:
        self.per_second = per_minute / 60.0
        self.burst = max(1, burst)
        self._buckets: dict[str, _Bucket] = {}

    def __call__(self, request: Request, now: dt.datetime) -> Result | None:
        """None when ``request`` may go on; a ``rate_limited`` refusal otherwise."""
        if self.per_second <= 0 or request.command.action != LIMITED_ACTION:
            return None
        kiosk = kiosk_of(request.source)
        if kiosk is None:
            return None
        moment = now.timestamp()
        bucket = self._buckets.get(kiosk)
        if bucket is None:
            bucket = self._buckets[kiosk] = _Bucket(float(self.burst), moment)
        if request.request_id is not None and request.request_id in bucket.charged:
            return None
        bucket.tokens = min(float(self.burst),
                            bucket.tokens + max(0.0, moment - bucket.at) * self.per_second)
        bucket.at = max(bucket.at, moment)  # a clock gone back must not refill it later
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if request.request_id is not None:
                bucket.charged.append(request.request_id)
            return None
        retry_s = math.ceil((1.0 - bucket.tokens) / self.per_second)
        log.warning("kiosk %s issues too fast: refused %s (request %s), retry in %d s",
                    kiosk, request.command.action, request.request_id, retry_s)
        error = WireError("rate_limited", device=kiosk, retry_s=retry_s)
        return Result(request.request_id, False, None, error.as_dict(),
                      action=request.command.action)
