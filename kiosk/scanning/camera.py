"""The camera scanner: frames from a :class:`FrameSource`, barcodes decoded with pyzbar.

OpenCV is not a dependency, so the camera itself sits behind a two-method protocol. The
shipped source, :class:`ImageFiles`, reads frames from image files (a folder in name
order, or one file): tests and demos use it. A V4L2 camera plugs in by implementing
:class:`FrameSource` (``read()`` returns the next frame as a Pillow image, ``close()``)
and adding it to :data:`FRAME_SOURCES` — see docs/scanners.md.

A slip held under the camera is seen in many frames: the same code again within
``repeat_s`` seconds is not delivered twice. pyzbar needs the system's libzbar
(Debian ``libzbar0``); without it the scanner says so at open, naming the package.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from .base import Deliver, safe_deliver

log = logging.getLogger(__name__)

#: Image files :class:`ImageFiles` reads from a folder.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".gif", ".tif", ".tiff")


class CameraUnavailable(RuntimeError):
    """The decoder or the frame source cannot work here; the message says what to install."""


class FrameSource(Protocol):
    def read(self) -> Image.Image | None:
        """The next frame, or None when the source has ended (a file source's last
        image, without looping). A live camera blocks until its next frame."""

    def close(self) -> None:
        """Release the device."""


class ImageFiles:
    """Frames from image files: ``path`` is one image or a folder of them (name order)."""

    def __init__(self, path: Path, *, loop: bool = False) -> None:
        self.path = path
        self.loop = loop
        if path.is_dir():
            self._files = sorted(p for p in path.iterdir()
                                 if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            self._files = [path]
        else:
            raise CameraUnavailable(f"scanner.frames: {path} is neither an image nor a folder")
        self._next = 0

    def read(self) -> Image.Image | None:
        while self._files:
            if self._next >= len(self._files):
                if not self.loop:
                    return None
                self._next = 0
            path = self._files[self._next]
            self._next += 1
            try:
                with Image.open(path) as image:
                    return image.convert("L")
            except (OSError, ValueError) as error:  # a bad file is skipped, not fatal
                log.warning("camera frame %s unreadable: %s", path.name, error)
        return None

    def close(self) -> None:
        self._files = []


#: Frame sources by ``[scanner] camera_source``.
FRAME_SOURCES: dict[str, Callable[..., FrameSource]] = {"files": ImageFiles}


def zbar_decoder(density: int = 2) -> Callable[[Image.Image], list[str]]:
    """A function decoding every Code 128, Code 39 and QR code of a frame to text.

    ``density`` is ZBar's scan density: every ``density``-th row and column is scanned
    (1 = all). A slip's barcode spans dozens of rows, so 2 reads it as well and halves
    the time (docs/scanners.md has the figures). pyzbar's own ``decode`` has no density
    setting, so this drives its ctypes wrapper the same way, plus the density; a pyzbar
    without those internals falls back to ``pyzbar.decode`` (density 1).

    Raises:
        CameraUnavailable: pyzbar or libzbar is missing.
    """
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as error:  # OSError: libzbar.so not found
        raise CameraUnavailable(
            f"the camera scanner needs pyzbar and libzbar (apt install libzbar0): {error}"
        ) from None
    symbols = [pyzbar.ZBarSymbol.CODE128, pyzbar.ZBarSymbol.CODE39, pyzbar.ZBarSymbol.QRCODE]

    def plain(frame: Image.Image) -> list[str]:
        gray = frame if frame.mode == "L" else frame.convert("L")
        return [found.data.decode("utf-8", errors="replace")
                for found in pyzbar.decode(gray, symbols=symbols)]

    try:
        from ctypes import c_void_p, cast

        from pyzbar import wrapper
        scanner_of, image_of = pyzbar._image_scanner, pyzbar._image
        symbols_of, decoded_of = pyzbar._symbols_for_image, pyzbar._decode_symbols
        gray_format = pyzbar._FOURCC["L800"]
    except (ImportError, AttributeError, KeyError):
        log.warning("pyzbar internals changed: decoding every row (density 1)")
        return plain
    if density <= 1:
        return plain
    config = wrapper.ZBarConfig

    def dense(frame: Image.Image) -> list[str]:
        gray = frame if frame.mode == "L" else frame.convert("L")
        pixels = gray.tobytes()
        with scanner_of() as scanner:
            wrapper.zbar_image_scanner_set_config(scanner, wrapper.ZBarSymbol.NONE,
                                                  config.CFG_ENABLE, 0)
            for symbol in symbols:
                wrapper.zbar_image_scanner_set_config(scanner, symbol, config.CFG_ENABLE, 1)
            for axis in (config.CFG_X_DENSITY, config.CFG_Y_DENSITY):
                wrapper.zbar_image_scanner_set_config(scanner, wrapper.ZBarSymbol.NONE,
                                                      axis, density)
            with image_of() as image:
                wrapper.zbar_image_set_format(image, gray_format)
                wrapper.zbar_image_set_size(image, gray.width, gray.height)
                wrapper.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
                if wrapper.zbar_scan_image(scanner, image) < 0:
                    return []
                return [found.data.decode("utf-8", errors="replace")
                        for found in decoded_of(symbols_of(image))]

    return dense


class CameraScanner:
    kind = "camera"

    def __init__(self, source: FrameSource, deliver: Deliver, *,
                 frame_interval_s: float = 0.2, repeat_s: float = 3.0,
                 decoder: Callable[[Image.Image], list[str]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self._deliver = deliver
        self.frame_interval_s = frame_interval_s
        self.repeat_s = repeat_s
        self._decode = decoder or zbar_decoder()
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scanner-camera", daemon=True)
        #: Set when the source has no more frames (tests wait on it).
        self.finished = threading.Event()
        self.frames_read = 0

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.frame_interval_s + 2)
        self.source.close()

    def scan_frame(self, frame: Image.Image) -> list[str]:
        """Decode one frame and deliver its new codes; returns what was delivered."""
        try:
            found = self._decode(frame)
        except Exception:  # a frame the decoder chokes on is skipped
            log.exception("decoding a camera frame failed")
            return []
        now = self._clock()
        delivered = []
        for text in found:
            last = self._seen.get(text)
            self._seen[text] = now
            if last is not None and now - last < self.repeat_s:
                continue
            delivered.append(text)
            safe_deliver(self._deliver, text, self.kind)
        # Forget old sightings so the dict stays small on a camera left running for days.
        self._seen = {t: at for t, at in self._seen.items() if now - at < self.repeat_s}
        return delivered

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    frame = self.source.read()
                except Exception:  # a camera error: log, wait, try the next frame
                    log.exception("reading a camera frame failed")
                    frame = None
                    if self._stop.wait(1.0):
                        return
                    continue
                if frame is None:
                    log.info("camera frames ended after %d frames", self.frames_read)
                    return
                self.frames_read += 1
                self.scan_frame(frame)
                if self.frame_interval_s and self._stop.wait(self.frame_interval_s):
                    return
        finally:
            self.finished.set()


def open_camera(source_name: str, options: dict[str, Any]) -> FrameSource:
    factory = FRAME_SOURCES.get(source_name)
    if factory is None:
        raise CameraUnavailable(f"scanner.camera_source: unknown source {source_name!r}; "
                                f"known: {', '.join(FRAME_SOURCES)}")
    return factory(**options)
