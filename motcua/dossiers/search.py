"""Finding a procedure by what a citizen types, with or without diacritics.

"dang ky ket hon" finds "Đăng ký kết hôn": both sides are folded to lower-case ASCII
(:func:`fold`: marks dropped, đ → d) and split into words. An item matches when every
typed word starts a word of its name, its field or its code; a typed word with a digit
may also be any part of the code ("000894" finds ``1.000894``). Typos are not corrected.

Ranking, best first:

0. the name is exactly what was typed, or the code is;
1. the name starts with what was typed ("dang ky ket" → "Đăng ký kết hôn", before
   "Đăng ký khai sinh kết hợp …");
2. the typed words appear together, in order, inside the name;
3. every typed word is in the name, in any order;
4. the code starts with what was typed;
5. some words only match the field or the code;

then fewer name words first (the closest name), then catalog order.

Stdlib only: the kiosk searches its retained catalog offline, on every key press, so
the folded words of each text are cached.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Iterable, Protocol, TypeVar

#: Words of the query looked at: a longer query is a paste, not a search.
MAX_QUERY_WORDS = 12
_MAX_QUERY_CHARS = 400


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: ``"Đăng ký"`` → ``"dang ky"``.

    Promises: the result is printable ASCII, words separated by one space, no leading or
    trailing space, and ``fold(fold(t)) == fold(t)``. Characters with no ASCII form
    (other scripts, symbols) become spaces.
    """
    lowered = text.replace("Đ", "d").replace("đ", "d").lower()
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(ch if " " <= ch <= "~" else " "
                   for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


class Searchable(Protocol):
    code: str
    name: str
    field: str


T = TypeVar("T", bound=Searchable)


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``: letters and digits, with dots inside codes kept."""
    spaced = "".join(ch if ch.isalnum() or ch == "." else " " for ch in fold(text))
    return tuple(word for word in (w.strip(".") for w in spaced.split()) if word)


@functools.lru_cache(maxsize=16384)
def _entry(name: str, field: str, code: str) -> tuple[str, str, str, str, int]:
    """What matching needs of one item, computed once: `` name words`` and `` field and
    code words`` (each word after a space, so a word prefix is a substring test), the
    joined code words, the folded code, and the number of name words."""
    name_words = _words(name)
    code_words = _words(code)
    return (" " + " ".join(name_words), " " + " ".join(_words(field) + code_words),
            " ".join(code_words), fold(code), len(name_words))


def _matches(entry: tuple[str, str, str, str, int], wanted: list[str]) -> bool:
    name, other, _, code, _ = entry
    for word in wanted:
        spaced = " " + word
        if spaced in name or spaced in other:
            continue
        # Digits are typed from the middle of a code ("000894" for 1.000894).
        if any(ch.isdigit() for ch in word) and word in code:
            continue
        return False
    return True


def _tier(query: str, wanted: list[str], entry: tuple[str, str, str, str, int]) -> int:
    spaced_name, _, code, _, _ = entry
    if spaced_name[1:] == query or code == query:
        return 0
    if spaced_name.startswith(" " + query):
        return 1
    if " " + query in spaced_name:
        return 2
    if all(" " + word in spaced_name for word in wanted):
        return 3
    if code.startswith(query):
        return 4
    return 5


def search(items: Iterable[T], query: str, limit: int = 20) -> list[T]:
    """The items whose name, field or code hold every typed word, best first (see the
    module's ranking); at most ``limit``. An empty or symbol-only query finds nothing."""
    if not isinstance(query, str) or limit <= 0:
        return []
    wanted = list(_words(query[:_MAX_QUERY_CHARS]))[:MAX_QUERY_WORDS]
    if not wanted:
        return []
    joined = " ".join(wanted)
    ranked: list[tuple[int, int, int, T]] = []
    for index, item in enumerate(items):
        entry = _entry(item.name, item.field, item.code)
        if _matches(entry, wanted):
            ranked.append((_tier(joined, wanted, entry), entry[4], index, item))
    ranked.sort(key=lambda row: row[:3])
    return [row[3] for row in ranked[:limit]]
