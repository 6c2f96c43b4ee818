"""The host side of one counter bus: the serial port, acknowledgements, retries, heartbeat.

:class:`BusLink` opens the port with pyserial's ``serial_for_url`` (so ``loop://``, a pty
path, ``/dev/ttyUSB0`` or ``/dev/serial/by-id/...`` all work), and keeps it open: an
unplugged adapter (``SerialException`` on read or write) is closed and reopened with
backoff, and every box gets its sign again once it is back. Its promises:

* every frame a box sends is acknowledged, and delivered to ``on_frame`` **once** even
  when the box repeats it because an ACK was lost (same ``seq``);
* a line that is garbage, overlong, badly checksummed or from an unknown address is
  dropped with a log line; nothing else happens;
* what the host wants a sign (or rating pad) to show is sent again until the box
  acknowledges it, superseded by anything newer, and sent again when the box restarts
  (``HELLO``), comes back after missed heartbeats, or the port is reopened.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from counter_panel.protocol import (
    TO_BOX,
    Frame,
    FrameError,
    LineSplitter,
    SignCommand,
    Verb,
    ack_frame,
    decode_frame,
    encode_frame,
    next_seq,
)

log = logging.getLogger(__name__)

#: How long a box has to acknowledge a frame before it is sent again, and how often.
ACK_TIMEOUT_S = 0.25
MAX_RETRIES = 3
#: A PING to every box this often; a box silent for MISSED_BEATS of them is offline.
HEARTBEAT_S = 2.0
MISSED_BEATS = 3
#: Reopen backoff after an unplug or a missing port: doubles up to the maximum.
REOPEN_MIN_S = 0.2
REOPEN_MAX_S = 5.0
#: How long one read waits for data: also the tick of retries and heartbeats.
READ_TIMEOUT_S = 0.02

FrameHandler = Callable[[Frame], None]
PresenceHandler = Callable[[int, bool], None]


def _open_serial(url: str, baudrate: int):
    import serial  # pyserial: a dependency of motcua; imported here to keep tests light

    return serial.serial_for_url(url, baudrate=baudrate, timeout=READ_TIMEOUT_S,
                                 write_timeout=1.0)


@dataclass
class _Outgoing:
    frame: Frame
    sent_at: float
    tries: int


class BusLink:
    """One serial bus with the boxes at ``addresses``; see the module docstring.

    ``on_frame(frame)`` gets KEY, LOGIN and RATE frames (once each), on the link's thread;
    ``on_presence(address, online)`` is told when a box starts or stops answering.
    """

    def __init__(self, url: str, addresses: Iterable[int], *, on_frame: FrameHandler,
                 on_presence: PresenceHandler | None = None, baudrate: int = 9600,
                 heartbeat_s: float = HEARTBEAT_S, ack_timeout_s: float = ACK_TIMEOUT_S,
                 open_port: Callable[[str, int], object] = _open_serial,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.addresses = frozenset(addresses)
        self._on_frame = on_frame
        self._on_presence = on_presence or (lambda address, online: None)
        self._baudrate = baudrate
        self._heartbeat_s = heartbeat_s
        self._ack_timeout_s = ack_timeout_s
        self._open_port = open_port
        self._clock = clock
        self._lock = threading.RLock()
        self._port = None
        self._splitter = LineSplitter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seq = {a: 0 for a in self.addresses}
        self._last_box_seq: dict[int, int] = {}
        self._last_heard: dict[int, float] = {}
        self._online: dict[int, bool] = {a: False for a in self.addresses}
        self._last_ping: dict[int, float] = {}
        #: What each box should show, kept to send again after a restart or an unplug.
        self._wanted: dict[int, dict[str, Frame]] = {a: {} for a in self.addresses}
        self._outgoing: dict[tuple[int, str], _Outgoing] = {}
        self.port_open = threading.Event()
        self.dropped_lines = 0

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"counter-bus {self.url}",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._close_port()

    # ------------------------------------------------------------ what the host sends

    def set_sign(self, address: int, command: SignCommand) -> None:
        """Make the sign at ``address`` show ``command`` (sent now, retried until acked)."""
        self._want(address, "sign", lambda seq: command.frame(address, seq))

    def flash_sign(self, address: int, command: SignCommand) -> None:
        """Send ``command`` now (retried until acked) without keeping it as the sign's
        state: a REFUSED mark must not come back after a box restarts."""
        self._send_tracked(address, "sign", lambda seq: command.frame(address, seq), keep=False)

    def set_pad(self, address: int, lit: bool) -> None:
        """Light or darken the rating pad at ``address``."""
        self._want(address, "pad", lambda seq: Frame(TO_BOX, address, seq, Verb.PAD,
                                                      ("ON" if lit else "OFF",)))

    def box_online(self, address: int) -> bool:
        with self._lock:
            return self._online.get(address, False)

    def _want(self, address: int, slot: str, build: Callable[[int], Frame]) -> None:
        self._send_tracked(address, slot, build, keep=True)

    def _send_tracked(self, address: int, slot: str, build: Callable[[int], Frame], *,
                      keep: bool) -> None:
        if address not in self.addresses:
            raise ValueError(f"address {address} is not on bus {self.url}")
        with self._lock:
            frame = build(self._take_seq(address))
            if keep:
                self._wanted[address][slot] = frame
            self._outgoing[(address, slot)] = _Outgoing(frame, self._clock(), 0)
            self._write(frame)

    def _take_seq(self, address: int) -> int:
        self._seq[address] = next_seq(self._seq[address])
        return self._seq[address]

    # ------------------------------------------------------------ the link's thread

    def _run(self) -> None:
        backoff, next_open = REOPEN_MIN_S, 0.0
        while not self._stop.is_set():
            if self._port is None:
                now = self._clock()
                if now >= next_open:
                    if self._reopen():
                        backoff = REOPEN_MIN_S
                    else:
                        next_open = now + backoff
                        backoff = min(backoff * 2, REOPEN_MAX_S)
                if self._port is None:
                    self._tick()  # the heartbeat still notices the boxes going silent
                    self._stop.wait(0.05)
                    continue
            try:
                data = self._port.read(max(1, getattr(self._port, "in_waiting", 0) or 1))
            except (OSError, ValueError, TypeError) as error:  # SerialException is an OSError
                log.warning("counter bus %s: read failed (%s): closing, will reopen",
                            self.url, error)
                self._close_port()
                continue
            if data:
                self._receive(data)
            self._tick()

    def _reopen(self) -> bool:
        try:
            port = self._open_port(self.url, self._baudrate)
        except (OSError, ValueError) as error:
            log.warning("counter bus %s: cannot open (%s)", self.url, error)
            return False
        with self._lock:
            self._port = port
            self._splitter = LineSplitter()
            self.port_open.set()
            log.info("counter bus %s: open", self.url)
            for address in sorted(self.addresses):
                self._resend_wanted(address)
        return True

    def _close_port(self) -> None:
        with self._lock:
            port, self._port = self._port, None
            self.port_open.clear()
        if port is not None:
            try:
                port.close()
            except (OSError, ValueError):
                pass

    def _write(self, frame: Frame) -> None:
        with self._lock:
            if self._port is None:
                return  # sent again on reopen
            try:
                self._port.write(encode_frame(frame))
            except (OSError, ValueError) as error:
                log.warning("counter bus %s: write failed (%s): closing, will reopen",
                            self.url, error)
                port, self._port = self._port, None
                self.port_open.clear()
                try:
                    port.close()
                except (OSError, ValueError):
                    pass

    def _receive(self, data: bytes) -> None:
        lines, dropped = self._splitter.feed(data)
        if dropped:
            self.dropped_lines += dropped
            log.warning("counter bus %s: dropped %d overlong line(s)", self.url, dropped)
        for line in lines:
            try:
                frame = decode_frame(line)
            except FrameError as error:
                self.dropped_lines += 1
                log.warning("counter bus %s: dropped line %r: %s", self.url, line[:80], error)
                continue
            if frame.direction == TO_BOX:
                continue  # our own echo (loop://) or another host: not for us
            if frame.address not in self.addresses:
                self.dropped_lines += 1
                log.warning("counter bus %s: dropped a frame from unknown address %02d",
                            self.url, frame.address)
                continue
            self._from_box(frame)

    def _from_box(self, frame: Frame) -> None:
        address = frame.address
        deliver = False
        with self._lock:
            came_back = self._heard(address)
            if frame.verb is Verb.ACK:
                for slot in ("sign", "pad", "ping"):
                    pending = self._outgoing.get((address, slot))
                    if pending is not None and pending.frame.seq == frame.seq:
                        del self._outgoing[(address, slot)]
            else:
                self._write(ack_frame(TO_BOX, address, frame.seq))
                if frame.verb is Verb.HELLO:
                    log.info("counter bus %s: box %02d (re)started", self.url, address)
                    self._last_box_seq[address] = frame.seq
                    self._resend_wanted(address)
                elif self._last_box_seq.get(address) == frame.seq:
                    log.info("counter bus %s: box %02d repeated frame %03d: acknowledged "
                             "again", self.url, address, frame.seq)
                else:
                    self._last_box_seq[address] = frame.seq
                    deliver = True
        # Callbacks run outside the lock: they publish over MQTT and may set signs.
        if came_back:
            self._tell_presence(address, True)
        if deliver:
            try:
                self._on_frame(frame)
            except Exception:  # one bad handler run must not stop the bus
                log.exception("counter bus %s: handling %s failed", self.url, frame)

    def _heard(self, address: int) -> bool:
        """Note that ``address`` spoke; return whether it had been offline."""
        self._last_heard[address] = self._clock()
        if self._online[address]:
            return False
        self._online[address] = True
        log.info("counter bus %s: box %02d answers", self.url, address)
        self._resend_wanted(address)
        return True

    def _tell_presence(self, address: int, online: bool) -> None:
        try:
            self._on_presence(address, online)
        except Exception:
            log.exception("counter bus %s: presence handler failed", self.url)

    def _resend_wanted(self, address: int) -> None:
        now = self._clock()
        for slot, old in self._wanted[address].items():
            frame = Frame(old.direction, address, self._take_seq(address), old.verb, old.args)
            self._wanted[address][slot] = frame
            self._outgoing[(address, slot)] = _Outgoing(frame, now, 0)
            self._write(frame)

    def _tick(self) -> None:
        now = self._clock()
        gone: list[int] = []
        with self._lock:
            for key, pending in list(self._outgoing.items()):
                if now - pending.sent_at < self._ack_timeout_s:
                    continue
                if pending.tries >= MAX_RETRIES or key[1] == "ping":
                    del self._outgoing[key]  # the heartbeat notices a box that is gone
                    continue
                pending.tries += 1
                pending.sent_at = now
                self._write(pending.frame)
            for address in self.addresses:
                if now - self._last_ping.get(address, -1e9) >= self._heartbeat_s:
                    self._last_ping[address] = now
                    frame = Frame(TO_BOX, address, self._take_seq(address), Verb.PING)
                    self._outgoing[(address, "ping")] = _Outgoing(frame, now, 0)
                    self._write(frame)
                silent = now - self._last_heard.get(address, -1e9)
                if self._online[address] and silent > self._heartbeat_s * MISSED_BEATS:
                    self._online[address] = False
                    log.warning("counter bus %s: box %02d stopped answering", self.url, address)
                    gone.append(address)
        for address in gone:
            self._tell_presence(address, False)
