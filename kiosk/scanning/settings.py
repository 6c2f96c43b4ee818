"""The kiosk's ``[scanner]`` table: which scanner, the code rule, and each kind's options.

``kind`` picks the implementation from :data:`kiosk.scanning.SCANNERS` (as
``[printer] transport`` picks a printer transport); options of other kinds are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from motcua.dossiers.codes import DEFAULT_CODE_PATTERN, CodeRule

#: Scanner kinds, in the order the docs list them.
SCANNER_KINDS = ("none", "serial", "wedge", "camera", "stdin")
#: Friendly spellings of the terminator accepted in the file.
_TERMINATOR_NAMES = {"cr": "\r", "lf": "\n", "crlf": "\r\n"}


class ScannerSettings(BaseModel):
    """Settings of the kiosk's barcode scanner (the ``[scanner]`` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["none", "serial", "wedge", "camera", "stdin"] = "none"
    #: Regular expression a whole (upper-cased) dossier code must match.
    code_pattern: str = DEFAULT_CODE_PATTERN

    # --- serial (pyserial) ---------------------------------------------------------------
    #: The port (prefer ``/dev/serial/by-id/...``) or a pyserial URL (``loop://``).
    port: str | None = None
    baudrate: int = Field(9600, gt=0)
    terminator: Literal["\r", "\n", "\r\n"] = "\r"
    #: Longer lines are noise: dropped whole, with a log line.
    max_line_bytes: int = Field(256, ge=16, le=4096)
    #: Seconds between two attempts to open an unplugged port.
    reconnect_s: float = Field(2.0, gt=0, le=60)

    # --- keyboard wedge (captured by the touch page) ------------------------------------
    #: Longest pause between two keystrokes of one scan; a person types slower.
    wedge_max_gap_ms: int = Field(50, ge=5, le=1000)
    #: Fewest characters before Enter for a burst to count as a scan.
    wedge_min_chars: int = Field(8, ge=1, le=64)

    # --- camera (pyzbar) -------------------------------------------------------------------
    #: Frame source: ``files`` (images from ``frames``); a V4L2 source plugs in here.
    camera_source: Literal["files"] = "files"
    #: ``files``: a folder of images (read in name order) or one image file.
    frames: Path | None = None
    #: Seconds between two frames.
    frame_interval_s: float = Field(0.2, ge=0, le=10)
    #: The same code seen again within this many seconds is the same slip: ignored.
    repeat_s: float = Field(3.0, ge=0, le=600)
    #: ``files``: start again from the first image after the last (a demo loop).
    loop_frames: bool = False
    #: ZBar scans every n-th row and column: 2 halves the decode time and still reads a
    #: slip's barcode; 1 for tiny or distant codes.
    scan_density: int = Field(2, ge=1, le=8)

    # --- stdin (one code per line; demos and tests) ------------------------------------
    #: A file of codes, one per line; unset: the process's standard input.
    script: Path | None = None
    #: Seconds between two lines of a script.
    line_interval_s: float = Field(0.0, ge=0, le=600)

    @field_validator("terminator", mode="before")
    @classmethod
    def _named_terminator(cls, value: object) -> object:
        if isinstance(value, str):
            return _TERMINATOR_NAMES.get(value.lower(), value)
        return value

    @field_validator("code_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        CodeRule(value)  # raises ValueError naming the pattern
        return value

    @model_validator(mode="after")
    def _needs(self) -> ScannerSettings:
        if self.kind == "serial" and not self.port:
            raise ValueError("kind = \"serial\" needs port (e.g. /dev/serial/by-id/...)")
        if self.kind == "camera" and self.frames is None:
            raise ValueError("kind = \"camera\" needs frames (a folder or an image file)")
        return self

    def code_rule(self) -> CodeRule:
        return CodeRule(self.code_pattern)
