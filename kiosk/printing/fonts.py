"""Find the TrueType files raster lines are drawn with.

The set-up installs Debian's ``fonts-dejavu-core`` (DejaVuSans covers every Vietnamese
letter). Fonts are looked up by file name in the usual font directories, always in the
same order, so a given machine always renders the same bytes.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from kiosk.printing.errors import PrinterConfigError

#: Extra directories to search first (``os.pathsep``-separated).
FONT_DIRS_ENV = "MOTCUA_FONT_DIRS"

_SYSTEM_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)


def font_directories() -> list[Path]:
    """Directories searched, in order: ``$MOTCUA_FONT_DIRS`` then the system ones."""
    extra = [Path(part) for part in os.environ.get(FONT_DIRS_ENV, "").split(os.pathsep) if part]
    return [*extra, *_SYSTEM_DIRS]


@functools.lru_cache(maxsize=32)
def _find(filename: str, directories: tuple[Path, ...]) -> Path | None:
    for directory in directories:
        direct = directory / filename
        if direct.is_file():
            return direct
    for directory in directories:
        if directory.is_dir():
            # sorted: the same file wins on every run when a name appears twice
            for found in sorted(directory.rglob(filename)):
                if found.is_file():
                    return found
    return None


def find_font(filename: str) -> Path:
    """The path of the font file ``filename`` (a bare name such as ``DejaVuSans.ttf``,
    or a path to the file itself).

    Raises:
        PrinterConfigError: the font is not installed; the message says how to install it.
    """
    path = Path(filename)
    if path.is_absolute() or len(path.parts) > 1:
        if path.is_file():
            return path
    else:
        found = _find(filename, tuple(font_directories()))
        if found is not None:
            return found
    raise PrinterConfigError(
        f"printer.profile: fonts: font {filename!r} not found in "
        f"{', '.join(str(d) for d in font_directories())}; install it "
        f"(Debian: apt-get install fonts-dejavu-core) or set {FONT_DIRS_ENV}")
