"""Text for the board: DejaVuSans (full Vietnamese coverage) through pygame's SDL_ttf, with
rendered surfaces cached, since rendering text is most of a frame's cost.

Never ``pygame.font.Font(None)``: pygame's bundled font draws boxes for ố, ứ, ự, ầ, ỹ...
"""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from pathlib import Path

import pygame

Colour = tuple[int, int, int]
#: Rendered texts kept; a 30-counter board uses about 150.
CACHE_SIZE = 1024


class TextCache:
    """Fonts by (size, bold) and rendered text surfaces by (text, size, bold, colour).

    A surface comes back from the cache as long as the same text is drawn again; the
    least recently used ones are dropped past :data:`CACHE_SIZE`.
    """

    def __init__(self, regular: Path, bold: Path | None = None) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self._paths = {False: str(regular), True: str(bold or regular)}
        self._fonts: dict[tuple[int, bool], pygame.font.Font] = {}
        self._surfaces: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._texts: dict[int, str] = {}
        self.hits = 0
        self.misses = 0

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        key = (max(6, int(size)), bold)
        font = self._fonts.get(key)
        if font is None:
            font = pygame.font.Font(self._paths[bold], key[0])
            self._fonts[key] = font
        return font

    def render(self, text: str, size: int, colour: Colour, bold: bool = False) -> pygame.Surface:
        """``text`` drawn antialiased on a transparent surface (NFC, so combining marks
        typed as NFD land on their letters)."""
        key = (text, int(size), bold, colour)
        surface = self._surfaces.get(key)
        if surface is not None:
            self.hits += 1
            self._surfaces.move_to_end(key)
            return surface
        self.misses += 1
        surface = self.font(size, bold).render(unicodedata.normalize("NFC", text), True, colour)
        self._surfaces[key] = surface
        self._texts[id(surface)] = text
        if len(self._surfaces) > CACHE_SIZE:
            _, dropped = self._surfaces.popitem(last=False)
            self._texts.pop(id(dropped), None)
        return surface

    def text_of(self, surface: pygame.Surface) -> str | None:
        """The text a cached surface shows (None for a surface not from this cache)."""
        return self._texts.get(id(surface))

    def fitted(self, text: str, size: int, colour: Colour, max_width: int,
               bold: bool = False, min_size: int | None = None) -> pygame.Surface:
        """``text`` at ``size``, smaller until it fits ``max_width`` (down to
        ``min_size``, by default 70 % of ``size``), then cut with an ellipsis."""
        min_size = max(8, int(size * 0.7)) if min_size is None else min_size
        while True:
            surface = self.render(text, size, colour, bold)
            if surface.get_width() <= max_width or size <= min_size:
                break
            size = max(min_size, min(int(size * 0.9),
                                     int(size * max_width / surface.get_width())))
        while surface.get_width() > max_width and len(text) > 1:
            text = text[:-2].rstrip() + "…"
            surface = self.render(text, size, colour, bold)
        return surface
