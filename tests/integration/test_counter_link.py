"""The host side of the bus on a real pty (and pyserial's loop://), without MQTT."""

from __future__ import annotations

import os
import pty
import select
import time
import tty

from counter_panel.protocol import (
    SignCommand,
    Verb,
    decode_frame,
    encode_frame,
    key_frame,
)
from counter_panel.serial_link import MAX_RETRIES, BusLink
from counter_panel.simulator import SimulatedBus


def read_lines(master: int, seconds: float) -> list[bytes]:
    data, deadline = b"", time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([master], [], [], remaining)
        if ready:
            data += os.read(master, 4096)
    return [line for line in data.split(b"\r\n") if line]


def eventually(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_a_box_that_never_acknowledges_gets_the_sign_frame_retried_three_times():
    """Given a silent box on a pty (nothing answers), when the host sets its sign to A001,
    then the same frame (same seq) goes out once and is retried 3 times, then no more."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    link = BusLink(os.ttyname(slave), [2], on_frame=lambda frame: None, heartbeat_s=60)
    try:
        link.start()
        assert link.port_open.wait(5)
        read_lines(master, 0.3)  # the first heartbeat PING
        link.set_sign(2, SignCommand(Verb.SHOW, "A001"))
        frames = [decode_frame(line) for line in read_lines(master, 1.6)]
        shows = [f for f in frames if f.verb is Verb.SHOW]
        assert len(shows) == 1 + MAX_RETRIES
        assert {(f.address, f.seq, f.args) for f in shows} == {(2, shows[0].seq, ("A001",))}
    finally:
        link.close()
        os.close(master)
        os.close(slave)


def test_a_repeated_box_frame_is_acknowledged_twice_and_delivered_once():
    """Given a box whose ACK got lost, when it sends KEY NEXT twice with the same seq and
    then FINISH with the next seq, then the host acknowledges all three and hands over NEXT
    once and FINISH once."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    delivered = []
    link = BusLink(os.ttyname(slave), [2], on_frame=delivered.append, heartbeat_s=60)
    try:
        link.start()
        assert link.port_open.wait(5)
        for frame in (key_frame(2, 5, "NEXT"), key_frame(2, 5, "NEXT"), key_frame(2, 6, "FINISH")):
            os.write(master, encode_frame(frame))
        acks = [decode_frame(line) for line in read_lines(master, 0.5)]
        assert [(f.verb, f.seq) for f in acks if f.verb is Verb.ACK] == [
            (Verb.ACK, 5), (Verb.ACK, 5), (Verb.ACK, 6)]
        assert [f.args for f in delivered] == [("NEXT",), ("FINISH",)]
    finally:
        link.close()
        os.close(master)
        os.close(slave)


def test_the_heartbeat_notices_a_box_that_stops_and_restarts(tmp_path):
    """Given a simulated box answering the heartbeat, when it is unplugged, then the host
    reports it offline after three missed beats; plugged back, online again and its sign
    shows what the host last set."""
    presence = []
    with SimulatedBus([4], link=tmp_path / "bus") as box:
        link = BusLink(box.path, [4], on_frame=lambda f: None, heartbeat_s=0.2,
                       on_presence=lambda address, online: presence.append((address, online)))
        try:
            link.start()
            eventually(lambda: link.box_online(4))
            link.set_sign(4, SignCommand(Verb.SHOW, "C007"))
            box.wait_for(lambda v: (v.mode, v.text) == ("show", "C007"))
            box.unplug()
            eventually(lambda: not link.box_online(4), timeout=5)
            assert presence == [(4, True), (4, False)]
            box.boxes[4].view.mode = "clear"  # the box lost power: its sign is blank
            box.plug()
            eventually(lambda: link.box_online(4), timeout=8)
            box.wait_for(lambda v: (v.mode, v.text) == ("show", "C007"))
            assert presence == [(4, True), (4, False), (4, True)]
        finally:
            link.close()


def test_loop_transport_runs_and_ignores_its_own_echo():
    """Given the bus on pyserial's loop:// (everything written comes back), when the host
    sets a sign, then its own echoed frame is not taken for a box frame and nothing is
    delivered or dropped."""
    delivered = []
    link = BusLink("loop://", [2], on_frame=delivered.append, heartbeat_s=0.1)
    try:
        link.start()
        assert link.port_open.wait(5)
        link.set_sign(2, SignCommand(Verb.BLINK, "A001"))
        time.sleep(0.5)
        assert (delivered, link.dropped_lines, link.box_online(2)) == ([], 0, False)
    finally:
        link.close()


def test_a_missing_port_is_retried_until_it_appears(tmp_path):
    """Given a bridge pointed at a path where no port exists yet, when the simulated box
    appears there later, then the link opens it by itself and the box answers."""
    link_path = tmp_path / "later"
    link = BusLink(str(link_path), [5], on_frame=lambda f: None, heartbeat_s=0.2)
    try:
        link.start()
        time.sleep(0.5)
        assert not link.port_open.is_set()
        with SimulatedBus([5], link=link_path):
            eventually(lambda: link.box_online(5), timeout=8)
    finally:
        link.close()
