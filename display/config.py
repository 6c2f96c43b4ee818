"""The lobby display's configuration: one TOML file (``[display]``, ``[announcer]``) plus
environment overrides.

``display/display.example.toml`` documents every key. Environment variables win over the
file, so one file serves every TV of a center:

====================================  ==========================================
``MOTCUA_DISPLAY_ID``                 display id (its broker login is ``display{id}``)
``MOTCUA_MQTT_URL``                   ``mqtt://display1:pass@host:port``
``MOTCUA_SITE``                       site id
``MOTCUA_DISPLAY_RESOLUTION``         ``1920x1080``
``MOTCUA_DISPLAY_FULLSCREEN``         ``true`` / ``false``
``MOTCUA_DISPLAY_FONT``               TTF file (or a file name looked up in the system fonts)
``MOTCUA_DISPLAY_SCREENSHOT_EVERY_S`` write a fresh PNG this often (0: never)
``MOTCUA_DISPLAY_SCREENSHOT``         where that PNG goes
====================================  ==========================================

The ``[announcer]`` table is handed over as it is to the voice announcer, which validates
it itself. Errors name the key (``display.blink_s: ...``) and are reported all at once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.config_file import MqttUrl, Slug, apply_environment, problems, read_document

ENVIRONMENT = {
    "MOTCUA_DISPLAY_ID": "id",
    "MOTCUA_MQTT_URL": "mqtt_url",
    "MOTCUA_SITE": "site",
    "MOTCUA_DISPLAY_RESOLUTION": "resolution",
    "MOTCUA_DISPLAY_FULLSCREEN": "fullscreen",
    "MOTCUA_DISPLAY_FONT": "font",
    "MOTCUA_DISPLAY_SCREENSHOT_EVERY_S": "screenshot_every_s",
    "MOTCUA_DISPLAY_SCREENSHOT": "screenshot_path",
}

#: Where Debian (fonts-dejavu-core) and other distributions keep TTF files.
FONT_DIRECTORIES = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/usr/share/fonts/truetype/noto",
)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_RESOLUTION = re.compile(r"^([1-9][0-9]{2,4})x([1-9][0-9]{2,4})$")


class DisplayConfigError(ValueError):
    """The display configuration is invalid; the message names every bad key."""


class Theme(BaseModel):
    """Colours of the board as ``#rrggbb``: dark background, light text, one accent for the
    call being announced (high contrast, readable from the back of the hall)."""

    model_config = ConfigDict(extra="forbid")

    background: str = "#0b1d33"
    panel: str = "#13304f"
    text: str = "#ffffff"
    muted: str = "#9fb6cf"
    accent: str = "#ffcc00"
    accent_text: str = "#0b1d33"
    number: str = "#ffe066"
    paused: str = "#f0a040"
    closed: str = "#5d7088"
    offline: str = "#b3261e"
    ticker: str = "#081526"

    @field_validator("*")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _COLOUR.fullmatch(value):
            raise ValueError("must be a colour #rrggbb")
        return value

    def rgb(self, name: str) -> tuple[int, int, int]:
        value = getattr(self, name)
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


class DisplaySection(BaseModel):
    """The ``[display]`` table."""

    model_config = ConfigDict(extra="forbid")

    id: Slug = "1"
    site: Slug = "van-lam"
    mqtt_url: MqttUrl = "mqtt://127.0.0.1:1883"
    resolution: str = "1920x1080"
    fullscreen: bool = True
    center_name: str = Field("Bộ phận Tiếp nhận và Trả kết quả", min_length=1, max_length=160)
    logo: Path | None = Field(None, description="PNG shown left of the center name")
    notices: list[str] = Field(default_factory=lambda: [
        "Quý khách vui lòng giữ phiếu số thứ tự và theo dõi màn hình.",
        "Người cao tuổi, người khuyết tật, phụ nữ có thai được ưu tiên.",
    ])
    blink_s: float = Field(8.0, gt=0, le=120, description="how long a new call blinks")
    recent_calls: int = Field(6, ge=0, le=20)
    font: str = "DejaVuSans.ttf"
    font_bold: str = "DejaVuSans-Bold.ttf"
    fps: float = Field(20.0, gt=0, le=60, description="frames per second of the ticker")
    ticker_speed_px_s: float = Field(120.0, ge=0, le=2000)
    screenshot_every_s: float = Field(0.0, ge=0, description="0: never")
    screenshot_path: Path = Path("var/display.png")

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: str) -> str:
        if not _RESOLUTION.fullmatch(value):
            raise ValueError("must be WIDTHxHEIGHT, e.g. 1920x1080")
        return value

    @property
    def size(self) -> tuple[int, int]:
        width, height = _RESOLUTION.fullmatch(self.resolution).groups()  # type: ignore[union-attr]
        return int(width), int(height)


class DisplayConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display: DisplaySection = Field(default_factory=DisplaySection)
    theme: Theme = Field(default_factory=Theme)
    #: Free-form settings of the voice announcer (it validates them itself).
    announcer: dict[str, Any] = Field(default_factory=dict)
    #: Folder relative paths are resolved against (the file's folder, or the working dir).
    base_dir: Path = Path(".")

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.base_dir / path

    def font_path(self, bold: bool = False) -> Path:
        """The TTF to draw with (see :func:`find_font`)."""
        return find_font(self.display.font_bold if bold else self.display.font, self.base_dir)


def find_font(name: str, base_dir: Path = Path(".")) -> Path:
    """The font file ``name``: a path as given (relative to ``base_dir``), else a file of
    that name in the usual system font folders.

    Raises:
        DisplayConfigError: no such file; the message says to install fonts-dejavu-core.
    """
    given = Path(name)
    candidates = [given if given.is_absolute() else base_dir / given]
    if len(given.parts) == 1:
        candidates += [Path(folder) / name for folder in FONT_DIRECTORIES]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DisplayConfigError(
        f"display.font: {name!r} not found (apt-get install fonts-dejavu-core, or give a path)")


def load_display_config(path: str | os.PathLike | None = None,
                        environ: Mapping[str, str] = os.environ) -> DisplayConfig:
    """Read ``path`` (optional), apply environment overrides, validate everything at once.

    Raises:
        DisplayConfigError: naming every bad key (``display.blink_s: ...``).
    """
    document, base_dir = read_document(path, ("display", "theme", "announcer"),
                                       DisplayConfigError)
    document = apply_environment(
        document, {variable: ("display", key) for variable, key in ENVIRONMENT.items()},
        environ)
    display = dict(document.get("display", {}))
    theme = dict(display.pop("theme", {}) or {})
    theme.update(document.get("theme", {}))
    try:
        return DisplayConfig(display=display, theme=theme,
                             announcer=dict(document.get("announcer", {})), base_dir=base_dir)
    except ValidationError as exc:
        raise DisplayConfigError(problems(exc, _key)) from None


def _key(parts: list[str]) -> str:
    if parts and parts[0] == "theme":
        parts.insert(0, "display")
    return ".".join(parts)
