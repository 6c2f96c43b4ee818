"""Free TCP ports for servers the tests start themselves.

A port handed out here is bound by a server only a moment later, by this process or a
child. Two things could take it in between, and both did once the suite ran on several
workers: another worker picking the same port, and the kernel giving it to an outgoing
connection as its local port (an MQTT client, a PostgreSQL session). So ports come from
below the kernel's ephemeral range, which outgoing connections never use, and each
pytest-xdist worker has a slice of that range of its own, walked in order.
"""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path

#: Lowest port handed out: above the well-known and the usual registered services.
FIRST_PORT = 20_000
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when unknown)."""
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def worker_slice(worker: str | None, workers: str | None, low: int) -> range:
    """The ports of pytest-xdist worker ``worker`` (``gw0``, ``gw1``…) out of ``workers``
    between :data:`FIRST_PORT` and ``low``; the whole span outside xdist. Empty when the
    ephemeral range leaves no room below it."""
    index = int(worker[2:]) if worker and worker.startswith("gw") and worker[2:].isdigit() else 0
    count = max(int(workers), 1) if workers and workers.isdigit() else 1
    span = max(low - FIRST_PORT, 0) // count
    start = FIRST_PORT + min(index, count - 1) * span
    return range(start, start + span)


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_SLICE = worker_slice(os.environ.get("PYTEST_XDIST_WORKER"),
                      os.environ.get("PYTEST_XDIST_WORKER_COUNT"), ephemeral_low())
# Each process starts at its own place in the slice: a child of a test (a bench run by
# its smoke test) inherits the worker's slice, not the ports its parent handed out.
_NEXT = (itertools.islice(itertools.cycle(_SLICE), os.getpid() * 61 % len(_SLICE), None)
         if len(_SLICE) else None)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free when this function returned, from
    this worker's slice (see above), or from the kernel when there is no slice.

    The port is released before returning; only a program outside the suite could take
    it in between, and callers that start a server on it may retry with a new port."""
    if _NEXT is not None:
        for _ in range(len(_SLICE)):
            port = next(_NEXT)
            if _bindable(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
