"""The tests' own free ports (tests/support/ports.py)."""

from __future__ import annotations

import socket

from tests.support import ports


def test_each_worker_has_its_own_slice_below_the_ephemeral_range() -> None:
    """Given the kernel's ephemeral range starting at 32768 and two xdist workers, then
    gw0 and gw1 get the two halves of 20000..32767, apart and below the range; a run
    without xdist gets all of it; a range starting below 20000 leaves no slice."""
    gw0 = ports.worker_slice("gw0", "2", 32_768)
    gw1 = ports.worker_slice("gw1", "2", 32_768)
    assert (gw0.start, gw0.stop) == (20_000, 26_384)
    assert (gw1.start, gw1.stop) == (26_384, 32_768)
    assert ports.worker_slice(None, None, 32_768) == range(20_000, 32_768)
    assert len(ports.worker_slice("gw0", "2", 10_000)) == 0


def test_free_ports_come_from_this_processs_slice_and_a_listened_port_is_not_free() -> None:
    """Given this process's slice, then 50 free_port() calls give 50 different ports of
    it; a port with a listening socket on it is not bindable, so never given."""
    given = [ports.free_port() for _ in range(50)]
    assert len(set(given)) == 50
    assert all(port in ports._SLICE for port in given)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", given[0]))
        listener.listen()
        assert not ports._bindable(given[0])
    finally:
        listener.close()
