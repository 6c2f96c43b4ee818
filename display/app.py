"""The display process's loop: runtime → model → render, and PNG screenshots.

Import :mod:`display.sdl` and call :func:`~display.sdl.prepare_sdl` *before* this module
(it imports pygame). The loop draws a full frame only when the picture changed (new state,
a blink turning on or off, the clock's second) and otherwise redraws just the notice
ticker at ``fps``; between frames it sleeps until the next of those moments or until the
feed wakes it, so an idle board costs little CPU.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame

from display.config import DisplayConfig
from display.feed import AnnouncementFactory, Announcer, BoardFeed
from display.model import BoardModel
from display.render import BoardRenderer
from display.text import TextCache

log = logging.getLogger(__name__)

#: The centers' time zone: the clock on the wall shows it whatever the machine's zone.
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
#: Once the board is there, how long to let the other retained topics arrive.
SETTLE_S = 0.3


def vietnam_now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE)


def save_png(surface: pygame.Surface, path: Path) -> Path:
    """Write ``surface`` to ``path`` as PNG, atomically (a viewer never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.png")
    pygame.image.save(surface, str(partial))
    os.replace(partial, path)
    return path


class BoardLoop:
    """One board on one pygame surface: :meth:`frame` draws when needed, :meth:`run` loops.

    Args:
        config: the display configuration.
        feed: where the model's data comes from (its :attr:`~BoardFeed.model` is drawn).
        surface: the screen (``pygame.display.set_mode``) or any surface.
        clock: monotonic seconds, the same clock the model blinks with.
        wall_clock: the time shown on the board.
    """

    def __init__(self, config: DisplayConfig, feed: BoardFeed, surface: pygame.Surface, *,
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], dt.datetime] = vietnam_now,
                 wake: threading.Event | None = None) -> None:
        self.config = config
        self.feed = feed
        self.model = feed.model
        self.surface = surface
        self.renderer = BoardRenderer(surface, config, TextCache(config.font_path(),
                                                                 config.font_path(bold=True)))
        self.wake = wake or threading.Event()
        self._clock = clock
        self._wall_clock = wall_clock
        self._started = clock()
        self._last_key: tuple | None = None
        self.frames = 0
        self.ticker_frames = 0
        self._ticker_moves = bool(config.display.notices) and config.display.ticker_speed_px_s > 0

    def frame(self, *, force: bool = False) -> bool:
        """Refresh the model if woken, draw a full frame if the picture changed (or
        ``force``), else only the ticker; returns whether a full frame was drawn."""
        if self.wake.is_set():
            self.wake.clear()
            self.feed.refresh()
        view = self.model.view()
        wall = self._wall_clock()
        key = (view.frame_key(), wall.replace(microsecond=0))
        elapsed = self._clock() - self._started
        if force or key != self._last_key:
            self.renderer.draw(view, wall, elapsed)
            self._present(None)
            self._last_key = key
            self.frames += 1
            return True
        if self._ticker_moves:
            self._present(self.renderer.draw_ticker(elapsed))
            self.ticker_frames += 1
        return False

    def _present(self, rect: pygame.Rect | None) -> None:
        if pygame.display.get_init() and pygame.display.get_surface() is self.surface:
            if rect is None:
                pygame.display.flip()
            else:
                pygame.display.update(rect)

    def sleep_s(self) -> float:
        """How long the loop may sleep before the picture changes by itself."""
        wall = self._wall_clock()
        waits = [1.0 - wall.microsecond / 1e6 + 0.002]
        if self._ticker_moves:
            waits.append(1.0 / self.config.display.fps)
        blink = self.model.next_change_in()
        if blink is not None:
            waits.append(blink)
        return max(0.005, min(waits))

    def save(self, path: Path) -> Path:
        return save_png(self.surface, path)

    def run(self, stop: threading.Event, *, screenshot_every_s: float = 0.0,
            screenshot_path: Path | None = None) -> None:
        """Loop until ``stop`` is set (or the window is closed, or Esc / q is pressed)."""
        next_shot = self._clock() if screenshot_every_s > 0 and screenshot_path else None
        while not stop.is_set():
            for event in pygame.event.get() if pygame.display.get_init() else ():
                if event.type == pygame.QUIT or (
                        event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE,
                                                                       pygame.K_q)):
                    stop.set()
            self.frame()
            if next_shot is not None and self._clock() >= next_shot:
                try:
                    self.save(screenshot_path)  # type: ignore[arg-type]
                except (OSError, pygame.error) as exc:
                    log.warning("screenshot %s not written: %s", screenshot_path, exc)
                next_shot = self._clock() + screenshot_every_s
            self.wake.wait(self.sleep_s())


def open_screen(config: DisplayConfig, headless: bool) -> pygame.Surface:
    """Initialise pygame's display and open the board's window (full screen if asked)."""
    pygame.display.init()
    pygame.font.init()
    flags = pygame.FULLSCREEN if config.display.fullscreen and not headless else 0
    surface = pygame.display.set_mode(config.display.size, flags)
    pygame.display.set_caption(config.display.center_name)
    if not headless:
        pygame.mouse.set_visible(False)
    return surface


def build_board(config: DisplayConfig, surface: pygame.Surface, *,
                announcer: Announcer | None = None,
                announcement_factory: AnnouncementFactory | None = None,
                clock: Callable[[], float] = time.monotonic) -> BoardLoop:
    """The feed, the model and the loop of one display, wired together (not started)."""
    section = config.display
    wake = threading.Event()
    model = BoardModel(clock, blink_s=section.blink_s, recent_limit=section.recent_calls)
    feed = BoardFeed(mqtt_url=section.mqtt_url, site=section.site, display_id=section.id,
                     model=model, announcer=announcer,
                     announcement_factory=announcement_factory, on_change=wake.set)
    return BoardLoop(config, feed, surface, clock=clock, wake=wake)


def wait_for_state(loop: BoardLoop, wait_s: float, clock: Callable[[], float] = time.monotonic,
                   ) -> bool:
    """Wait up to ``wait_s`` for the hub's retained board (online, with state); returns
    whether it came."""
    deadline = clock() + wait_s
    while True:
        loop.feed.refresh()
        view = loop.model.view()
        if view.online and view.has_state:
            # Retained topics come in a burst: let the rest of it land too.
            time.sleep(SETTLE_S)
            loop.feed.refresh()
            return True
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        loop.wake.wait(min(remaining, 0.1))
        loop.wake.clear()
