"""What the bridge's link does with any input from the bus (no port: bytes fed directly)."""

from __future__ import annotations

import logging

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_panel.protocol import encode_frame, key_frame, login_frame
from counter_panel.serial_link import BusLink


def idle_link(delivered: list) -> BusLink:
    def no_port(url, baudrate):
        raise OSError("not opened in this test")

    return BusLink("test://", [2, 3], on_frame=delivered.append, open_port=no_port)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=90), max_size=8))
def test_random_bytes_never_crash_the_link_nor_reach_the_bridge(chunks):
    """Given random bytes arriving in random chunks, when the link reads them, then it
    never raises and hands the bridge only frames a box could have sent: from address 02
    or 03 with a valid checksum (random bytes essentially never are)."""
    delivered: list = []
    link = idle_link(delivered)
    logging.disable(logging.WARNING)
    try:
        for chunk in chunks:
            link._receive(chunk)
    finally:
        logging.disable(logging.NOTSET)
    assert all(frame.address in (2, 3) and frame.direction == "<" for frame in delivered)


def test_valid_frames_between_garbage_are_delivered_once_each(caplog):
    """Given garbage, a frame from box 02, the same frame again (a retry), a partial line
    completed in the next chunk, and a frame from unknown box 09, when read, then the bridge
    gets NEXT and LOGIN once each, and the log names each dropped line."""
    delivered: list = []
    link = idle_link(delivered)
    caplog.set_level(logging.WARNING, logger="counter_panel.serial_link")
    next_line = encode_frame(key_frame(2, 5, "NEXT"))
    login_line = encode_frame(login_frame(3, 1, "1234"))
    link._receive(b"\xfe\xfe noise\r\n" + next_line + next_line + login_line[:9])
    link._receive(login_line[9:] + encode_frame(key_frame(9, 1, "NEXT")) + b"*\r\n")
    assert [(f.address, f.args) for f in delivered] == [(2, ("NEXT",)), (3, ("1234",))]
    assert link.dropped_lines == 3
    messages = [record.getMessage() for record in caplog.records]
    assert any("not ASCII" in m for m in messages)
    assert any("unknown address 09" in m for m in messages)
    assert any("no start mark" in m for m in messages)
