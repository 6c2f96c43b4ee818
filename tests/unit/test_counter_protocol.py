"""The counter bus protocol: exact bytes, every refusal, and fuzzed garbage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_panel.protocol import (
    BUTTON_KEYS,
    MAX_LINE_BYTES,
    SIGN_CLEAR,
    SIGN_OFFLINE,
    SIGN_REFUSED,
    TO_BOX,
    TO_HOST,
    Frame,
    FrameError,
    LineSplitter,
    SignCommand,
    Verb,
    ack_frame,
    checksum,
    decode_frame,
    encode_frame,
    key_frame,
    login_frame,
    next_seq,
    rate_frame,
)


@pytest.mark.parametrize(("frame", "wire"), [
    (key_frame(2, 5, "NEXT"), b"<02 005 KEY NEXT*47\r\n"),
    (key_frame(2, 6, "TRANSFER", 3), b"<02 006 KEY TRANSFER 3*5B\r\n"),
    (key_frame(12, 999, "NOSHOW"), b"<12 999 KEY NOSHOW*4F\r\n"),
    (login_frame(2, 7, "1234"), b"<02 007 LOGIN 1234*52\r\n"),
    (rate_frame(2, 8, 3), b"<02 008 RATE 3*2B\r\n"),
    (Frame(TO_HOST, 2, 0, Verb.HELLO), b"<02 000 HELLO*70\r\n"),
    (ack_frame(TO_HOST, 2, 17), b"<02 017 ACK*7D\r\n"),
    (SignCommand(Verb.SHOW, "A001").frame(2, 17), b">02 017 SHOW A001*67\r\n"),
    (SignCommand(Verb.BLINK, "AB1234").frame(99, 1), b">99 001 BLINK AB1234*54\r\n"),
    (SIGN_CLEAR.frame(2, 18), b">02 018 CLEAR*62\r\n"),
    (SIGN_OFFLINE.frame(2, 19), b">02 019 OFFLINE*7B\r\n"),
    (SIGN_REFUSED.frame(2, 20), b">02 020 REFUSED*66\r\n"),
    (Frame(TO_BOX, 2, 21, Verb.PAD, ("ON",)), b">02 021 PAD ON*45\r\n"),
    (Frame(TO_BOX, 2, 22, Verb.PING), b">02 022 PING*22\r\n"),
    (ack_frame(TO_BOX, 2, 5), b">02 005 ACK*7E\r\n"),
])
def test_frames_have_exact_bytes_and_decode_back(frame, wire):
    """Given a frame, when it is encoded, then the bytes are exactly the documented line
    (XOR checksum in upper-case hex, CR LF) and decoding them gives the same frame."""
    assert encode_frame(frame) == wire
    assert decode_frame(wire) == frame
    assert decode_frame(wire.rstrip(b"\r\n")) == frame


def test_the_checksum_is_the_xor_of_the_body_bytes():
    """Given the body of a frame, when its checksum is computed, then it is the XOR of its
    bytes as two upper-case hex digits (as in NMEA 0183)."""
    body = b"02 005 KEY NEXT"
    value = 0
    for byte in body:
        value ^= byte
    assert checksum(body) == f"{value:02X}" == "47"
    assert checksum(b"") == "00"


@pytest.mark.parametrize(("line", "reason"), [
    (b"", "no start mark"),
    (b"02 005 KEY NEXT*47", "no start mark"),
    (b"<02 005 KEY NEXT", "no checksum"),
    (b"<02 005 KEY NEXT*48", "bad checksum '48', expected 47"),
    (b"<02 005 KEY NEXT*47x", "bad checksum '47x', expected 47"),
    (b"<02 005 KEY NEXT*47".lower(), "bad checksum"),
    (b"<2 005 KEY NEXT*" + checksum(b"2 005 KEY NEXT").encode(), "bad header"),
    (b"<02 005  KEY NEXT*" + checksum(b"02 005  KEY NEXT").encode(), "bad header"),
    (b"<02 005 JUMP*" + checksum(b"02 005 JUMP").encode(), "unknown verb 'JUMP'"),
    (b"<02 005 KEY DANCE*" + checksum(b"02 005 KEY DANCE").encode(), "KEY takes one of"),
    (b"<02 005 KEY NEXT 3*" + checksum(b"02 005 KEY NEXT 3").encode(), "NEXT alone"),
    (b"<02 005 KEY TRANSFER 0*" + checksum(b"02 005 KEY TRANSFER 0").encode(), "TRANSFER"),
    (b"<02 005 KEY TRANSFER 03*" + checksum(b"02 005 KEY TRANSFER 03").encode(), "TRANSFER"),
    (b"<02 005 LOGIN 12*" + checksum(b"02 005 LOGIN 12").encode(), "4-8 digit code"),
    (b"<02 005 RATE 4*" + checksum(b"02 005 RATE 4").encode(), "1, 2 or 3"),
    (b"<00 005 KEY NEXT*" + checksum(b"00 005 KEY NEXT").encode(), "address must be 1-99"),
    (b"<02 005 SHOW A001*" + checksum(b"02 005 SHOW A001").encode(), "SHOW is not sent in"),
    (b">02 005 KEY NEXT*47", "KEY is not sent in direction >"),
    (b">02 005 SHOW a001*" + checksum(b"02 005 SHOW a001").encode(), "1-6 letters"),
    (b"<02 005 KEY N\xc3\x8aXT*00", "not ASCII"),
    (b"<02 005 KEY\tNEXT*" + checksum(b"02 005 KEY\tNEXT").encode(), "bad characters"),
    (b"<" + b"0" * MAX_LINE_BYTES, "overlong line (65 bytes)"),
])
def test_bad_lines_are_refused_with_the_reason(line, reason):
    """Given a line that breaks one rule, when it is decoded, then FrameError names why."""
    with pytest.raises(FrameError) as refused:
        decode_frame(line)
    assert reason in str(refused.value)


def test_the_sequence_number_wraps_at_1000():
    """Given the last sequence number 999, when the next is taken, then it is 000."""
    assert (next_seq(998), next_seq(999)) == (999, 0)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=120))
def test_any_bytes_decode_to_a_frame_or_a_frame_error(data):
    """Given any bytes at all, when decoded, then the result is a valid frame that encodes
    back to the same line, or a FrameError: never another exception."""
    try:
        frame = decode_frame(data)
    except FrameError:
        return
    assert encode_frame(frame).rstrip(b"\r\n") == data.rstrip(b"\r\n")


valid_frames = st.one_of(
    st.builds(key_frame, st.integers(1, 99), st.integers(0, 999),
              st.sampled_from([k for k in BUTTON_KEYS if k != "TRANSFER"])),
    st.builds(lambda a, s, t: key_frame(a, s, "TRANSFER", t), st.integers(1, 99),
              st.integers(0, 999), st.integers(1, 999)),
    st.builds(login_frame, st.integers(1, 99), st.integers(0, 999),
              st.from_regex(r"[0-9]{4,8}", fullmatch=True)),
    st.builds(rate_frame, st.integers(1, 99), st.integers(0, 999), st.sampled_from([1, 2, 3])),
    st.builds(lambda a, s, t: SignCommand(Verb.BLINK, t).frame(a, s), st.integers(1, 99),
              st.integers(0, 999), st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True)),
)


@settings(max_examples=300, deadline=None)
@given(valid_frames)
def test_every_valid_frame_round_trips(frame):
    """Given any valid frame, when encoded and decoded, then it is the same frame and the
    line fits the 64-byte limit."""
    wire = encode_frame(frame)
    assert len(wire) <= MAX_LINE_BYTES
    assert decode_frame(wire) == frame


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(valid_frames.map(lambda f: ("frame", f)),
                          st.binary(max_size=150).filter(lambda b: b"\n" not in b)
                          .map(lambda b: ("garbage", b))), max_size=12),
       st.integers(1, 17))
def test_valid_frames_survive_garbage_and_any_chunking(items, chunk):
    """Given valid frames mixed with garbage lines (some overlong), when the stream arrives
    in chunks of any size, then every valid frame is decoded, in order, and no garbage line
    ever decodes as a frame."""
    stream = b"".join(encode_frame(v) if kind == "frame" else v + b"\r\n" for kind, v in items)
    splitter = LineSplitter()
    decoded = []
    for start in range(0, len(stream), chunk):
        lines, _ = splitter.feed(stream[start:start + chunk])
        for line in lines:
            try:
                decoded.append(decode_frame(line))
            except FrameError:
                pass
    expected = [v for kind, v in items if kind == "frame"]
    garbage_frames = []
    for kind, value in items:
        if kind == "garbage":
            try:
                garbage_frames.append(decode_frame(value))
            except FrameError:
                pass
    assert [f for f in decoded if f not in garbage_frames] == [
        f for f in expected if f not in garbage_frames]


def test_an_overlong_line_is_dropped_whole_even_across_chunks():
    """Given a line of 100 bytes arriving in two chunks, then a valid frame, when fed, then
    the overlong line is dropped once (its tail is not read as a line) and the frame is
    returned."""
    splitter = LineSplitter()
    assert splitter.feed(b"<" + b"9" * 70) == ([], 1)
    tail_and_frame = b"9" * 29 + b"\r\n" + encode_frame(key_frame(2, 5, "NEXT"))
    assert splitter.feed(tail_and_frame) == ([b"<02 005 KEY NEXT*47"], 0)
    assert splitter.pending == 0
