"""Personal data as the public sees it: "Nguyễn V. A.", "09xx xxx 123"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.masking import mask_name, mask_phone


@pytest.mark.parametrize("name, masked", [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("  trần   thị  bình ", "trần T. B."),
    ("Đỗ đức", "Đỗ Đ."),
    ("An", "A."),
    ("", ""),
    ("   ", ""),
    (None, ""),
    ("Nguye\u0302\u0303n Văn An", "Nguyễn V. A."),  # decomposed input, NFC output
])
def test_names(name, masked):
    """Given a name (or none), then the family name whole and other words as initials;
    a one-word name shows its initial only."""
    assert mask_name(name) == masked


@pytest.mark.parametrize("phone, masked", [
    ("0912345123", "09xx xxx 123"),
    ("+84912345123", "09xx xxx 123"),
    ("0912.345.123", "09xx xxx 123"),
    ("02838123456", "02xxx xxx 456"),
    ("123456", "xxxxxx"),
    ("", ""),
    ("không có", ""),
    (12345, ""),
])
def test_phones(phone, masked):
    """Given a phone (or garbage), then the first 2 and last 3 digits, the rest as x."""
    assert mask_phone(phone) == masked


@given(st.text(max_size=300))
def test_a_masked_phone_never_shows_more_than_five_digits(text):
    """For any text, mask_phone never raises and shows at most 5 digits."""
    assert sum(ch.isdigit() for ch in mask_phone(text)) <= 5


@given(st.text(max_size=300))
def test_a_masked_name_keeps_only_the_first_word_whole(text):
    """For any text, mask_name never raises; every word after the first is one letter
    and a dot."""
    words = mask_name(text).split()
    assert all(len(word) == 2 and word.endswith(".") for word in words[1:])
