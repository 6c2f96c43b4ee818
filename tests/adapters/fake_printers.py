"""Fake printers at the transport edge: a TCP "port 9100" printer and a pty-backed
serial one. Both record every byte they receive and answer ``DLE EOT 4`` (paper status)
with the next byte of a script, or not at all."""

from __future__ import annotations

import os
import pty
import select
import socket
import struct
import threading
import time
from collections.abc import Iterable
from pathlib import Path

PAPER_STATUS_REQUEST = b"\x10\x04\x04"
#: Status bytes as an Epson-class printer sends them.
PAPER_OK, PAPER_NEAR_END, PAPER_OUT = 0x12, 0x1E, 0x72


class StatusScript:
    """What to answer to each status request, in order; the last entry repeats.
    ``None`` means stay silent."""

    def __init__(self, replies: Iterable[int | None]) -> None:
        self._replies = list(replies) or [None]
        self._lock = threading.Lock()

    def next_reply(self) -> bytes:
        with self._lock:
            reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        return b"" if reply is None else bytes((reply,))


def _answer_requests(buffer: bytearray, answered: int, script: StatusScript) -> tuple[bytes, int]:
    """Replies due for the status requests in ``buffer`` beyond the ``answered`` first
    ones, and the new count of answered requests."""
    total = buffer.count(PAPER_STATUS_REQUEST)
    return b"".join(script.next_reply() for _ in range(total - answered)), total


class FakeNetworkPrinter:
    """A TCP printer on ``127.0.0.1:port``; ``connections`` holds the bytes of each
    connection, in order."""

    def __init__(self, port: int, replies: Iterable[int | None] = (PAPER_OK,),
                 hang_up_after: int | None = None) -> None:
        self.port = port
        #: Close the connection once this many bytes arrived (a printer fault mid-job).
        self.hang_up_after = hang_up_after
        self.script = StatusScript(replies)
        self.connections: list[bytearray] = []
        self._server = socket.create_server(("127.0.0.1", port))
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            received = bytearray()
            self.connections.append(received)
            threading.Thread(target=self._handle, args=(connection, received),
                             daemon=True).start()

    def _handle(self, connection: socket.socket, received: bytearray) -> None:
        answered = 0
        connection.settimeout(0.1)
        with connection:
            while not self._stop.is_set():
                try:
                    chunk = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                received.extend(chunk)
                if self.hang_up_after is not None and len(received) >= self.hang_up_after:
                    del received[self.hang_up_after:]
                    # RST rather than FIN: the sender's next write or read fails at once
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
                    return
                replies, answered = _answer_requests(received, answered, self.script)
                if replies:
                    connection.sendall(replies)

    def received(self) -> bytes:
        """Everything received, all connections joined."""
        return b"".join(bytes(connection) for connection in self.connections)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)


class FakeSerialPrinter:
    """A serial printer on a pty, reached through a stable symlink (like
    ``/dev/serial/by-id/...``) that :meth:`replug` points at a new pty."""

    def __init__(self, link: Path, replies: Iterable[int | None] = (PAPER_OK,)) -> None:
        self.link = link
        self.script = StatusScript(replies)
        self.received = bytearray()
        self._thread: threading.Thread | None = None
        self.plug()

    def plug(self) -> None:
        self._master, slave = pty.openpty()
        self._slave_name = os.ttyname(slave)
        os.close(slave)  # pyserial opens it by name, as it would a real port
        tmp = self.link.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(self._slave_name)
        os.replace(tmp, self.link)
        self._plugged = threading.Event()
        self._plugged.set()
        self._thread = threading.Thread(target=self._serve, args=(self._master,), daemon=True)
        self._thread.start()

    def _serve(self, master: int) -> None:
        answered = 0
        while self._plugged.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(master, 65536)
            except OSError:  # EIO while nobody holds the slave open, or unplugged
                time.sleep(0.02)
                continue
            self.received.extend(chunk)
            replies, answered = _answer_requests(self.received, answered, self.script)
            if replies:
                try:
                    os.write(master, replies)
                except OSError:
                    return

    def unplug(self) -> None:
        """Close the pty master: the port's reads and writes now fail like an unplugged
        USB-serial adapter's."""
        self._plugged.clear()
        if self._thread is not None:
            self._thread.join(timeout=2)
        os.close(self._master)

    def replug(self) -> None:
        """A new pty behind the same link, as udev does for a by-id name."""
        self.received = bytearray()
        self.plug()
