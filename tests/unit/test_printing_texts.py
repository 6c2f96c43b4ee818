"""Ticket wording, times, waits, Windows-1258 spelling and paper status bytes."""

from __future__ import annotations

import datetime
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.printing import PrintResult, TicketContent
from kiosk.printing.codepage import can_encode_cp1258, encode_cp1258
from kiosk.printing.status import PAPER_STATUS_REQUEST, paper_state
from kiosk.printing.texts import CATALOG, ahead_line, issued_line, wait_line

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_issue_time_is_printed_in_local_time() -> None:
    """Given a ticket issued at 01:15 UTC, when its time line is made for Hồ Chí Minh
    City (UTC+7), then it reads 08:15 of the same day, in Vietnamese."""
    issued = datetime.datetime(2026, 11, 30, 1, 15, tzinfo=datetime.timezone.utc)
    assert issued_line(issued, HCM) == "Giờ lấy số: 08:15 ngày 30/11/2026"
    late = datetime.datetime(2026, 11, 30, 17, 5, tzinfo=datetime.timezone.utc)
    assert issued_line(late, HCM) == "Giờ lấy số: 00:05 ngày 01/12/2026"


def test_without_a_zone_the_hubs_own_stamp_is_printed() -> None:
    """Given a ticket the hub stamped 10:17+07:00 and no printer zone set, when its time
    line is made (on a kiosk PC whose zone may be UTC), then it reads 10:17 as stamped."""
    issued = datetime.datetime.fromisoformat("2026-11-30T10:17:17.120595+07:00")
    assert issued_line(issued, None) == "Giờ lấy số: 10:17 ngày 30/11/2026"


@pytest.mark.parametrize(("seconds", "line"), [
    (None, "Ước tính chờ: chưa có số liệu"),
    (0, "Ước tính chờ: dưới 1 phút"),
    (59, "Ước tính chờ: dưới 1 phút"),
    (60, "Ước tính chờ: khoảng 1 phút"),
    (61, "Ước tính chờ: khoảng 2 phút"),
    (725, "Ước tính chờ: khoảng 13 phút"),
    (3600, "Ước tính chờ: khoảng 1 giờ 00 phút"),
    (3900, "Ước tính chờ: khoảng 1 giờ 05 phút"),
])
def test_wait_is_rounded_up_to_minutes(seconds: int | None, line: str) -> None:
    """Given an estimated wait in seconds, then the line rounds up to whole minutes
    (never promising too short a wait) and says when there is no estimate."""
    assert wait_line(seconds) == line


def test_people_ahead() -> None:
    """Given the count of people ahead, then zero has its own sentence."""
    assert ahead_line(0) == "Không có ai chờ trước bạn"
    assert ahead_line(7) == "Số người chờ trước bạn: 7"
    assert ahead_line(7, "en") == "People ahead of you: 7"


def test_catalog_has_the_same_keys_in_both_languages() -> None:
    """Given the ticket catalog, then English has every Vietnamese key and no other."""
    assert set(CATALOG["vi"]) == set(CATALOG["en"])


def test_cp1258_splits_tone_marks_off_their_base_letters() -> None:
    """Given Vietnamese text, when it is spelt in Windows-1258, then letters the code
    page lacks become base + combining tone mark (ố → F4 EC, ự → FD F2, ý → y EC), and
    nothing turns into '?'."""
    assert encode_cp1258("Số thứ tự") == b"S\xf4\xec th\xfd\xec t\xfd\xf2"
    assert encode_cp1258("Đăng ký") == b"\xd0\xe3ng ky\xec"
    decomposed = "So\u0302\u0301"  # NFD input is normalised first
    assert encode_cp1258(decomposed) == b"S\xf4\xec"
    assert b"?" not in encode_cp1258("Người cao tuổi, Ước tính chờ")


def test_cp1258_refuses_what_it_cannot_spell() -> None:
    """Given a character Windows-1258 has no spelling for, then it is reported, never
    replaced by '?'."""
    assert can_encode_cp1258("Số thứ tự — Đ") is True
    assert can_encode_cp1258("★ Ưu tiên") is False
    with pytest.raises(UnicodeEncodeError):
        encode_cp1258("★")


@pytest.mark.parametrize(("reply", "state"), [
    (b"\x12", "ok"),
    (b"\x1e", "paper_low"),
    (b"\x72", "paper_out"),
    (b"\x7e", "paper_out"),
    (b"", "unknown"),
    (None, "unknown"),
    (b"\x00", "unknown"),
    (b"\xff", "unknown"),
    (b"\x72\x12", "ok"),
])
def test_paper_status_byte(reply: bytes | None, state: str) -> None:
    """Given the answer to DLE EOT 4, then 0x12 is ok, near-end bits give paper_low,
    end bits paper_out, and an empty or malformed answer is unknown, never ok (the
    last byte counts: an earlier answer may arrive late)."""
    assert PAPER_STATUS_REQUEST == b"\x10\x04\x04"
    assert paper_state(reply) == state


def test_ticket_content_checks_its_time_and_number() -> None:
    """Given a naive issue time or a non-ASCII number, then the ticket is refused."""
    fields = dict(center_name="C", service_name="S", priority_label=None, waiting_ahead=0,
                  est_wait_s=None, url="https://x/t/1")
    with pytest.raises(ValueError, match="timezone-aware"):
        TicketContent(number="A001", issued_at=datetime.datetime(2026, 1, 1), **fields)
    with pytest.raises(ValueError, match="printable ASCII"):
        TicketContent(number="Ă001", issued_at=datetime.datetime(2026, 1, 1, tzinfo=HCM),
                      **fields)


def test_print_result_status_is_a_contract_state() -> None:
    """Given a status outside the contract's printer states, then PrintResult refuses it."""
    assert PrintResult(True, "paper_low").status == "paper_low"
    with pytest.raises(ValueError, match="unknown printer status"):
        PrintResult(False, "jammed")


VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
    "bcdghklmnpqrstvx 0123456789.,:-")


@given(st.text(alphabet=VIETNAMESE_LETTERS, max_size=60))
def test_cp1258_spelling_reads_back_as_the_same_text(sample: str) -> None:
    """Given any text of Vietnamese letters, when it is spelt in Windows-1258 and read
    back (decode, then NFC), then it is the same text: no letter is lost or replaced."""
    assert can_encode_cp1258(sample)
    encoded = encode_cp1258(sample)
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == sample
