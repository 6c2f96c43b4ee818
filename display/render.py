"""Drawing one frame of the lobby board into a pygame surface.

Layout (sizes scale with the screen height; 1080 p is the reference):

* header: logo and center name on the left, clock and Vietnamese date on the right;
* call banner: "Xin mời số A015 đến Quầy 3", on the accent colour and blinking while the
  call is new;
* body: one tile per counter (its name, number and status; a tile blinks while its call
  is new) on the left; waiting counts per service and the last calls on the right;
* the notice ticker along the bottom, and above it, only while the hub cannot be reached,
  a small red "Mất kết nối máy chủ — đang thử lại" label.

:class:`BoardRenderer` draws a :class:`~display.model.BoardView` and keeps nothing between
frames except cached text surfaces and the logo.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path

import pygame

from display import strings
from display.config import DisplayConfig
from display.model import BoardView, CallView, CounterView
from display.text import TextCache

log = logging.getLogger(__name__)

TICKER_GAP = "      •      "
_STATUS_KEYS = {"paused": "status_paused", "closed": "status_closed",
                "unknown": "status_unknown"}


def grid_shape(count: int, width: float, height: float, aspect: float = 1.5) -> tuple[int, int]:
    """Columns and rows that give ``count`` tiles the largest size near ``aspect`` (w/h)."""
    best, best_size = (1, max(count, 1)), -1.0
    for columns in range(1, max(count, 1) + 1):
        rows = math.ceil(max(count, 1) / columns)
        size = min(width / columns / aspect, height / rows)
        if size > best_size:
            best, best_size = (columns, rows), size
    return best


def split_counter_name(name: str) -> tuple[str, str]:
    """``"Quầy 2 – Đăng ký kinh doanh"`` → ``("Quầy 2", "Đăng ký kinh doanh")``: the
    counter's own name large, what it serves beside it in smaller type."""
    for dash in (" – ", " — ", " - "):
        head, found, tail = name.partition(dash)
        if found and head.strip() and tail.strip():
            return head.strip(), tail.strip()
    return name, ""


class BoardRenderer:
    """Draws frames of the board for one configuration onto ``surface``."""

    def __init__(self, surface: pygame.Surface, config: DisplayConfig, texts: TextCache) -> None:
        self.surface = surface
        self.config = config
        self.texts = texts
        self.width, self.height = surface.get_size()
        # 1080p is the reference; a portrait or narrow screen scales by its width instead,
        # so the header, banner and side panel still fit across it.
        self.u = min(self.height / 1080.0, self.width / 1920.0)
        self.colours = {name: config.theme.rgb(name) for name in type(config.theme).model_fields}
        self.logo = self._load_logo(config)
        self._ticker_text = TICKER_GAP.join(line.strip() for line in config.display.notices
                                            if line.strip())
        ticker_h = round(72 * self.u)
        self.ticker_rect = pygame.Rect(0, self.height - ticker_h, self.width, ticker_h)
        self._offline = False
        #: When a list, every text drawn is appended as ``(text, rect)`` (tests, layout).
        self.placed: list[tuple[str | None, pygame.Rect]] | None = None

    def _blit(self, text: pygame.Surface, where) -> None:
        rect = self.surface.blit(text, where)
        if self.placed is not None:
            self.placed.append((self.texts.text_of(text), rect))

    def px(self, value: float) -> int:
        return max(1, round(value * self.u))

    # ------------------------------------------------------------ frame

    def draw(self, view: BoardView, now: dt.datetime, elapsed_s: float) -> None:
        """Draw the whole frame: ``now`` for the clock, ``elapsed_s`` for the ticker."""
        c = self.colours
        self.surface.fill(c["background"])
        header_h = self.px(120)
        self._header(pygame.Rect(0, 0, self.width, header_h), now)
        margin = self.px(18)
        banner = pygame.Rect(margin, header_h + margin, self.width - 2 * margin, self.px(190))
        self._banner(banner, view)
        body_top = banner.bottom + margin
        body_bottom = self.ticker_rect.top - margin
        side_w = round((self.width - 3 * margin) * 0.31)
        grid = pygame.Rect(margin, body_top, self.width - 3 * margin - side_w,
                           body_bottom - body_top)
        side = pygame.Rect(grid.right + margin, body_top, side_w, grid.height)
        self._counters(grid, view.counters, waiting=not view.has_state)
        self._sidebar(side, view)
        self._offline = not view.online
        self.draw_ticker(elapsed_s)

    def draw_ticker(self, elapsed_s: float) -> pygame.Rect:
        """Draw only the ticker strip (between full frames); returns its rectangle.

        While the hub is unreachable, the offline label sits at the strip's right end
        and the notices scroll in the rest: out of the way of the numbers citizens watch.
        """
        rect = self.ticker_rect
        self.surface.fill(self.colours["ticker"], rect)
        scroll = rect.copy()
        if self._offline:
            label = self.offline_label_rect()
            scroll.width = label.left - self.px(12)
        if self._ticker_text:
            text = self.texts.render(self._ticker_text + TICKER_GAP, self.px(36),
                                     self.colours["text"])
            period = text.get_width()
            offset = (elapsed_s * self.config.display.ticker_speed_px_s) % period
            y = rect.centery - text.get_height() // 2
            x = scroll.width - offset if period < scroll.width else -offset
            self.surface.set_clip(scroll)
            while x < scroll.width:
                self._blit(text, (x, y))
                x += period
            self.surface.set_clip(None)
        if self._offline:
            self._offline_label()
        return rect

    # ------------------------------------------------------------ parts

    def _header(self, rect: pygame.Rect, now: dt.datetime) -> None:
        c = self.colours
        self.surface.fill(c["panel"], rect)
        x = self.px(28)
        if self.logo is not None:
            self.surface.blit(self.logo, (x, rect.centery - self.logo.get_height() // 2))
            x += self.logo.get_width() + self.px(20)
        clock = self.texts.render(now.strftime("%H:%M:%S"), self.px(64), c["text"], bold=True)
        date = self.texts.render(strings.vietnamese_date(now), self.px(30), c["muted"])
        right = rect.right - self.px(28)
        self._blit(clock, (right - clock.get_width(), rect.top + self.px(8)))
        self._blit(date, (right - date.get_width(), rect.bottom - date.get_height()
                                 - self.px(8)))
        room = right - max(clock.get_width(), date.get_width()) - self.px(40) - x
        name = self.texts.fitted(self.config.display.center_name, self.px(46), c["text"],
                                 room, bold=True)
        self._blit(name, (x, rect.centery - name.get_height() // 2))

    def _banner(self, rect: pygame.Rect, view: BoardView) -> None:
        c = self.colours
        call = view.latest
        lit = view.latest_blinking and view.latest_lit
        background = c["accent"] if lit else c["panel"]
        pygame.draw.rect(self.surface, background, rect, border_radius=self.px(16))
        if view.latest_blinking and not lit:
            pygame.draw.rect(self.surface, c["accent"], rect, width=self.px(6),
                             border_radius=self.px(16))
        if call is None:
            welcome = self.texts.fitted(strings.text("welcome"), self.px(72), c["text"],
                                        rect.width - self.px(40), bold=True)
            self._blit(welcome, welcome.get_rect(center=rect.center))
            return
        words = c["accent_text"] if lit else c["text"]
        number = c["accent_text"] if lit else c["number"]
        parts = [(strings.text("now_calling"), self.px(56), words, False),
                 (call.ticket, self.px(128), number, True),
                 (strings.text("to_counter"), self.px(56), words, False),
                 (strings.text("counter_number", counter=call.counter), self.px(96), number,
                  True)]
        if call.recall:
            parts.append((f"({strings.text('recall')})", self.px(44), words, False))
        self._centred_row(rect, parts, gap=self.px(36))

    def _centred_row(self, rect: pygame.Rect, parts, gap: int) -> None:
        surfaces = [self.texts.render(text, size, colour, bold)
                    for text, size, colour, bold in parts]
        total = sum(s.get_width() for s in surfaces) + gap * (len(surfaces) - 1)
        scale = min(1.0, (rect.width - self.px(40)) / total) if total else 1.0
        if scale < 1.0:  # long center names or recalls: shrink the whole row evenly
            surfaces = [self.texts.render(text, max(12, int(size * scale)), colour, bold)
                        for text, size, colour, bold in parts]
            gap = int(gap * scale)
            total = sum(s.get_width() for s in surfaces) + gap * (len(surfaces) - 1)
        x = rect.centerx - total // 2
        # Align on a common baseline: the big number's bottom, less its descent share.
        baseline = rect.centery + max(s.get_height() for s in surfaces) // 3
        for (text, size, _, bold), surface in zip(parts, surfaces):
            ascent = self.texts.font(int(size * scale), bold).get_ascent()
            self._blit(surface, (x, baseline - ascent))
            x += surface.get_width() + gap

    def _counters(self, area: pygame.Rect, counters: tuple[CounterView, ...],
                  waiting: bool) -> None:
        c = self.colours
        if not counters:
            empty = self.texts.render(strings.text("waiting_for_hub" if waiting else
                                                   "no_counters"), self.px(40), c["muted"])
            self._blit(empty, empty.get_rect(center=area.center))
            return
        columns, rows = grid_shape(len(counters), area.width, area.height)
        gap = self.px(14)
        tile_w = (area.width - gap * (columns - 1)) // columns
        tile_h = (area.height - gap * (rows - 1)) // rows
        for index, counter in enumerate(counters):
            row, column = divmod(index, columns)
            tile = pygame.Rect(area.left + column * (tile_w + gap),
                               area.top + row * (tile_h + gap), tile_w, tile_h)
            self._tile(tile, counter)

    def _tile(self, tile: pygame.Rect, counter: CounterView) -> None:
        c = self.colours
        lit = counter.blinking and counter.lit
        pygame.draw.rect(self.surface, c["accent"] if lit else c["panel"], tile,
                         border_radius=self.px(12))
        if counter.blinking and not lit:
            pygame.draw.rect(self.surface, c["accent"], tile, width=self.px(5),
                             border_radius=self.px(12))
        pad = max(4, tile.height // 14)
        closed = counter.status == "closed"
        label_colour = c["accent_text"] if lit else (c["closed"] if closed else c["muted"])
        title, detail = split_counter_name(counter.name)
        name = self.texts.fitted(title, max(12, tile.height // 8), label_colour,
                                 tile.width - 2 * pad, bold=True)
        self._blit(name, (tile.left + pad, tile.top + pad))
        if detail:
            sub = self.texts.fitted(detail, max(10, tile.height // 12), label_colour,
                                    tile.width - 2 * pad - name.get_width() - pad)
            self._blit(sub, (tile.left + 2 * pad + name.get_width(),
                             tile.top + pad + name.get_height() - sub.get_height()))
        number_colour = c["accent_text"] if lit else (c["closed"] if closed else c["number"])
        number = self.texts.fitted(counter.ticket or strings.text("no_ticket"),
                                   max(14, int(tile.height * 0.42)), number_colour,
                                   tile.width - 2 * pad, bold=True, min_size=10)
        middle = tile.top + pad + name.get_height() + (tile.height - name.get_height()) // 2
        self._blit(number, number.get_rect(center=(tile.centerx, middle - pad)))
        status, status_colour = self._status(counter)
        if lit:
            status_colour = c["accent_text"]
        label = self.texts.fitted(status, max(11, tile.height // 8), status_colour,
                                  tile.width - 2 * pad)
        self._blit(label, (tile.left + pad, tile.bottom - pad - label.get_height()))

    def _status(self, counter: CounterView) -> tuple[str, tuple[int, int, int]]:
        c = self.colours
        if counter.status == "open":
            key = "status_serving" if counter.ticket else "status_open"
            return strings.text(key), c["text"]
        colour = {"paused": c["paused"], "closed": c["closed"]}.get(counter.status, c["muted"])
        return strings.text(_STATUS_KEYS[counter.status]), colour

    def _sidebar(self, area: pygame.Rect, view: BoardView) -> None:
        c = self.colours
        pygame.draw.rect(self.surface, c["panel"], area, border_radius=self.px(12))
        pad = self.px(22)
        row_h = self.px(42)
        x, right = area.left + pad, area.right - pad
        y = area.top + pad
        title = self.texts.fitted(strings.text("waiting_title"), self.px(36), c["accent"],
                                  right - x, bold=True)
        self._blit(title, (x, y))
        y += title.get_height() + self.px(10)
        recent_needed = self.px(64) + row_h * min(len(view.recent), 3)
        for service in view.services:
            if y + row_h > area.bottom - pad - recent_needed:
                break
            count = self.texts.render(str(service.waiting), self.px(36), c["number"], bold=True)
            name = self.texts.fitted(service.name, self.px(30), c["text"],
                                     right - x - count.get_width() - self.px(16))
            self._blit(name, (x, y + (row_h - name.get_height()) // 2))
            self._blit(count, (right - count.get_width(),
                                      y + (row_h - count.get_height()) // 2))
            y += row_h
        y += self.px(14)
        pygame.draw.line(self.surface, c["muted"], (x, y), (right, y), self.px(2))
        y += self.px(16)
        title = self.texts.fitted(strings.text("recent_title"), self.px(36), c["accent"],
                                  right - x, bold=True)
        self._blit(title, (x, y))
        y += title.get_height() + self.px(10)
        for call in view.recent:
            if y + row_h > area.bottom - pad:
                break
            self._recent_row(call, x, right, y, row_h)
            y += row_h

    def _recent_row(self, call: CallView, x: int, right: int, y: int, row_h: int) -> None:
        c = self.colours
        ticket = self.texts.render(call.ticket, self.px(36), c["number"], bold=True)
        counter = self.texts.render("→ " + strings.text("counter_number", counter=call.counter),
                                    self.px(32), c["text"])
        self._blit(ticket, (x, y + (row_h - ticket.get_height()) // 2))
        counter_x = x + max(self.px(150), ticket.get_width() + self.px(16))
        self._blit(counter, (counter_x, y + (row_h - counter.get_height()) // 2))
        room = right - counter_x - counter.get_width() - self.px(16)
        if call.at is not None and room >= self.px(80):  # the time goes first when narrow
            at = self.texts.render(call.at.strftime("%H:%M"), self.px(28), c["muted"])
            self._blit(at, (right - at.get_width(), y + (row_h - at.get_height()) // 2))

    def _offline_label(self) -> None:
        c = self.colours
        text = self.texts.render(strings.text("offline"), self.px(28), c["text"], bold=True)
        rect = self.offline_label_rect()
        pygame.draw.rect(self.surface, c["offline"], rect, border_radius=self.px(10))
        self._blit(text, text.get_rect(center=rect.center))

    def offline_label_rect(self) -> pygame.Rect:
        """Where the offline label goes (tests look at its pixels)."""
        text = self.texts.render(strings.text("offline"), self.px(28), self.colours["text"],
                                 bold=True)
        rect = text.get_rect().inflate(2 * self.px(12), self.px(12))
        rect.midright = (self.width - self.px(18), self.ticker_rect.centery)
        return rect

    # ------------------------------------------------------------ logo

    def _load_logo(self, config: DisplayConfig) -> pygame.Surface | None:
        if config.display.logo is None:
            return None
        path: Path = config.resolve(config.display.logo)
        try:
            logo = pygame.image.load(str(path))
        except (pygame.error, FileNotFoundError) as exc:
            log.warning("logo %s not shown: %s", path, exc)
            return None
        target_h = self.px(96)
        scale = target_h / max(1, logo.get_height())
        return pygame.transform.smoothscale(
            logo, (max(1, round(logo.get_width() * scale)), target_h))
