"""How ticket and counter numbers are read aloud in Vietnamese (domain guide, section 6).

Pure: standard library only, no I/O, so the hub's web board can reuse it.

Two readings of a ticket, never mixed within one ticket:

* ``"whole"`` (the default): the letters by their Vietnamese names, leading zeros dropped,
  the rest read as a quantity: ``A015`` -> ``A mười lăm``, ``C1005`` -> ``C một nghìn không
  trăm linh năm``;
* ``"digits"``: the letters, then every digit by its plain name: ``A015`` -> ``A không một
  năm`` (never ``lăm``, ``mốt`` or ``tư``, which exist only after mười/mươi).

Counter numbers are always read whole (``quầy số mười hai``).

Words are returned as written: a letter stays the letter (``"A"``, ``"B"``), so the words
read like the printed ticket; :func:`letter_name` gives the name it is spoken by (``bê``),
and the clip that speaks it is found by :func:`motcua.speech.phrases.clips_for`.
"""

from __future__ import annotations

import re
from typing import Literal

Mode = Literal["whole", "digits"]
Dialect = Literal["north", "south"]
MODES: tuple[str, ...] = ("whole", "digits")
DIALECTS: tuple[str, ...] = ("north", "south")

#: Plain digit names, used alone and in digit-by-digit reading.
DIGITS: tuple[str, ...] = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

#: Words that differ between Northern and Southern speech (zero tens, thousand).
DIALECT_WORDS: dict[str, dict[str, str]] = {
    "north": {"zero_tens": "linh", "thousand": "nghìn"},
    "south": {"zero_tens": "lẻ", "thousand": "ngàn"},
}

#: The names letters are spoken by. A..H follow the domain guide (H "hát" is marked
#: unverified there); the others are the names taught with the Vietnamese alphabet, and
#: F, J, W, Z (not in that alphabet) the names used for foreign letters. A center that
#: says them otherwise records its own clip (docs/voice.md).
LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê",
    "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e-lờ", "M": "em-mờ", "N": "en-nờ",
    "O": "o", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét-xì", "T": "tê", "U": "u",
    "V": "vê", "W": "vê kép", "X": "ích-xì", "Y": "i dài", "Z": "dét",
}

#: Past this a whole reading would need "triệu": such numbers are read digit by digit.
LARGEST_WHOLE = 999_999

_TICKET = re.compile(r"([A-ZĐ]{0,8})([0-9]{1,12})")


class BadNumber(ValueError):
    """The text is not a ticket number (letters then digits) or a counter number."""


def letter_name(letter: str) -> str:
    """The Vietnamese name ``letter`` is spoken by: ``"B"`` -> ``"bê"``."""
    try:
        return LETTER_NAMES[letter.upper()]
    except KeyError:
        raise BadNumber(f"no Vietnamese name for the letter {letter!r}") from None


def split_ticket(number: str) -> tuple[str, str]:
    """``"A015"`` -> ``("A", "015")``; lower-case letters are accepted and upper-cased.

    Raises BadNumber unless the text is 0-8 letters followed by 1-12 digits.
    """
    match = _TICKET.fullmatch(number.strip().upper()) if isinstance(number, str) else None
    if match is None:
        raise BadNumber(f"not a ticket number: {number!r} (expected letters then digits, "
                        "e.g. A015)")
    return match.group(1), match.group(2)


def read_ticket(number: str, mode: Mode = "whole", dialect: Dialect = "north") -> list[str]:
    """The words ``number`` is read as: letters as written, then the digits.

    ``read_ticket("A015")`` -> ``["A", "mười", "lăm"]``;
    ``read_ticket("A015", "digits")`` -> ``["A", "không", "một", "năm"]``.
    A whole reading past :data:`LARGEST_WHOLE` falls back to digits for the whole ticket.
    """
    _check(mode, dialect)
    letters, digits = split_ticket(number)
    words = list(letters)
    if mode == "whole" and int(digits) <= LARGEST_WHOLE:
        words += read_number(int(digits), dialect)
    else:
        words += [DIGITS[int(digit)] for digit in digits]
    return words


def read_counter(counter: int | str, dialect: Dialect = "north") -> list[str]:
    """A counter number, always read whole: ``12`` -> ``["mười", "hai"]``."""
    try:
        value = int(counter)
    except (TypeError, ValueError):
        raise BadNumber(f"not a counter number: {counter!r}") from None
    return read_number(value, dialect)


def read_number(value: int, dialect: Dialect = "north") -> list[str]:
    """``value`` (0..999 999) read as a quantity: ``105`` -> ``một trăm linh năm``."""
    _check("whole", dialect)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST_WHOLE:
        raise BadNumber(f"cannot read {value!r} as a whole number (0..{LARGEST_WHOLE})")
    if value == 0:
        return [DIGITS[0]]
    words = DIALECT_WORDS[dialect]
    thousands, rest = divmod(value, 1000)
    if not thousands:
        return _below_thousand(rest, dialect, inner=False)
    # Once a higher group is spoken, empty hundreds are said ("không trăm") so the listener
    # hears the place of every later digit: 1005 -> một nghìn không trăm linh năm.
    spoken = _below_thousand(thousands, dialect, inner=False) + [words["thousand"]]
    if rest:
        spoken += _below_thousand(rest, dialect, inner=True)
    return spoken


def _below_thousand(value: int, dialect: Dialect, *, inner: bool) -> list[str]:
    """1..999; ``inner`` when a higher group was already spoken (hundreds then always said)."""
    hundreds, rest = divmod(value, 100)
    words: list[str] = []
    if hundreds or inner:
        words += [DIGITS[hundreds], "trăm"]
    tens, units = divmod(rest, 10)
    if tens == 0:
        if units and words:
            # Zero tens after hundreds: "linh"/"lẻ", and the unit keeps its plain name.
            words += [DIALECT_WORDS[dialect]["zero_tens"], DIGITS[units]]
        elif units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 5:
        words.append("lăm")  # after mười and mươi alike
    elif units == 1 and tens > 1:
        words.append("mốt")  # after mươi only: 11 stays mười một
    elif units:
        # 4 after mươi may be "tư"; the guide prefers "bốn" for clarity.
        words.append(DIGITS[units])
    return words


def _check(mode: str, dialect: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown reading mode {mode!r}; expected one of {MODES}")
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
