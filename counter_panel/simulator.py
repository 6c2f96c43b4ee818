"""Simulated button boxes, LED signs and rating pads on a pty: the box side of the bus.

:class:`SimulatedBus` opens a pseudo-terminal and plays every box at its addresses: it
sends key frames (retried under the same ``seq`` until the host acknowledges them, as
firmware does), acknowledges and applies the host's sign and pad frames, answers the
heartbeat, and shows the offline mark by itself when the host falls silent. The bridge
opens the pty's path (or the stable symlink ``link``) like any serial port, so the whole
chain runs without hardware. :meth:`SimulatedBus.unplug` and :meth:`~SimulatedBus.plug`
play a cable pulled and pushed back.

``motcua counter simulate`` drives it from the keyboard or a script (:func:`parse_script`):
``"LOGIN 1234; NEXT; wait 1; FINISH; RATE 3"``.
"""

from __future__ import annotations

import logging
import os
import pty
import select
import threading
import time
import tty
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from counter_panel.messages import text
from counter_panel.protocol import (
    BUTTON_KEYS,
    TO_HOST,
    Frame,
    FrameError,
    LineSplitter,
    Verb,
    ack_frame,
    decode_frame,
    encode_frame,
    key_frame,
    login_frame,
    next_seq,
    rate_frame,
)

log = logging.getLogger(__name__)

ACK_TIMEOUT_S = 0.2
MAX_RETRIES = 5
#: The box shows the offline mark itself when the host is silent this long (3 heartbeats).
HOST_SILENT_S = 6.0


@dataclass
class SignView:
    """What one simulated box shows: the sign's mode and text, and the rating pad."""

    mode: str = "clear"  # show, blink, clear, offline, refused
    text: str = ""
    pad_lit: bool = False
    changed_at: float = 0.0

    def describe(self, language: str = "vi") -> str:
        """One line (Vietnamese by default, ``en`` for English), as a person reads the sign."""
        if self.mode in ("show", "blink"):
            line = text(f"sign_{self.mode}", language, number=self.text)
        else:
            line = text(f"sign_{self.mode}", language)
        return line + (" · " + text("pad_on", language) if self.pad_lit else "")


@dataclass
class _Box:
    address: int
    seq: int = 0
    view: SignView = field(default_factory=SignView)
    last_host_seq: int | None = None
    pending: dict[int, tuple[bytes, float, int]] = field(default_factory=dict)


SignListener = Callable[[int, SignView], None]


class SimulatedBus:
    """Boxes at ``addresses`` on one pty; see the module docstring.

    ``on_sign(address, view)`` is called (on the reader thread) after every change of a
    sign or pad. :attr:`path` is what the bridge opens: ``link`` when given (a symlink kept
    pointing at the current pty), else the pty's own ``/dev/pts/N``.
    """

    def __init__(self, addresses: Iterable[int], *, link: Path | None = None,
                 on_sign: SignListener | None = None, host_silent_s: float = HOST_SILENT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.boxes = {a: _Box(a) for a in addresses}
        self.link = link
        self._on_sign = on_sign or (lambda address, view: None)
        self._host_silent_s = host_silent_s
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._master: int | None = None
        self._slave: int | None = None
        self._pty_name = ""
        self._splitter = LineSplitter()
        self._last_host_frame = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.history: dict[int, list[SignView]] = {a: [] for a in self.boxes}
        self.received: list[Frame] = []

    @property
    def path(self) -> str:
        return str(self.link) if self.link is not None else self._pty_name

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SimulatedBus:
        self.plug()
        self._thread = threading.Thread(target=self._run, name="simulated-bus", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.unplug()
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()

    def __enter__(self) -> SimulatedBus:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def plug(self) -> None:
        """Open a fresh pty (a cable pushed in), point ``link`` at it, say HELLO."""
        master, slave = pty.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: bytes pass as the bus sends them
        with self._lock:
            self._master, self._slave = master, slave
            self._pty_name = os.ttyname(slave)
            self._splitter = LineSplitter()
            self._last_host_frame = self._clock()
        if self.link is not None:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.link.with_name(self.link.name + ".new")
            if temporary.is_symlink() or temporary.exists():
                temporary.unlink()
            temporary.symlink_to(self._pty_name)
            temporary.replace(self.link)  # atomic: the bridge never sees the link missing
        for address in self.boxes:
            self._send_tracked(address, lambda seq, a=address: Frame(TO_HOST, a, seq, Verb.HELLO))

    def unplug(self) -> None:
        """Close the pty (a cable pulled out): the bridge's reads and writes fail."""
        with self._lock:
            master, slave = self._master, self._slave
            self._master = self._slave = None
        for fd in (master, slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass

    # ------------------------------------------------------------ the boxes' keys

    def press(self, key: str, argument: str | None = None, *, address: int | None = None
              ) -> Frame:
        """Press a key on the box at ``address`` (the first box by default): a button
        (``NEXT``, ``TRANSFER`` with ``"3"``), ``LOGIN`` with a code or ``RATE`` with a score."""
        address = address if address is not None else min(self.boxes)
        if key == "LOGIN":
            build = lambda seq: login_frame(address, seq, argument or "")  # noqa: E731
        elif key == "RATE":
            build = lambda seq: rate_frame(address, seq, int(argument or "0"))  # noqa: E731
        else:
            target = int(argument) if argument is not None else None
            build = lambda seq: key_frame(address, seq, key, target)  # noqa: E731
        return self._send_tracked(address, build)

    def send_raw(self, data: bytes) -> None:
        """Write ``data`` as is (garbage, a bad checksum, another box's frame...)."""
        self._write(data)

    def _send_tracked(self, address: int, build: Callable[[int], Frame]) -> Frame:
        with self._lock:
            box = self.boxes[address]
            box.seq = next_seq(box.seq)
            frame = build(box.seq)
            data = encode_frame(frame)
            box.pending[frame.seq] = (data, self._clock(), 0)
        self._write(data)
        return frame

    # ------------------------------------------------------------ what the signs show

    def view(self, address: int | None = None) -> SignView:
        address = address if address is not None else min(self.boxes)
        with self._lock:
            return SignView(**vars(self.boxes[address].view))

    def wait_for(self, check: Callable[[SignView], bool], *, address: int | None = None,
                 timeout: float = 5.0) -> SignView:
        """Wait until the sign at ``address`` satisfies ``check``; return what it shows.

        Raises:
            TimeoutError: with what the sign shows, when ``timeout`` passed first.
        """
        address = address if address is not None else min(self.boxes)
        deadline = time.monotonic() + timeout
        with self._changed:
            while not check(self.boxes[address].view):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"box {address:02d} shows "
                                       f"{self.boxes[address].view.describe()!r}")
                self._changed.wait(min(remaining, 0.1))
            return SignView(**vars(self.boxes[address].view))

    # ------------------------------------------------------------ reader thread

    def _write(self, data: bytes) -> None:
        with self._lock:
            master = self._master
        if master is None:
            return  # unplugged: the firmware retries
        try:
            os.write(master, data)
        except OSError as error:
            log.debug("simulated bus: write failed: %s", error)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                master = self._master
            if master is None:
                self._stop.wait(0.05)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.02)
                data = os.read(master, 4096) if ready else b""
            except (OSError, ValueError):
                self._stop.wait(0.05)  # unplugged under our feet
                continue
            if data:
                lines, _ = self._splitter.feed(data)
                for line in lines:
                    self._from_host(line)
            self._tick()

    def _from_host(self, line: bytes) -> None:
        try:
            frame = decode_frame(line)
        except FrameError as error:
            log.debug("simulated box: ignored %r: %s", line[:80], error)
            return
        if frame.direction == TO_HOST or frame.address not in self.boxes:
            return
        with self._lock:
            self._last_host_frame = self._clock()
            box = self.boxes[frame.address]
            self.received.append(frame)
            if frame.verb is Verb.ACK:
                box.pending.pop(frame.seq, None)
                self._host_back(box)
                return
        self._write(encode_frame(ack_frame(TO_HOST, frame.address, frame.seq)))
        with self._lock:
            if box.last_host_seq == frame.seq:
                return  # a repeat: acknowledged again, applied once
            box.last_host_seq = frame.seq
            self._host_back(box)
            self._apply(box, frame)

    def _host_back(self, box: _Box) -> None:
        if box.view.mode == "offline" and box.view.text == "host-silent":
            self._set(box, mode="clear", text="")

    def _apply(self, box: _Box, frame: Frame) -> None:
        verb = frame.verb
        if verb in (Verb.SHOW, Verb.BLINK):
            self._set(box, mode=verb.value.lower(), text=frame.args[0])
        elif verb in (Verb.CLEAR, Verb.OFFLINE, Verb.REFUSED):
            self._set(box, mode=verb.value.lower(), text="")
        elif verb is Verb.PAD:
            self._set(box, pad_lit=frame.args[0] == "ON")

    def _set(self, box: _Box, **changes: object) -> None:
        view = SignView(**{**vars(box.view), **changes, "changed_at": self._clock()})
        if (view.mode, view.text, view.pad_lit) == (box.view.mode, box.view.text,
                                                    box.view.pad_lit):
            return
        box.view = view
        self.history[box.address].append(view)
        self._changed.notify_all()
        try:
            self._on_sign(box.address, view)
        except Exception:
            log.exception("simulated bus: sign listener failed")

    def _tick(self) -> None:
        now = self._clock()
        resend: list[bytes] = []
        with self._lock:
            for box in self.boxes.values():
                for seq, (data, sent_at, tries) in list(box.pending.items()):
                    if now - sent_at < ACK_TIMEOUT_S:
                        continue
                    if tries >= MAX_RETRIES:
                        del box.pending[seq]
                        continue
                    box.pending[seq] = (data, now, tries + 1)
                    resend.append(data)
            if now - self._last_host_frame > self._host_silent_s:
                for box in self.boxes.values():
                    if box.view.mode != "offline":
                        self._set(box, mode="offline", text="host-silent")
        for data in resend:
            self._write(data)


# --------------------------------------------------------------------------- scripts


@dataclass(frozen=True)
class Step:
    """One step of a script: press a key (with its argument) on a box, or wait."""

    key: str
    argument: str | None = None
    address: int | None = None
    wait_s: float = 0.0


def parse_script(text: str) -> list[Step]:
    """Parse ``"LOGIN 1234; NEXT; wait 1; @3 TRANSFER 2"`` (``;`` or newlines between
    steps, ``#`` starts a comment).

    Raises:
        ValueError: naming the step that is not a key, a login, a rating or a wait.
    """
    steps: list[Step] = []
    for raw in text.replace("\n", ";").split(";"):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        step = " ".join(words)
        address = None
        if words[0].startswith("@"):
            if not words[0][1:].isdigit():
                raise ValueError(f"bad address in {step!r}")
            address = int(words[0][1:])
            words = words[1:]
        if not words:
            raise ValueError(f"no key in {step!r}")
        key = words[0].upper()
        args = words[1:]
        if key == "WAIT" and len(args) == 1:
            try:
                steps.append(Step("WAIT", wait_s=float(args[0])))
            except ValueError:
                raise ValueError(f"bad wait in {step!r}") from None
            continue
        needs_argument = key in ("TRANSFER", "LOGIN", "RATE")
        if key not in (*BUTTON_KEYS, "LOGIN", "RATE") or len(args) != int(needs_argument):
            raise ValueError(f"unknown step {step!r}")
        steps.append(Step(key, args[0] if args else None, address))
    return steps


def run_script(bus: SimulatedBus, steps: Iterable[Step],
               sleep: Callable[[float], None] = time.sleep) -> None:
    """Play ``steps`` on ``bus``; a step the protocol refuses is logged and skipped."""
    for step in steps:
        if step.key == "WAIT":
            sleep(step.wait_s)
            continue
        try:
            bus.press(step.key, step.argument, address=step.address)
        except (FrameError, ValueError, KeyError) as error:
            log.warning("simulated box: step %s %s refused: %s", step.key,
                        step.argument or "", error)
