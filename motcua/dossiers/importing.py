"""Reading dossier import files: CSV (UTF-8, with or without BOM) and XLSX (openpyxl).

One row is one status event, with the dossier's columns beside it (the format of
``docs/dossiers.md`` and ``docs/examples/dossiers.csv``): the first row of a code carries
the dossier (procedure, applicant, received time); later rows of the same code may leave
those columns empty. The header row names the columns, in any order; Vietnamese headers
(``mã hồ sơ``, ``trạng thái`` ...) are accepted too. An unknown column is refused before
any row is read, a bad row is reported and the others are kept.

:func:`read_records` yields :class:`motcua.dossiers.records.Record` s, one per data row,
numbered as a spreadsheet numbers lines (the header is line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Iterator

from .codes import DEFAULT_RULE, CodeRule
from .records import FIELDS, Record, parse_record
from .search import fold

#: Folded Vietnamese header → field name (English names map to themselves).
HEADER_ALIASES: dict[str, str] = {
    **{name: name for name in FIELDS},
    "ma ho so": "code",
    "ma thu tuc": "procedure",
    "thu tuc": "procedure",
    "ho ten": "applicant_name",
    "nguoi nop": "applicant_name",
    "chu ho so": "applicant_name",
    "so dien thoai": "phone",
    "dien thoai": "phone",
    "ngay nhan": "received_at",
    "thoi gian tiep nhan": "received_at",
    "ngay hen tra": "appointment_date",
    "trang thai": "status",
    "thoi gian": "status_at",
    "thoi diem": "status_at",
    "ghi chu": "note",
    "ngay hen moi": "new_appointment_date",
    "ma su kien": "event_id",
}
#: A file larger than this is refused before reading (a 10 MB CSV is ~100,000 rows).
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 2000


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, unknown columns, no header);
    the message is Vietnamese then English and names the column or the reason."""


def header_fields(header: list[Any]) -> list[str | None]:
    """Field of each header cell (None for an empty trailing cell).

    Raises:
        ImportFileError: a column is unknown, repeated, or ``code`` is missing.
    """
    fields: list[str | None] = []
    for cell in header:
        text = "" if cell is None else str(cell).strip().lstrip("\ufeff")
        if not text:
            fields.append(None)
            continue
        key = fold(text).replace("_", " ")
        name = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.replace(" ", "_"))
        if name is None:
            raise ImportFileError(f"Cột không hỗ trợ: {text[:40]!r} / Unknown column "
                                  f"{text[:40]!r} (columns: {', '.join(FIELDS)})")
        if name in fields:
            raise ImportFileError(f"Cột {name} bị lặp / Column {name} appears twice")
        fields.append(name)
    if "code" not in fields:
        raise ImportFileError("Thiếu cột code (mã hồ sơ) / The code column is missing")
    return fields


def _rows_csv(path: Path) -> Iterator[list[Any]]:
    with open(path, "r", encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        yield from csv.reader(handle, dialect)


def _rows_xlsx(path: Path) -> Iterator[list[Any]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of the hub
        raise ImportFileError("Cần gói openpyxl để đọc XLSX / openpyxl is needed for XLSX") \
            from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError(f"Không đọc được file XLSX / Cannot read the XLSX file: "
                              f"{type(exc).__name__}: {str(exc)[:100]}") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def raw_rows(path: str | Path) -> Iterator[list[Any]]:
    """The rows of the file's first sheet (CSV or XLSX, by the file's extension)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(f"Không mở được file / Cannot open the file: {exc}") from None
    if size > MAX_FILE_BYTES:
        raise ImportFileError(f"File quá lớn (tối đa {MAX_FILE_BYTES // 1024 // 1024} MB) / "
                              "File too large")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _rows_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _rows_csv(path)
    raise ImportFileError(f"Chỉ nhận file .csv hoặc .xlsx / Only .csv and .xlsx files: "
                          f"{path.name}")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_CELL_CHARS]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, dt.date, dt.datetime)) or value is None:
        return value
    return str(value)[:MAX_CELL_CHARS]


def read_records(path: str | Path, tz: dt.tzinfo,
                 rule: CodeRule = DEFAULT_RULE) -> Iterator[Record]:
    """Parse every data row of ``path``; empty rows are skipped.

    Raises:
        ImportFileError: the file cannot be read or its header is not the documented one
            (raised before the first record; a bad row is a record's error instead).
    """
    try:
        rows = raw_rows(path)
        header = next(rows, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"File không phải CSV UTF-8 / Not a UTF-8 CSV file: {exc}") \
            from None
    if header is None:
        raise ImportFileError("File rỗng / The file is empty")
    fields = header_fields(header)
    line = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFileError(f"Dòng {line + 1}: không đọc được / Line {line + 1}: "
                                  f"unreadable: {exc}") from None
        line += 1
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        raw = {name: _cell(value) for name, value in zip(fields, row) if name is not None}
        yield parse_record(line, raw, tz, rule)


def write_csv_text(rows: list[dict[str, Any]]) -> str:
    """CSV text (header from :data:`FIELDS`) of ``rows``: used by the bench and tests to
    make files in the documented format."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if value is None else value) for key, value in row.items()})
    return out.getvalue()
