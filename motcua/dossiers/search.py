"""Finding a procedure by what a citizen types, with or without diacritics.

"dang ky ket hon" finds "Đăng ký kết hôn": both sides are folded to lower-case ASCII
(NFD, marks dropped, đ → d) and every word typed must start a word of the procedure's
name, field or code. Stdlib only: the kiosk searches its retained catalog offline.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Protocol, TypeVar


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: ``"Đăng ký"`` → ``"dang ky"``."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


class Searchable(Protocol):
    code: str
    name: str
    field: str


T = TypeVar("T", bound=Searchable)


def _words(text: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() or ch == "." else " "
                               for ch in fold(text)).split() if w]


def search(items: Iterable[T], query: str, limit: int = 20) -> list[T]:
    """Items whose name, field or code contain every typed word as a word prefix, best
    first: matches in the name before matches in the field, then shorter names."""
    wanted = _words(query)[:12]
    if not wanted:
        return []
    ranked: list[tuple[int, int, int, T]] = []
    for index, item in enumerate(items):
        name_words = _words(item.name)
        other_words = _words(item.field) + _words(item.code)
        in_name = sum(any(w.startswith(q) for w in name_words) for q in wanted)
        if in_name + sum(any(w.startswith(q) for w in other_words)
                         for q in wanted if not any(w.startswith(q) for w in name_words)) \
                < len(wanted):
            continue
        ranked.append((-in_name, len(item.name), index, item))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:limit]]

