"""Printer profiles: one TOML file per printer model under ``printer_profiles/``.

A profile says what the model can do (paper width, native QR, cutter, a Vietnamese code
page that was tested on it) and the transport defaults a kiosk's own settings override.
Unknown keys are errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.printing.errors import PrinterConfigError

#: The repository's ``printer_profiles/`` directory.
DEFAULT_PROFILES_DIR = Path(__file__).resolve().parents[2] / "printer_profiles"

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

#: Vietnamese modes: ``raster`` draws Vietnamese lines with Pillow (correct on every
#: printer); ``cp1258`` sends text in Windows-1258 with tone marks split off, and may
#: only be set on a model where it was checked on paper.
VIETNAMESE_MODES = ("raster", "cp1258")


class ProfileFonts(BaseModel):
    """TrueType fonts for raster lines; sizes are in printer dots."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regular: str = "DejaVuSans.ttf"
    bold: str = "DejaVuSans-Bold.ttf"
    title_size: int = Field(30, ge=8, le=96)
    body_size: int = Field(24, ge=8, le=96)
    small_size: int = Field(20, ge=8, le=96)


class TransportDefaults(BaseModel):
    """Defaults for the transports; the kiosk's ``[printer]`` settings override them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    baudrate: int = Field(115200, gt=0)
    port: int = Field(9100, ge=1, le=65535)
    timeout_s: float = Field(5.0, gt=0)
    status_timeout_s: float = Field(1.0, gt=0)
    usb_vendor_id: int | None = Field(None, ge=0, le=0xFFFF)
    usb_product_id: int | None = Field(None, ge=0, le=0xFFFF)
    usb_in_ep: int = Field(0x82, ge=0, le=0xFF)
    usb_out_ep: int = Field(0x01, ge=0, le=0xFF)


class PrinterProfile(BaseModel):
    """One printer model (one ``printer_profiles/<name>.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    escpos_profile: str
    width_dots: int = Field(gt=0, le=2048)
    dpi: int = Field(203, gt=0)
    vietnamese: Literal["raster", "cp1258"] = "raster"
    #: ``ESC t n`` table number of Windows-1258 on this model (``vietnamese = "cp1258"``).
    codepage_table: int | None = Field(None, ge=0, le=255)
    native_qr: bool = True
    qr_module_dots: int = Field(6, ge=1, le=16)
    cutter: Literal["full", "partial", "none"] = "partial"
    #: Print darkness 0-8 sent as ``GS | n`` (Chinese clones); None sends nothing.
    density: int | None = Field(None, ge=0, le=8)
    #: Character size multiplier of the big ticket number (``GS !``), 1-8.
    number_magnification: int = Field(3, ge=1, le=8)
    #: Whether the model answers ``DLE EOT`` (paper status).
    status: bool = True
    fonts: ProfileFonts = ProfileFonts()
    transport: TransportDefaults = TransportDefaults()

    @model_validator(mode="after")
    def _codepage_needs_table(self) -> PrinterProfile:
        if self.vietnamese == "cp1258" and self.codepage_table is None:
            raise ValueError("vietnamese = 'cp1258' needs codepage_table (the ESC t number)")
        return self

    @property
    def width_mm(self) -> float:
        """Printable width in millimetres."""
        return round(self.width_dots / self.dpi * 25.4, 1)


def _directory(profiles_dir: Path | None) -> Path:
    return Path(profiles_dir) if profiles_dir is not None else DEFAULT_PROFILES_DIR


def profile_names(profiles_dir: Path | None = None) -> list[str]:
    """Names of the profiles in ``profiles_dir`` (file stems), sorted."""
    directory = _directory(profiles_dir)
    if not directory.is_dir():
        return []
    return sorted(path.stem for path in directory.glob("*.toml") if _NAME.match(path.stem))


def load_profile(name: str, profiles_dir: Path | None = None) -> PrinterProfile:
    """Read and validate ``<profiles_dir>/<name>.toml`` (default: the repository's).

    Raises:
        PrinterConfigError: no such profile (the message lists the known ones), bad TOML,
            or an invalid or unknown key (the message names it).
    """
    directory = _directory(profiles_dir)
    known = profile_names(directory)
    if not _NAME.match(name or "") or name not in known:
        raise PrinterConfigError(
            f"printer.profile: no profile {name!r} in {directory}; "
            f"known: {', '.join(known) or '(none)'}")
    path = directory / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PrinterConfigError(f"printer.profile: {path.name}: {error}") from None
    if "name" in data:
        raise PrinterConfigError(
            f"printer.profile: {path.name}: name: the profile's name is its file name")
    try:
        return PrinterProfile(name=name, **data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or '(profile)'}: {issue['msg']}"
            for issue in error.errors())
        raise PrinterConfigError(f"printer.profile: {path.name}: {problems}") from None


def list_profiles(profiles_dir: Path | None = None) -> list[PrinterProfile]:
    """Every valid profile in ``profiles_dir``, sorted by name.

    Raises:
        PrinterConfigError: a profile file is invalid (a broken file is never skipped).
    """
    return [load_profile(name, profiles_dir) for name in profile_names(profiles_dir)]
