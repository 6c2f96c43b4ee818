"""Cutting a scanner's byte stream into lines, dropping what cannot be a code.

Serial scanners send each code followed by a terminator (CR by default, LF or CR LF on
some models). :class:`LineReader` is pure (no I/O), so it is fed whatever chunks the port
returns and tested with arbitrary bytes. Its promises:

* it never raises and never holds more than ``max_line_bytes`` plus one chunk;
* every line it returns is printable ASCII of at most ``max_line_bytes`` characters, with
  stray CR/LF/NUL/spaces trimmed from both ends (a CR LF scanner on a CR setting);
* a line that is too long (10 KB of noise, a scanner left in a loop) is dropped whole, up
  to the next terminator, with one log line; so is a line with non-printable bytes;
* a code that follows a terminator is read intact whatever came before it.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: ``[scanner] terminator`` values and their bytes.
TERMINATORS = {"\r": b"\r", "\n": b"\n", "\r\n": b"\r\n"}
_TRIM = b" \t\r\n\x00"


class LineReader:
    """Bytes in, complete checked lines out."""

    def __init__(self, terminator: bytes = b"\r", max_line_bytes: int = 256) -> None:
        if not terminator:
            raise ValueError("a line terminator is needed")
        self.terminator = terminator
        self.max_line_bytes = max_line_bytes
        self._buffer = bytearray()
        self._overlong = False  # dropping until the next terminator
        self.dropped = 0  # lines dropped so far (overlong or garbage), for logs and tests

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by ``data`` (possibly none)."""
        self._buffer.extend(data)
        lines: list[str] = []
        while True:
            end = self._buffer.find(self.terminator)
            if end < 0:
                break
            raw = bytes(self._buffer[:end])
            del self._buffer[:end + len(self.terminator)]
            if self._overlong:
                self._overlong = False
                continue  # the tail of a line already reported as too long
            line = self._check(raw)
            if line:
                lines.append(line)
        # Keep a partial terminator's first byte (CR of CR LF) for the next chunk.
        if len(self._buffer) > self.max_line_bytes + len(self.terminator):
            if not self._overlong:
                self.dropped += 1
                log.warning("scanner: dropped a line longer than %d bytes",
                            self.max_line_bytes)
            self._overlong = True
            self._buffer.clear()
        return lines

    def _check(self, raw: bytes) -> str | None:
        raw = raw.strip(_TRIM)
        if not raw:
            return None
        if len(raw) > self.max_line_bytes:
            self.dropped += 1
            log.warning("scanner: dropped a line of %d bytes (longer than %d)", len(raw),
                        self.max_line_bytes)
            return None
        if any(byte < 0x20 or byte > 0x7E for byte in raw):
            self.dropped += 1
            log.warning("scanner: dropped a line of %d bytes with non-printable bytes",
                        len(raw))
            return None
        return raw.decode("ascii")
