"""The counter bus protocol: line-based ASCII frames for button boxes, LED signs and
rating pads on one RS-485 multi-drop bus (one address per counter).

Pure: no I/O, no clock. ``docs/counter-protocol.md`` is the reference for firmware
authors; this module is the one implementation of it, for the bridge and the simulator.

A frame is one line::

    >02 017 SHOW A001*67\\r\\n
    │└┬┘ └┬┘ └──┬───┘ └┬┘
    │ │   │     │      └ checksum: XOR of every byte between the start mark and '*',
    │ │   │     │        two upper-case hex digits (as in NMEA 0183)
    │ │   │     └ verb and arguments, single spaces
    │ │   └ sequence number 000-999 of the sender (an ACK carries the acked one)
    │ └ address of the box 01-99
    └ direction: '>' host to box, '<' box to host

Every box hears every frame on the bus: the direction mark lets a box ignore the other
boxes' frames without parsing them, and the host ignore its own echo.

The promise of :func:`decode_frame`: any byte string either decodes into a valid
:class:`Frame` or raises :class:`FrameError` naming why; it never raises anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

TO_BOX = ">"
TO_HOST = "<"
MAX_ADDRESS = 99
SEQ_MODULO = 1000
#: Longest line, CR LF included. Longer input is an overlong line and is dropped whole.
MAX_LINE_BYTES = 64
LINE_END = b"\r\n"

#: Keys of the button box, as sent in ``KEY`` frames.
BUTTON_KEYS = ("NEXT", "RECALL", "START", "FINISH", "NOSHOW", "HOLD", "TRANSFER", "PAUSE",
               "CLOSE")
#: Rating pad scores (the contract's ``rate`` ``score`` on its 3-level scale).
VERY_SATISFIED, SATISFIED, UNSATISFIED = 3, 2, 1
RATING_SCORES = (VERY_SATISFIED, SATISFIED, UNSATISFIED)
MAX_TRANSFER_TARGET = 999
LOGIN_CODE = re.compile(r"[0-9]{4,8}")
#: What a sign can show: a ticket number (``A001``, ``AB1234``).
SIGN_TEXT = re.compile(r"[A-Z0-9]{1,6}")

_BODY_CHARS = re.compile(r"[\x20-\x7e]+")
_HEADER = re.compile(r"(?P<address>[0-9]{2}) (?P<seq>[0-9]{3}) (?P<verb>[A-Z]+)(?P<args>( [^ ]+)*)")


class FrameError(ValueError):
    """A line that is not a valid frame; ``str()`` says why (for the log line)."""


class Verb(str, Enum):
    """Every verb of the protocol and who sends it."""

    # box -> host
    KEY = "KEY"          # KEY <button> [target]: a button of the box
    LOGIN = "LOGIN"      # LOGIN <4-8 digits>: a clerk's login code typed on the box
    RATE = "RATE"        # RATE <1|2|3>: a rating pad key (3 rất hài lòng ... 1 không hài lòng)
    HELLO = "HELLO"      # HELLO: the box (re)started; the host resends the sign
    # host -> box
    SHOW = "SHOW"        # SHOW <number>: show a number, steady
    BLINK = "BLINK"      # BLINK <number>: show a number, blinking (just called)
    CLEAR = "CLEAR"      # CLEAR: blank sign
    OFFLINE = "OFFLINE"  # OFFLINE: the offline mark (hub or broker unreachable)
    REFUSED = "REFUSED"  # REFUSED: the refused mark for a moment (the press did nothing)
    PAD = "PAD"          # PAD <ON|OFF>: light or darken the rating pad
    PING = "PING"        # PING: heartbeat; the box answers ACK
    # both
    ACK = "ACK"          # ACK: the frame with this seq arrived (and was acted on once)


BOX_VERBS = frozenset({Verb.KEY, Verb.LOGIN, Verb.RATE, Verb.HELLO, Verb.ACK})
HOST_VERBS = frozenset({Verb.SHOW, Verb.BLINK, Verb.CLEAR, Verb.OFFLINE, Verb.REFUSED, Verb.PAD,
                        Verb.PING, Verb.ACK})


@dataclass(frozen=True)
class Frame:
    """One frame: direction, box address, sender's sequence number, verb and arguments.

    Construction validates everything, so a Frame in hand always encodes to a valid line.
    """

    direction: str
    address: int
    seq: int
    verb: Verb
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.direction not in (TO_BOX, TO_HOST):
            raise FrameError(f"direction must be {TO_BOX!r} or {TO_HOST!r}")
        if type(self.address) is not int or not 1 <= self.address <= MAX_ADDRESS:
            raise FrameError(f"address must be 1-{MAX_ADDRESS}, got {self.address!r}")
        if type(self.seq) is not int or not 0 <= self.seq < SEQ_MODULO:
            raise FrameError(f"seq must be 0-{SEQ_MODULO - 1}, got {self.seq!r}")
        try:
            verb = Verb(self.verb)
        except ValueError:
            raise FrameError(f"unknown verb {self.verb!r}") from None
        object.__setattr__(self, "verb", verb)
        allowed = HOST_VERBS if self.direction == TO_BOX else BOX_VERBS
        if verb not in allowed:
            raise FrameError(f"{verb.value} is not sent in direction {self.direction}")
        _check_args(verb, self.args)

    @property
    def body(self) -> str:
        return " ".join((f"{self.address:02d}", f"{self.seq:03d}", self.verb.value, *self.args))


def _check_args(verb: Verb, args: tuple[str, ...]) -> None:
    def fail(expected: str) -> None:
        raise FrameError(f"{verb.value} takes {expected}, got {' '.join(args) or 'nothing'}")

    if verb is Verb.KEY:
        if not args or args[0] not in BUTTON_KEYS:
            fail(f"one of {', '.join(BUTTON_KEYS)}")
        if args[0] == "TRANSFER":
            if len(args) != 2 or not _canonical_int(args[1], 1, MAX_TRANSFER_TARGET):
                fail("TRANSFER and a counter number 1-999")
        elif len(args) != 1:
            fail(f"{args[0]} alone")
    elif verb is Verb.LOGIN:
        if len(args) != 1 or not LOGIN_CODE.fullmatch(args[0]):
            fail("a 4-8 digit code")
    elif verb is Verb.RATE:
        if len(args) != 1 or args[0] not in {str(s) for s in RATING_SCORES}:
            fail("1, 2 or 3")
    elif verb in (Verb.SHOW, Verb.BLINK):
        if len(args) != 1 or not SIGN_TEXT.fullmatch(args[0]):
            fail("a number of 1-6 letters and digits")
    elif verb is Verb.PAD:
        if args not in (("ON",), ("OFF",)):
            fail("ON or OFF")
    elif args:
        fail("no argument")


def _canonical_int(text: str, low: int, high: int) -> bool:
    return text.isdigit() and text.isascii() and not text.startswith("0") and low <= int(text) <= high


def checksum(body: bytes) -> str:
    """XOR of ``body``'s bytes as two upper-case hex digits."""
    value = 0
    for byte in body:
        value ^= byte
    return f"{value:02X}"


def encode_frame(frame: Frame) -> bytes:
    """The exact bytes of ``frame`` on the wire, CR LF included."""
    body = frame.body.encode("ascii")
    line = frame.direction.encode("ascii") + body + b"*" + checksum(body).encode("ascii") + LINE_END
    if len(line) > MAX_LINE_BYTES:  # cannot happen with validated args; kept as a promise
        raise FrameError(f"frame longer than {MAX_LINE_BYTES} bytes")
    return line


def decode_frame(line: bytes) -> Frame:
    """Decode one line (with or without its CR LF) into a :class:`Frame`.

    Raises:
        FrameError: overlong, not ASCII, no start mark, bad checksum, bad header, unknown
            verb, a verb of the other direction, bad arguments.
    """
    if len(line) > MAX_LINE_BYTES:
        raise FrameError(f"overlong line ({len(line)} bytes)")
    line = line.rstrip(b"\r\n")
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        raise FrameError("not ASCII") from None
    if not text or text[0] not in (TO_BOX, TO_HOST):
        raise FrameError("no start mark")
    body, star, given = text[1:].rpartition("*")
    if not star:
        raise FrameError("no checksum")
    if not body or not _BODY_CHARS.fullmatch(body) or "*" in body:
        raise FrameError("bad characters in the body")
    if given != checksum(body.encode("ascii")):
        raise FrameError(f"bad checksum {given!r}, expected {checksum(body.encode('ascii'))}")
    match = _HEADER.fullmatch(body)
    if match is None:
        raise FrameError("bad header (want 'AA SSS VERB [ARGS]')")
    try:
        verb = Verb(match["verb"])
    except ValueError:
        raise FrameError(f"unknown verb {match['verb']!r}") from None
    args = tuple(match["args"].split())
    return Frame(text[0], int(match["address"]), int(match["seq"]), verb, args)


class LineSplitter:
    """Cuts a byte stream into lines; drops overlong lines whole.

    ``feed(data)`` returns the complete lines now available (CR LF stripped) and whether
    input was dropped: a line that grows past :data:`MAX_LINE_BYTES` without its newline
    is discarded up to and including the next newline, so its tail is never read as a
    frame of its own.
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self._max_line = max_line
        self._buffer = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> tuple[list[bytes], int]:
        """Return (complete lines, number of overlong lines dropped in this call)."""
        lines: list[bytes] = []
        dropped = 0
        start = 0
        while True:
            newline = data.find(b"\n", start)
            chunk = data[start:] if newline < 0 else data[start:newline]
            if self._discarding:
                if newline >= 0:
                    self._discarding = False
            else:
                self._buffer += chunk
                if len(self._buffer) > self._max_line:
                    self._buffer.clear()
                    dropped += 1
                    self._discarding = newline < 0
                elif newline >= 0:
                    line = bytes(self._buffer).rstrip(b"\r")
                    self._buffer.clear()
                    if line:
                        lines.append(line)
            if newline < 0:
                return lines, dropped
            start = newline + 1

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line kept for the next ``feed``."""
        return len(self._buffer)


# --------------------------------------------------------------------------- frame builders


def key_frame(address: int, seq: int, key: str, target: int | None = None) -> Frame:
    args = (key,) if target is None else (key, str(target))
    return Frame(TO_HOST, address, seq, Verb.KEY, args)


def login_frame(address: int, seq: int, code: str) -> Frame:
    return Frame(TO_HOST, address, seq, Verb.LOGIN, (code,))


def rate_frame(address: int, seq: int, score: int) -> Frame:
    return Frame(TO_HOST, address, seq, Verb.RATE, (str(score),))


def ack_frame(direction: str, address: int, seq: int) -> Frame:
    return Frame(direction, address, seq, Verb.ACK)


@dataclass(frozen=True)
class SignCommand:
    """What a sign should show: a verb (SHOW, BLINK, CLEAR, OFFLINE, REFUSED) and its text."""

    verb: Verb
    text: str | None = None

    def __post_init__(self) -> None:
        if self.verb in (Verb.SHOW, Verb.BLINK) and not SIGN_TEXT.fullmatch(self.text or ""):
            raise FrameError(f"a sign cannot show {self.text!r}")

    def frame(self, address: int, seq: int) -> Frame:
        return Frame(TO_BOX, address, seq, self.verb, (self.text,) if self.text else ())


SIGN_CLEAR = SignCommand(Verb.CLEAR)
SIGN_OFFLINE = SignCommand(Verb.OFFLINE)
SIGN_REFUSED = SignCommand(Verb.REFUSED)


def next_seq(seq: int) -> int:
    return (seq + 1) % SEQ_MODULO
