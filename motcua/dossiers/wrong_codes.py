"""How many wrong dossier codes one client may try: a token bucket per kiosk or web client.

A dossier code is printed on a slip and scanned, so a wrong code is a typing mistake or a
damaged barcode; many in a row are someone walking through codes to read other people's
dossiers. Every client (``kiosk/1``, ``web/203.0.113.7``) gets ``per_minute`` wrong codes
at once, refilled at ``per_minute`` per minute. While its bucket is empty every lookup of
that client is refused, right ones too (else a guesser could not be told apart), until
the wait returned by :meth:`WrongCodeLimiter.retry_after` has passed. Right codes cost
nothing.

Pure: stdlib only, the clock is injected (seconds, monotonic), thread-safe (the hub's
lookup workers and HTTP threads share one limiter). The number of clients remembered is
bounded, so a flood of addresses cannot grow it without end.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Callable

#: Clients remembered at most; the least recently seen is forgotten first (a forgotten
#: client starts again with a full bucket, which only ever favours a real citizen).
MAX_CLIENTS = 10_000


class WrongCodeLimiter:
    """Wrong codes allowed per client: ``per_minute`` at once, refilled per minute.

    ``per_minute`` of 0 turns the limit off.
    """

    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        self.per_second = max(0.0, per_minute) / 60.0
        self.burst = max(1.0, float(per_minute))
        self.clock = clock
        self.max_clients = max(1, max_clients)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Seconds ``client`` must wait before its next lookup, or None if it may go on."""
        if self.per_second <= 0:
            return None
        with self._lock:
            tokens = self._tokens(client, self.clock())
        if tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - tokens) / self.per_second))

    def record_wrong(self, client: str) -> None:
        """Charge one wrong code (invalid or unknown) to ``client``."""
        if self.per_second <= 0:
            return
        with self._lock:
            now = self.clock()
            tokens = self._tokens(client, now)
            known = self._buckets.get(client)
            # Stamped at the latest time seen: a clock gone back must not refill it later.
            at = max(now, known[1]) if known is not None else now
            self._buckets[client] = (max(0.0, tokens - 1.0), at)
            self._buckets.move_to_end(client)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)

    def _tokens(self, client: str, now: float) -> float:
        """The client's tokens at ``now`` (full when unknown); caller holds the lock."""
        known = self._buckets.get(client)
        if known is None:
            return self.burst
        tokens, at = known
        # A clock that went back refills nothing (max 0), and never more than the burst.
        return min(self.burst, tokens + max(0.0, now - at) * self.per_second)
