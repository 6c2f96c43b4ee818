"""The web board's catalog (motcua/server/board_text.py) and the keys its script uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from motcua.server.board_text import LANGUAGES, TEXTS, catalog, counter_status_key, text

SCRIPT = Path(__file__).resolve().parents[2] / "motcua" / "server" / "static" / "board.js"


def test_every_key_the_script_uses_is_in_the_catalog():
    """Given board.js, when the literal keys it passes to t() are collected,
    then each is in the catalog, as are the weekday and status families it builds."""
    source = SCRIPT.read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([a-z_]+)"', source))

    assert used == {"counter", "no_call_yet", "no_number", "recall", "sound_hint",
                    "to_counter"}
    assert used <= TEXTS.keys()
    assert {f"weekday.{day}" for day in range(7)} <= TEXTS.keys()
    assert {"status.open", "status.open_idle", "status.paused", "status.closed"} <= TEXTS.keys()


def test_every_text_has_vietnamese_and_english():
    """Every catalog entry has a non-empty Vietnamese and English text, with the same
    placeholders in both."""
    for key, (vietnamese, english) in TEXTS.items():
        assert vietnamese.strip() and english.strip(), key
        assert re.findall(r"\{\w+\}", vietnamese) == re.findall(r"\{\w+\}", english), key
    assert list(catalog()) == list(LANGUAGES) == ["vi", "en"]


@pytest.mark.parametrize("key, language, params, expected", [
    ("offline", "vi", {}, "Mất kết nối máy chủ — đang thử lại"),
    ("sound_hint", "vi", {}, "Bật âm thanh (Turn sound on)"),
    ("to_counter", "vi", {"counter": 3}, "đến quầy 3"),
    ("recall", "vi", {"recall": 2}, "Gọi lại lần 2"),
    ("waiting", "vi", {}, "Đang chờ"),
    ("weekday.1", "vi", {}, "Thứ Hai"),
    ("weekday.0", "vi", {}, "Chủ Nhật"),
    ("to_counter", "en", {"counter": 3}, "to counter 3"),
])
def test_texts_are_filled(key, language, params, expected):
    """When a text is asked with its parameters, then it reads exactly as expected."""
    assert text(key, language, **params) == expected


@pytest.mark.parametrize("status, ticket, expected", [
    ("open", "A001", "Đang phục vụ"), ("open", None, "Sẵn sàng"),
    ("paused", None, "Tạm nghỉ"), ("closed", None, "Đóng"),
])
def test_a_counters_status_line(status, ticket, expected):
    """An open counter with a ticket is serving, without one it is ready."""
    assert text(counter_status_key(status, ticket)) == expected
