"""Reading import files: headers in English or Vietnamese, and garbage never crashes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.importing import ImportFileError, header_fields, read_records

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_vietnamese_headers_with_or_without_diacritics_map_to_fields():
    """Given headers "Mã hồ sơ", "TRANG THAI", "Thời gian", "ghi_chu" and an empty last
    cell, then code, status, status_at, note and None."""
    assert header_fields(["Mã hồ sơ", "TRANG THAI", "Thời gian", "ghi_chu", ""]) == [
        "code", "status", "status_at", "note", None]


def test_an_unknown_column_is_named():
    """Given a header with "email", then ImportFileError naming it and the columns."""
    with pytest.raises(ImportFileError, match="Unknown column 'email'"):
        header_fields(["code", "email"])


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_as_a_csv_give_records_or_a_file_error(content):
    """For any bytes saved as a .csv, reading either refuses the file with ImportFileError
    or gives records, each with a line number ≥ 2 and no half-parsed part when refused."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "x.csv"
        path.write_bytes(b"code,status,status_at,note\n" + content)
        try:
            records = list(read_records(path, VN))
        except ImportFileError:
            return
    for record in records:
        assert isinstance(record.row, int) and record.row >= 2
        if record.errors:
            assert record.dossier is None and record.event is None
