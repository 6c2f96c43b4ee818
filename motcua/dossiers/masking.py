"""Personal data as every public surface shows it (kiosk, web lookup, logs of lookups).

Staff see the whole record (``motcua dossier show``); the public sees
``"Nguyễn Văn An"`` as ``"Nguyễn V. A."`` and ``"0912345123"`` as ``"09xx xxx 123"``.
Both functions accept any input, never raise, and never give back more than they
promise: a one-word name shows only its initial, a phone too short to mask shows no digit.
Stdlib only.
"""

from __future__ import annotations

import unicodedata

#: Phones with fewer digits show no digit at all (2 first + 3 last would be most of it).
MIN_MASKED_PHONE_DIGITS = 7


def mask_name(name: object) -> str:
    """Family name whole, every other word as its initial: ``"Nguyễn V. A."``.

    A one-word name shows only its initial (``"An"`` → ``"A."``): that word may be the
    given name. Empty or non-text input gives ``""``.
    """
    if not isinstance(name, str):
        return ""
    words = unicodedata.normalize("NFC", name).split()
    words = ["".join(ch for ch in word if ch.isprintable()) for word in words]
    words = [word for word in words if word]
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0].upper()[:1]}."
    return " ".join([words[0][:40], *(f"{word[0].upper()[:1]}." for word in words[1:])])


def mask_phone(phone: object) -> str:
    """Two first and three last digits, the rest as ``x``, grouped from the end:
    ``"0912345123"`` → ``"09xx xxx 123"``. ``+84`` is written as the national ``0``.
    Fewer than 7 digits (or none) show as ``x`` only, or ``""`` for no digit."""
    if not isinstance(phone, str):
        return ""
    digits = "".join(ch for ch in phone[:64] if ch.isascii() and ch.isdigit())
    if phone.strip().startswith("+84") and len(digits) > 9:
        digits = "0" + digits[2:]
    if not digits:
        return ""
    if len(digits) < MIN_MASKED_PHONE_DIGITS:
        return "x" * len(digits)
    masked = digits[:2] + "x" * (len(digits) - 5) + digits[-3:]
    tail, middle, head = masked[-3:], masked[-6:-3], masked[:-6]
    return " ".join(part for part in (head, middle, tail) if part)
