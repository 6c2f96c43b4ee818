"""Picking the scanner by ``[scanner] kind``, from a dict (as printer transports are)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .base import Deliver, IdleScanner, Scanner
from .settings import ScannerSettings

log = logging.getLogger(__name__)


class ScannerConfigError(ValueError):
    """The scanner cannot be set up as configured; the message names the key."""


def _resolve(path: Path | None, base_dir: Path) -> Path | None:
    if path is None or path.is_absolute():
        return path
    return base_dir / path


def _none(settings: ScannerSettings, deliver: Deliver, base_dir: Path) -> Scanner:
    return IdleScanner("none")


def _wedge(settings: ScannerSettings, deliver: Deliver, base_dir: Path) -> Scanner:
    return IdleScanner("wedge")


def _serial(settings: ScannerSettings, deliver: Deliver, base_dir: Path) -> Scanner:
    from .serial_scanner import SerialScanner

    return SerialScanner(str(settings.port), deliver, baudrate=settings.baudrate,
                         terminator=settings.terminator,
                         max_line_bytes=settings.max_line_bytes,
                         reconnect_s=settings.reconnect_s)


def _camera(settings: ScannerSettings, deliver: Deliver, base_dir: Path) -> Scanner:
    from .camera import CameraScanner, CameraUnavailable, open_camera, zbar_decoder

    try:
        decoder = zbar_decoder(settings.scan_density)
        source = open_camera(settings.camera_source, {
            "path": _resolve(settings.frames, base_dir), "loop": settings.loop_frames})
    except CameraUnavailable as error:
        raise ScannerConfigError(str(error)) from None
    return CameraScanner(source, deliver, frame_interval_s=settings.frame_interval_s,
                         repeat_s=settings.repeat_s, decoder=decoder)


def _stdin(settings: ScannerSettings, deliver: Deliver, base_dir: Path) -> Scanner:
    from .stream_scanner import StreamScanner

    return StreamScanner(deliver, script=_resolve(settings.script, base_dir),
                         line_interval_s=settings.line_interval_s,
                         max_line_chars=settings.max_line_bytes)


#: Scanner factories by ``[scanner] kind``.
SCANNERS: dict[str, Callable[[ScannerSettings, Deliver, Path], Scanner]] = {
    "none": _none,
    "serial": _serial,
    "wedge": _wedge,
    "camera": _camera,
    "stdin": _stdin,
}


def open_scanner(settings: ScannerSettings, deliver: Deliver, *,
                 base_dir: Path = Path(".")) -> Scanner:
    """The scanner ``settings`` describe, not started yet; relative paths from ``base_dir``.

    Raises:
        ScannerConfigError: an unknown kind, or a camera without its decoder or frames.
    """
    factory = SCANNERS.get(settings.kind)
    if factory is None:
        raise ScannerConfigError(f"scanner.kind: unknown kind {settings.kind!r}; "
                                 f"known: {', '.join(SCANNERS)}")
    scanner = factory(settings, deliver, base_dir)
    log.info("scanner: %s", settings.kind)
    return scanner
