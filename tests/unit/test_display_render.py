"""The board drawn headless (SDL dummy driver) into PNG: Vietnamese text drawn with
DejaVuSans, diacritics and all, checked pixel by pixel against DejaVu's own rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from display.sdl import prepare_sdl

prepare_sdl(headless=True)

import pygame  # noqa: E402

from display.app import save_png  # noqa: E402
from display.config import DisplayConfig, find_font  # noqa: E402
from display.model import BoardModel  # noqa: E402
from display.render import BoardRenderer, grid_shape  # noqa: E402
from display.text import TextCache  # noqa: E402

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 30, 9, 41, 32, tzinfo=VN)
PANEL = (0x13, 0x30, 0x4F)
WHITE = (0xFF, 0xFF, 0xFF)


@pytest.fixture(scope="module", autouse=True)
def fonts():
    pygame.font.init()
    yield


def board_model(online: bool = True) -> BoardModel:
    model = BoardModel(lambda: 100.0, blink_s=8.0)
    model.update_retained({
        "epoch": "e1", "seq": 5, "at": "2026-11-30T09:41:00+07:00",
        "counters": [
            {"counter": 1, "name": "Quầy 1 – Đất đai", "status": "open", "ticket": "A015"},
            {"counter": 2, "name": "Quầy 2 – Hộ tịch", "status": "paused", "ticket": None},
        ],
        "services": [{"code": "ho-tich", "name": "Hộ tịch", "waiting": 4},
                     {"code": "dat-dai", "name": "Đất đai", "waiting": 12}],
        "recent": [{"ticket": "A015", "counter": 1, "service": "dat-dai",
                    "at": "2026-11-30T09:41:00+07:00"}],
    })
    model.set_online(online)
    return model


def draw(model: BoardModel, size=(1920, 1080)) -> tuple[pygame.Surface, BoardRenderer]:
    config = DisplayConfig()
    surface = pygame.Surface(size)
    renderer = BoardRenderer(surface, config, TextCache(config.font_path(),
                                                        config.font_path(bold=True)))
    renderer.placed = []
    renderer.draw(model.view(), NOW, 0.0)
    return surface, renderer


def placed_rect(renderer: BoardRenderer, text: str, within: pygame.Rect | None = None,
                ) -> pygame.Rect:
    """Where ``text`` was drawn (inside ``within``, if given)."""
    rects = [rect for drawn, rect in renderer.placed
             if drawn == text and (within is None or within.contains(rect))]
    assert rects, f"{text!r} not drawn; drawn: {[t for t, _ in renderer.placed]}"
    return rects[0]


def sidebar(surface: pygame.Surface) -> pygame.Rect:
    """The right third of the body, where the waiting counts are listed."""
    width, height = surface.get_size()
    return pygame.Rect(width * 2 // 3, height // 4, width // 3, height * 3 // 4)


def reference(text: str, size: int, rect: pygame.Rect) -> bytes:
    """DejaVuSans's own rendering of ``text``, white on the panel, as RGB bytes."""
    font = pygame.font.Font(str(find_font("DejaVuSans.ttf")), size)
    surface = pygame.Surface(rect.size)
    surface.fill(PANEL)
    surface.blit(font.render(text, True, WHITE), (0, 0))
    return pygame.image.tobytes(surface, "RGB")


def crop(surface: pygame.Surface, rect: pygame.Rect) -> bytes:
    return pygame.image.tobytes(surface.subsurface(rect), "RGB")


@pytest.mark.parametrize(("text", "bare"), [("Hộ tịch", "Ho tich"), ("Đất đai", "Dat dai")])
def test_service_names_keep_their_diacritics_in_the_png(tmp_path: Path, text, bare):
    """Given a board with the services Hộ tịch and Đất đai, when it is drawn headless and
    saved as PNG, then the name's pixels in the PNG equal DejaVuSans's own rendering of
    the Vietnamese text at 30 px, and differ from the same letters without diacritics and
    from pygame's default font (which draws boxes)."""
    surface, renderer = draw(board_model())
    path = save_png(surface, tmp_path / "board.png")
    png = pygame.image.load(str(path))
    assert png.get_size() == (1920, 1080)
    rect = placed_rect(renderer, text, within=sidebar(surface))
    pixels = crop(png, rect)
    assert pixels == reference(text, 30, rect)
    assert pixels != reference(bare, 30, rect)
    default = pygame.Surface(rect.size)
    default.fill(PANEL)
    default.blit(pygame.font.Font(None, 30).render(text, True, WHITE), (0, 0))
    assert pixels != pygame.image.tobytes(default, "RGB")


def test_diacritics_add_ink_above_and_below_the_base_letters():
    """Given "Hộ tịch" drawn on the board, when its rows are compared with "Ho tich" drawn
    by the same font, then the board's text has ink in rows where the bare letters have
    none (the circumflex above ô, the dots below ộ and ị)."""
    surface, renderer = draw(board_model())
    rect = placed_rect(renderer, "Hộ tịch", within=sidebar(surface))
    font = pygame.font.Font(str(find_font("DejaVuSans.ttf")), 30)
    bare = font.render("Ho tich", True, WHITE)

    def inked_rows(source: pygame.Surface, area: pygame.Rect, background) -> set[int]:
        return {y for y in range(area.height) for x in range(area.width)
                if source.get_at((area.x + x, area.y + y))[:3] != background}

    board_rows = inked_rows(surface, rect, PANEL)
    bare_surface = pygame.Surface(bare.get_size())
    bare_surface.fill(PANEL)
    bare_surface.blit(bare, (0, 0))
    bare_rows = inked_rows(bare_surface, bare_surface.get_rect(), PANEL)
    assert min(board_rows) < min(bare_rows) or max(board_rows) > max(bare_rows)
    assert len(board_rows - bare_rows) >= 3


def test_the_header_shows_the_vietnamese_date_and_the_clock():
    """Given Monday 30 November 2026 09:41:32, when the board is drawn, then the header
    holds "Thứ Hai, 30/11/2026" and "09:41:32", and the call banner "A015" → "Quầy 1"."""
    _, renderer = draw(board_model())
    texts = [text for text, _ in renderer.placed]
    assert "Thứ Hai, 30/11/2026" in texts and "09:41:32" in texts
    assert {"Xin mời số", "A015", "đến", "Quầy 1"} <= set(texts)
    assert {"Đang phục vụ", "Tạm nghỉ", "Đang chờ", "Số vừa gọi", "12"} <= set(texts)


def test_the_offline_label_shows_only_while_offline():
    """Given an offline board, when it is drawn, then the red label "Mất kết nối máy chủ —
    đang thử lại" sits in the ticker strip; online, it is not drawn."""
    surface, renderer = draw(board_model(online=False))
    rect = placed_rect(renderer, "Mất kết nối máy chủ — đang thử lại")
    assert renderer.ticker_rect.contains(rect)
    label = renderer.offline_label_rect()
    assert surface.get_at((label.left + 3, label.centery))[:3] == (0xB3, 0x26, 0x1E)
    _, online = draw(board_model(online=True))
    assert "Mất kết nối máy chủ — đang thử lại" not in [text for text, _ in online.placed]


def test_nfd_input_draws_the_same_as_nfc():
    """Given a name typed in decomposed form (NFD), when the text cache renders it, then
    the pixels equal those of the composed (NFC) form."""
    import unicodedata

    cache = TextCache(find_font("DejaVuSans.ttf"))
    nfc = cache.render("Quầy số", 40, WHITE)
    nfd = cache.render(unicodedata.normalize("NFD", "Quầy số"), 40, WHITE)
    assert pygame.image.tobytes(nfc, "RGBA") == pygame.image.tobytes(nfd, "RGBA")


def test_the_text_cache_renders_each_text_once():
    """Given a board drawn once, when the same view is drawn again, then every text comes
    from the cache (no new renders)."""
    model = board_model()
    surface, renderer = draw(model)
    misses = renderer.texts.misses
    renderer.draw(model.view(), NOW, 0.0)
    assert renderer.texts.misses == misses and renderer.texts.hits > 0


@pytest.mark.parametrize(("count", "shape"), [(1, (1, 1)), (6, (3, 2)), (30, (6, 5))])
def test_counters_are_laid_out_in_a_grid_near_the_tile_shape(count, shape):
    """Given the 1,290 × 660 px area of a 1080p board, when 1, 6 or 30 counters are laid
    out, then the grid is 1×1, 3×2 or 6×5 (columns × rows)."""
    assert grid_shape(count, 1290, 660) == shape


@pytest.mark.parametrize(("name", "parts"), [
    ("Quầy 2 – Đăng ký kinh doanh", ("Quầy 2", "Đăng ký kinh doanh")),
    ("Quầy 3 - Hộ tịch, Chứng thực", ("Quầy 3", "Hộ tịch, Chứng thực")),
    ("Quầy liên thông", ("Quầy liên thông", "")),
    (" – Đất đai", (" – Đất đai", "")),
])
def test_a_counter_name_splits_into_its_title_and_what_it_serves(name, parts):
    """Given a counter's name, when a tile is drawn, then the part before the dash is the
    title and the rest the smaller detail; a name without a dash stays whole."""
    from display.render import split_counter_name

    assert split_counter_name(name) == parts


def test_the_logo_is_drawn_left_of_the_center_name(tmp_path):
    """Given a red 200×100 logo file in the configuration, when the board is drawn, then
    the header's left end is red (the logo, scaled to 96 px high) and the center name
    starts right of it."""
    from display.config import DisplaySection

    logo = pygame.Surface((200, 100))
    logo.fill((255, 0, 0))
    pygame.image.save(logo, str(tmp_path / "logo.png"))
    config = DisplayConfig(display=DisplaySection(logo=Path("logo.png")), base_dir=tmp_path)
    surface = pygame.Surface((1920, 1080))
    renderer = BoardRenderer(surface, config, TextCache(config.font_path(),
                                                        config.font_path(bold=True)))
    renderer.placed = []
    renderer.draw(board_model().view(), NOW, 0.0)
    assert renderer.logo.get_size() == (192, 96)
    red, green, blue = surface.get_at((40, 60))[:3]
    assert red >= 240 and green <= 10 and blue <= 10  # smoothscale rounds a little
    assert placed_rect(renderer, config.display.center_name).left >= 28 + 192 + 20


def test_a_recall_is_shown_as_a_recall_in_the_banner():
    """Given A015 called again to counter 1 (recall 1), when the board is drawn, then the
    banner reads "Xin mời số A015 đến Quầy 1 (Gọi lại)"."""
    model = board_model()
    model.accept_called({"epoch": "e1", "seq": 6, "ticket": "A015", "counter": 1,
                         "service": "dat-dai", "recall": 1, "at": "2026-11-30T09:42:00+07:00"})
    _, renderer = draw(model)
    banner = [text for text, rect in renderer.placed if 120 < rect.centery < 340]
    assert banner == ["Xin mời số", "A015", "đến", "Quầy 1", "(Gọi lại)"]


@pytest.mark.parametrize("size", [(640, 360), (1080, 1920), (3840, 2160)])
@pytest.mark.parametrize("counters", [0, 1, 60])
def test_any_screen_size_and_number_of_counters_draws(size, counters):
    """Given a small, a portrait and a 4K screen, when boards of 0, 1 and 60 counters
    (with long names) are drawn, offline, then every counter's number is drawn inside the
    screen and nothing raises."""
    model = BoardModel(lambda: 100.0)
    model.update_retained({"epoch": "e", "seq": 1, "counters": [
        {"counter": n, "name": f"Quầy {n} – Lao động – Thương binh và Xã hội, Chứng thực",
         "status": "open", "ticket": f"E{n:03d}"} for n in range(1, counters + 1)],
        "services": [{"code": "lao-dong", "name": "Lao động – Thương binh và Xã hội",
                      "waiting": 1234567}], "recent": []})
    surface, renderer = draw(model, size)
    screen = surface.get_rect()
    numbers = [rect for text, rect in renderer.placed
               if text is not None and text.startswith("E") and text[1:].isdigit()]
    assert len(numbers) == counters
    assert all(screen.contains(rect) for rect in numbers)
