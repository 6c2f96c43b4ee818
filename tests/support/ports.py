"""Free TCP ports for servers the tests start themselves."""

from __future__ import annotations

import socket


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free when this function returned.

    The port is released before returning, so another process may take it in between;
    callers that start a server on it should retry with a new port if binding fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
