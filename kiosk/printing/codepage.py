"""Vietnamese in Windows-1258, for the profiles where that code page was tested on paper.

Python's ``cp1258`` codec cannot encode precomposed letters such as ố or ự: Windows-1258
has the base letters (ô, ơ, ư, ă, â, ê, đ) and five combining tone marks, so each such
letter is sent as its base followed by the mark (ố → ô + U+0301 → ``F4 EC``).
"""

from __future__ import annotations

import unicodedata

#: The five Vietnamese tone marks, which cp1258 has as combining characters.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _encode_char(char: str) -> bytes | None:
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
    tones = "".join(c for c in decomposed if c in TONE_MARKS)
    try:
        return (base + tones).encode("cp1258")
    except UnicodeEncodeError:
        return None


def can_encode_cp1258(text: str) -> bool:
    """Whether every character of ``text`` has a Windows-1258 spelling."""
    return all(_encode_char(char) is not None for char in unicodedata.normalize("NFC", text))


def encode_cp1258(text: str) -> bytes:
    """``text`` in Windows-1258 with tone marks split off.

    Raises:
        UnicodeEncodeError: a character has no Windows-1258 spelling (check first with
            :func:`can_encode_cp1258`; nothing is silently replaced by '?').
    """
    out = bytearray()
    normalized = unicodedata.normalize("NFC", text)
    for index, char in enumerate(normalized):
        encoded = _encode_char(char)
        if encoded is None:
            raise UnicodeEncodeError("cp1258", normalized, index, index + 1,
                                     "no Windows-1258 spelling")
        out += encoded
    return bytes(out)
