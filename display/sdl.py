"""SDL set-up that must happen before ``import pygame``.

Without a screen (no ``DISPLAY`` nor ``WAYLAND_DISPLAY``), or when asked, SDL's ``dummy``
video and audio drivers are used, so the board renders to memory (and to PNG files) on a
server or in CI instead of failing to open a window.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def has_screen(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether a window can be opened here (an X11 or Wayland display is set)."""
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def prepare_sdl(headless: bool | None = None,
                environ: MutableMapping[str, str] = os.environ) -> bool:
    """Choose SDL drivers; returns whether the board runs headless.

    ``headless=None`` decides from the environment. Call it before pygame is imported:
    SDL reads these variables once, at import and init.
    """
    if headless is None:
        headless = not has_screen(environ) or environ.get("SDL_VIDEODRIVER") == "dummy"
    if headless:
        environ["SDL_VIDEODRIVER"] = "dummy"
        environ.setdefault("SDL_AUDIODRIVER", "dummy")
    environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    return headless
