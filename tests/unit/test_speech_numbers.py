"""Reading ticket and counter numbers aloud (domain guide, section 6), word for word."""

from __future__ import annotations

import pytest

from motcua.speech import BadNumber, letter_name, read_counter, read_number, read_ticket

# (ticket, whole-number reading, digit-by-digit reading): exact Vietnamese, written by hand.
READINGS = [
    ("A000", "A không", "A không không không"),
    ("A001", "A một", "A không không một"),
    ("A004", "A bốn", "A không không bốn"),
    ("A005", "A năm", "A không không năm"),
    ("A007", "A bảy", "A không không bảy"),
    ("A010", "A mười", "A không một không"),
    ("A011", "A mười một", "A không một một"),
    ("A014", "A mười bốn", "A không một bốn"),
    ("A015", "A mười lăm", "A không một năm"),
    ("A019", "A mười chín", "A không một chín"),
    ("A020", "A hai mươi", "A không hai không"),
    ("A021", "A hai mươi mốt", "A không hai một"),
    ("A024", "A hai mươi bốn", "A không hai bốn"),
    ("A025", "A hai mươi lăm", "A không hai năm"),
    ("A030", "A ba mươi", "A không ba không"),
    ("A045", "A bốn mươi lăm", "A không bốn năm"),
    ("A051", "A năm mươi mốt", "A không năm một"),
    ("A099", "A chín mươi chín", "A không chín chín"),
    ("B100", "B một trăm", "B một không không"),
    ("B101", "B một trăm linh một", "B một không một"),
    ("B104", "B một trăm linh bốn", "B một không bốn"),
    ("B105", "B một trăm linh năm", "B một không năm"),
    ("B110", "B một trăm mười", "B một một không"),
    ("B111", "B một trăm mười một", "B một một một"),
    ("B114", "B một trăm mười bốn", "B một một bốn"),
    ("B115", "B một trăm mười lăm", "B một một năm"),
    ("B121", "B một trăm hai mươi mốt", "B một hai một"),
    ("B200", "B hai trăm", "B hai không không"),
    ("B305", "B ba trăm linh năm", "B ba không năm"),
    ("B555", "B năm trăm năm mươi lăm", "B năm năm năm"),
    ("C999", "C chín trăm chín mươi chín", "C chín chín chín"),
    ("C1000", "C một nghìn", "C một không không không"),
    ("C1001", "C một nghìn không trăm linh một", "C một không không một"),
    ("C1005", "C một nghìn không trăm linh năm", "C một không không năm"),
    ("C1010", "C một nghìn không trăm mười", "C một không một không"),
    ("C1021", "C một nghìn không trăm hai mươi mốt", "C một không hai một"),
    ("C1100", "C một nghìn một trăm", "C một một không không"),
    ("C1115", "C một nghìn một trăm mười lăm", "C một một một năm"),
    ("C2024", "C hai nghìn không trăm hai mươi bốn", "C hai không hai bốn"),
    ("D9999", "D chín nghìn chín trăm chín mươi chín", "D chín chín chín chín"),
    ("1001", "một nghìn không trăm linh một", "một không không một"),
    ("AB015", "A B mười lăm", "A B không một năm"),
    ("H15", "H mười lăm", "H một năm"),
    ("a015", "A mười lăm", "A không một năm"),
]


@pytest.mark.parametrize(("ticket", "whole", "digits"), READINGS)
def test_ticket_reading_in_both_modes(ticket: str, whole: str, digits: str) -> None:
    """Given a ticket number, when it is read whole and digit by digit, then the words are
    exactly the domain guide's (letters as written, lăm/mốt only after mười/mươi)."""
    assert " ".join(read_ticket(ticket)) == whole
    assert " ".join(read_ticket(ticket, mode="digits")) == digits


# Plain numbers (the brief's list), north and south.
NUMBERS = [
    (0, "không", "không"), (1, "một", "một"), (4, "bốn", "bốn"), (5, "năm", "năm"),
    (10, "mười", "mười"), (11, "mười một", "mười một"), (14, "mười bốn", "mười bốn"),
    (15, "mười lăm", "mười lăm"), (20, "hai mươi", "hai mươi"),
    (21, "hai mươi mốt", "hai mươi mốt"), (24, "hai mươi bốn", "hai mươi bốn"),
    (25, "hai mươi lăm", "hai mươi lăm"), (100, "một trăm", "một trăm"),
    (101, "một trăm linh một", "một trăm lẻ một"), (104, "một trăm linh bốn", "một trăm lẻ bốn"),
    (105, "một trăm linh năm", "một trăm lẻ năm"), (110, "một trăm mười", "một trăm mười"),
    (114, "một trăm mười bốn", "một trăm mười bốn"),
    (115, "một trăm mười lăm", "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt", "một trăm hai mươi mốt"),
    (999, "chín trăm chín mươi chín", "chín trăm chín mươi chín"),
    (1000, "một nghìn", "một ngàn"),
    (1005, "một nghìn không trăm linh năm", "một ngàn không trăm lẻ năm"),
    (1021, "một nghìn không trăm hai mươi mốt", "một ngàn không trăm hai mươi mốt"),
    (15000, "mười lăm nghìn", "mười lăm ngàn"),
    (21005, "hai mươi mốt nghìn không trăm linh năm", "hai mươi mốt ngàn không trăm lẻ năm"),
]


@pytest.mark.parametrize(("number", "north", "south"), NUMBERS)
def test_number_reading_by_dialect(number: int, north: str, south: str) -> None:
    """Given a number, when read in the Northern and Southern dialects, then only linh/lẻ
    and nghìn/ngàn differ."""
    assert " ".join(read_number(number)) == north
    assert " ".join(read_number(number, "south")) == south


def test_south_dialect_in_a_ticket() -> None:
    """Given the Southern dialect, when C1005 is read whole, then it says ngàn and lẻ."""
    assert read_ticket("C1005", dialect="south") == [
        "C", "một", "ngàn", "không", "trăm", "lẻ", "năm"]


def test_digit_mode_never_uses_whole_number_words() -> None:
    """Given every 3-digit ticket, when read digit by digit, then no mười, mươi, mốt, lăm,
    tư, linh or trăm ever appears, and there is one word per digit after the letter."""
    forbidden = {"mười", "mươi", "mốt", "lăm", "tư", "linh", "lẻ", "trăm", "nghìn"}
    for value in range(1000):
        words = read_ticket(f"A{value:03d}", mode="digits")
        assert len(words) == 4
        assert not forbidden & set(words), words


def test_counter_numbers_are_always_whole() -> None:
    """Given counters 3, 12, 21 and "5", when read, then they are whole numbers."""
    assert read_counter(3) == ["ba"]
    assert read_counter(12) == ["mười", "hai"]
    assert read_counter(21) == ["hai", "mươi", "mốt"]
    assert read_counter("5") == ["năm"]


def test_letter_names() -> None:
    """Given the domain guide's letters, when named, then a bê xê dê e giê hát."""
    assert [letter_name(letter) for letter in "ABCDEGH"] == [
        "a", "bê", "xê", "dê", "e", "giê", "hát"]
    assert letter_name("b") == "bê"


def test_very_long_numbers_fall_back_to_digits() -> None:
    """Given a number past 999 999, when read whole, then the whole ticket is read digit by
    digit (never a mix)."""
    assert read_ticket("A1234567") == ["A", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy"]


@pytest.mark.parametrize("bad", ["", "A", "015A", "A-15", "A 1 5", "ÁB1", "ABCDEFGHI1"])
def test_malformed_tickets_are_refused(bad: str) -> None:
    """Given text that is not letters then digits, when read, then BadNumber names it."""
    with pytest.raises(BadNumber, match="not a ticket number"):
        read_ticket(bad)


def test_bad_mode_dialect_and_counter_are_refused() -> None:
    """Given an unknown mode, dialect or counter, when read, then a ValueError is raised."""
    with pytest.raises(ValueError, match="unknown reading mode"):
        read_ticket("A015", mode="mixed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown dialect"):
        read_ticket("A015", dialect="central")  # type: ignore[arg-type]
    with pytest.raises(BadNumber):
        read_counter("ba")
    with pytest.raises(BadNumber):
        read_number(-1)


_VALUES = {"không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
           "tám": 8, "chín": 9, "mốt": 1, "lăm": 5, "tư": 4}


def _parse_vietnamese(words: list[str]) -> int:
    """An independent reader of spoken numbers, written for this test: words -> value."""
    total = current = 0
    pending: int | None = None
    for word in words:
        if word in _VALUES:
            pending = _VALUES[word]
        elif word == "trăm":
            current, pending = current + pending * 100, None
        elif word == "mười":
            current += 10
        elif word == "mươi":
            current, pending = current + pending * 10, None
        elif word in ("nghìn", "ngàn"):
            total, current, pending = (current + (pending or 0)) * 1000, 0, None
        elif word not in ("linh", "lẻ"):
            raise AssertionError(f"unexpected word {word!r} in {words}")
    return total + current + (pending or 0)


def test_every_reading_means_its_number_and_follows_the_rules() -> None:
    """Given every number below 2000 and every 7th up to 999 999, when read whole (both
    dialects), then an independent parser gets the number back, lăm/mốt come only after
    mười/mươi (mốt only after mươi), linh/lẻ only after trăm, and không only alone or
    before trăm."""
    for number in [*range(2000), *range(2000, 1_000_000, 7)]:
        for dialect in ("north", "south"):
            words = read_number(number, dialect)
            assert _parse_vietnamese(words) == number, (number, words)
            for before, word in zip(["<start>", *words], words):
                if word == "lăm":
                    assert before in ("mười", "mươi"), (number, words)
                if word == "mốt":
                    assert before == "mươi", (number, words)
                if word in ("linh", "lẻ"):
                    assert before == "trăm", (number, words)
            for word, after in zip(words, [*words[1:], "<end>"]):
                if word == "không":
                    assert after == "trăm" or words == ["không"], (number, words)
