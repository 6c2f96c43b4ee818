"""The kiosk's scanners on their devices' edges: a serial scanner on a pty (unplugged and
plugged back behind a by-id style link), pyserial's loop:// port, and the camera scanner
on PNG frames of slips with Code 128 (python-barcode) and QR (segno) codes, decoded by
the real pyzbar/libzbar."""

from __future__ import annotations

import os
import pty
import threading
import time
from pathlib import Path

import pytest
import serial

from kiosk.scanning import ScanFeed, ScannerSettings, open_scanner
from kiosk.scanning.camera import CameraScanner, ImageFiles, zbar_decoder
from kiosk.scanning.scanners import ScannerConfigError
from kiosk.scanning.serial_scanner import SerialScanner
from motcua.dossiers.codes import CodeRule
from tests.adapters.test_printing_transports import wait_for
from tests.support.slip_frames import slip_frame

CODE = "000.00.12.H42-261110-0012"
OTHER = "000.00.12.H42-261120-0031"


class Scans:
    """A deliver callable that records (raw, source) and lets a test wait for a count."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []
        self._changed = threading.Condition()

    def __call__(self, raw: str, source: str) -> None:
        with self._changed:
            self.got.append((raw, source))
            self._changed.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> list[tuple[str, str]]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.got) >= count, timeout)
            return list(self.got)


class PtyScanner:
    """A serial scanner on a pty behind a stable link (like /dev/serial/by-id/...)."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.plug()

    def plug(self) -> None:
        self.master, slave = pty.openpty()
        name = os.ttyname(slave)
        os.close(slave)
        tmp = self.link.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(name)
        os.replace(tmp, self.link)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        os.close(self.master)


def test_a_serial_scanner_survives_garbage_and_an_unplug(tmp_path):
    """Given a serial scanner on a pty behind a by-id link (CR terminator), When it sends
    a code, 10 KB of noise, a code in two pieces, is unplugged, plugged back (a new tty
    behind the same link) and sends a code, Then exactly the three codes are delivered,
    as serial scans, without a restart."""
    device = PtyScanner(tmp_path / "usb-scanner-if00")
    scans = Scans()
    scanner = SerialScanner(str(device.link), scans, terminator="\r", max_line_bytes=128,
                            reconnect_s=0.1)
    scanner.start()
    try:
        assert scanner.connected.wait(5)
        device.send(CODE.encode() + b"\r")
        device.send(os.urandom(10_240).replace(b"\r", b"") + b"\r")
        device.send(OTHER[:10].encode())
        time.sleep(0.05)
        device.send(OTHER[10:].encode() + b"\r")
        assert scans.wait(2) == [(CODE, "serial"), (OTHER, "serial")]

        device.unplug()
        assert wait_for(lambda: not scanner.connected.is_set())
        device.plug()
        assert scanner.connected.wait(5)
        device.send(b"000.00.12.h42-261118-0004\r")
        assert scans.wait(3)[2] == ("000.00.12.h42-261118-0004", "serial")
        assert len(scans.got) == 3
    finally:
        scanner.close()
        device.unplug()


def test_a_missing_port_is_retried_quietly_until_it_appears(tmp_path, caplog):
    """Given a port that does not exist yet, When the scanner starts, Then start() returns
    at once, one warning is logged for the outage (not one per attempt), and the port is
    read once it appears."""
    link = tmp_path / "later-if00"
    scans = Scans()
    scanner = SerialScanner(str(link), scans, reconnect_s=0.05)
    with caplog.at_level("WARNING", logger="kiosk.scanning.serial_scanner"):
        scanner.start()
        time.sleep(0.4)
        device = PtyScanner(link)
        try:
            assert scanner.connected.wait(5)
            device.send(CODE.encode() + b"\r")
            assert scans.wait(1) == [(CODE, "serial")]
        finally:
            scanner.close()
            device.unplug()
    warnings = [r for r in caplog.records if "not available" in r.getMessage()]
    assert len(warnings) == 1


def test_pyserials_loop_port_goes_through_the_feed():
    """Given a scanner on loop:// (CR LF) whose deliver is a ScanFeed, When a lower-case
    code and HTML are written to the port, Then the feed holds the canonical code first
    and a rejected scan second."""
    port = serial.serial_for_url("loop://", timeout=0.1)
    feed = ScanFeed(CodeRule())
    scanner = SerialScanner("loop://", feed.offer, terminator="\r\n",
                            opener=lambda *args, **kwargs: port)
    scanner.start()
    try:
        port.write(CODE.lower().encode() + b"\r\n")
        assert wait_for(lambda: feed.latest is not None)
        assert (feed.latest.seq, feed.latest.code, feed.latest.source) == (1, CODE, "serial")
        port.write(b"<b>hi</b>\r\n")
        assert wait_for(lambda: feed.latest.seq == 2)
        assert feed.latest.code is None
    finally:
        scanner.close()


# ---- camera ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def decoder():
    return zbar_decoder()


@pytest.mark.parametrize("density", [1, 2, 3])
@pytest.mark.parametrize("symbology", ["code128", "qr"])
def test_pyzbar_reads_the_code_of_a_slip_frame(symbology, density):
    """Given a 640×480 frame of a slip tilted 4° with a Code 128 / QR code, When decoded at
    scan density 1, 2 (the default) or 3, Then the dossier code comes out exactly; an
    empty slip gives nothing."""
    decode = zbar_decoder(density)
    assert decode(slip_frame(CODE, symbology, angle=4)) == [CODE]
    assert decode(slip_frame(None)) == []


def test_the_camera_scanner_delivers_each_slip_once_from_png_frames(tmp_path, decoder):
    """Given a folder of PNG frames: the same slip in three frames, an empty frame, a
    broken file and a second slip (QR), When the camera scanner reads them with a 3 s
    repeat window, Then each code is delivered once, as camera scans, and the scanner
    ends with the frames."""
    frames = tmp_path / "frames"
    frames.mkdir()
    for index in range(3):
        slip_frame(CODE, "code128", seed=index).save(frames / f"0{index}.png")
    slip_frame(None).save(frames / "03.png")
    (frames / "04.png").write_bytes(b"not a png")
    slip_frame(OTHER, "qr").save(frames / "05.png")
    scans = Scans()
    scanner = CameraScanner(ImageFiles(frames), scans, frame_interval_s=0, repeat_s=3,
                            decoder=decoder)
    scanner.start()
    assert scanner.finished.wait(15)
    scanner.close()
    assert scans.got == [(CODE, "camera"), (OTHER, "camera")]
    assert scanner.frames_read == 5


class NoFrames:
    """A frame source with nothing to read (frames are handed to scan_frame directly)."""

    def read(self):
        return None

    def close(self) -> None:
        pass


def test_the_same_code_after_the_repeat_window_is_a_new_scan(decoder):
    """Given a fake clock, When the same slip is seen at 0 s, 1 s and 4 s (window 3 s),
    Then it is delivered at 0 s and at 4 s only."""
    now = [0.0]
    scans = Scans()
    scanner = CameraScanner(NoFrames(), scans, repeat_s=3,
                            decoder=lambda frame: [CODE], clock=lambda: now[0])
    for at in (0.0, 1.0, 4.0):
        now[0] = at
        scanner.scan_frame(slip_frame(None))
    assert scans.got == [(CODE, "camera"), (CODE, "camera")]


def test_a_camera_configured_on_missing_frames_names_the_key(tmp_path):
    """Given [scanner] kind = camera with frames that do not exist, When opened, Then the
    error names scanner.frames."""
    settings = ScannerSettings(kind="camera", frames=Path("nowhere"))
    with pytest.raises(ScannerConfigError, match="scanner.frames"):
        open_scanner(settings, lambda raw, source: None, base_dir=tmp_path)
