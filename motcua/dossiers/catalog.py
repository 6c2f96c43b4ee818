"""Reading a procedure catalog file (CSV or JSON) into :class:`Procedure` rows.

Promises:

* :func:`parse_catalog` and :func:`read_catalog_file` never raise on bad input: garbage,
  a wrong encoding, a missing column or a bad cell becomes a :class:`RowError` naming the
  row and the field, in Vietnamese and English, and every valid row is still returned.
* Text is NFC-normalised (files saved by some Windows tools hold decomposed Vietnamese)
  and its whitespace collapsed; text with control characters is refused, and no text is
  longer than the contract lets the hub publish (:data:`LIMITS`).
* Row numbers are what a person sees: in a CSV the header is row 1 and the first
  procedure row 2 (a cell spanning several lines still counts as one row, as in a
  spreadsheet); in JSON the first object of the list is row 1.

CSV: UTF-8 (a BOM is fine), comma, semicolon or tab separated; documents are separated
by ";" or a new line inside their one cell. Column names are the JSON keys or their
Vietnamese names (``mã``, ``tên thủ tục``, ``lĩnh vực``, ``thành phần hồ sơ``, ``số ngày``,
``thời hạn``, ``lệ phí``, ``dịch vụ``, ``hiệu lực``), with or without diacritics.
JSON: a list of objects with the keys of :class:`Procedure` (plus an ignored ``note``).

Stdlib only, like the rest of :mod:`motcua.dossiers`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .procedures import Procedure
from .search import fold

#: Longest text per field: the contract's ``ShortText`` (code) and ``Name`` (the rest).
LIMITS = {"code": 64, "name": 200, "field": 200, "document": 200,
          "processing_note": 200, "fee": 200, "service": 64}
MAX_DOCUMENTS = 40
#: No legal time limit of a one-stop procedure comes near a year of working days.
MAX_PROCESSING_DAYS = 365
#: A catalog of every procedure of a province is well under this.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
FIELDS = ("code", "name", "field", "documents", "processing_days", "processing_note",
          "fee", "service", "active")
#: Keys a file may carry that the catalog does not keep.
IGNORED = frozenset({"note", "ghi chu"})
#: Folded column names (see :func:`motcua.dossiers.search.fold`) → field.
ALIASES = {
    "ma": "code", "ma thu tuc": "code", "ma tthc": "code",
    "ten": "name", "ten thu tuc": "name", "thu tuc": "name",
    "linh vuc": "field",
    "giay to": "documents", "thanh phan ho so": "documents", "ho so": "documents",
    "so ngay": "processing_days", "so ngay lam viec": "processing_days",
    "thoi han (ngay lam viec)": "processing_days",
    "thoi han": "processing_note", "thoi han giai quyet": "processing_note",
    "le phi": "fee", "phi": "fee", "phi, le phi": "fee",
    "dich vu": "service", "dich vu lay so": "service",
    "hieu luc": "active", "con hieu luc": "active",
}
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DOCUMENT_SPLIT = re.compile(r"[;\r\n]+")
_TRUE = frozenset({"true", "1", "yes", "x", "co", "con", "con hieu luc"})
_FALSE = frozenset({"false", "0", "no", "khong", "het hieu luc", "ngung"})

#: (Vietnamese, English) of each error code; ``{…}`` filled from the error's params.
MESSAGES: Mapping[str, tuple[str, str]] = {
    "missing": ("thiếu giá trị bắt buộc", "required value missing"),
    "missing_column": ("tệp không có cột này", "the file has no such column"),
    "not_text": ("phải là văn bản", "must be text"),
    "control_characters": ("chứa ký tự điều khiển", "contains control characters"),
    "too_long": ("dài quá {limit} ký tự", "longer than {limit} characters"),
    "too_many": ("nhiều quá {limit} mục", "more than {limit} items"),
    "bad_days": ("phải là số ngày làm việc từ 0 đến {limit}, hoặc để trống",
                 "must be a number of working days from 0 to {limit}, or empty"),
    "bad_active": ("phải là có/không (true/false)", "must be yes/no (true/false)"),
    "bad_service": ("mã dịch vụ chỉ gồm chữ thường không dấu, số và dấu '-'",
                    "a service code has lower-case ASCII letters, digits and '-' only"),
    "unknown_service": ("dịch vụ '{service}' không có ở điểm phục vụ này",
                        "service '{service}' does not exist at this site"),
    "duplicate": ("mã thủ tục trùng với dòng {first}", "same procedure code as row {first}"),
    "not_object": ("mỗi mục phải là một đối tượng JSON", "each item must be a JSON object"),
    "unreadable": ("không đọc được tệp: {reason}", "cannot read the file: {reason}"),
    "too_big": ("tệp lớn quá {limit} byte", "the file is larger than {limit} bytes"),
    "too_many_rows": ("nhiều quá {limit} dòng; phần sau bị bỏ qua",
                      "more than {limit} rows; the rest is ignored"),
    "unknown_column": ("cột không dùng đến, bỏ qua", "unused column, ignored"),
}


@dataclass(frozen=True)
class RowError:
    """One problem of a catalog file: ``row`` 0 is the file itself."""

    row: int
    field: str
    code: str
    params: tuple[tuple[str, str | int], ...] = ()

    @property
    def message(self) -> str:
        return MESSAGES[self.code][0].format(**dict(self.params))

    @property
    def message_en(self) -> str:
        return MESSAGES[self.code][1].format(**dict(self.params))

    def __str__(self) -> str:
        where_vi = f"dòng {self.row}, " if self.row else ""
        where_en = f"row {self.row}, " if self.row else ""
        return (f"{where_vi}{self.field}: {self.message} / "
                f"{where_en}{self.field}: {self.message_en}")


@dataclass(frozen=True)
class CatalogFile:
    """What a file held: the valid procedures, the refused rows' errors, and warnings
    (ignored columns) that refuse nothing."""

    procedures: tuple[Procedure, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...] = ()
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowProblem(Exception):
    def __init__(self, field: str, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.field, self.code, self.params = field, code, tuple(params.items())


def read_catalog_file(path: str | Path,
                      services: Collection[str] | None = None) -> CatalogFile:
    """Read a ``.csv`` or ``.json`` catalog (by its suffix; otherwise by content)."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return _file_error("unreadable", reason=error.strerror or type(error).__name__)
    kind = path.suffix.lower().lstrip(".")
    return parse_catalog(data, kind if kind in ("csv", "json") else None, services)


def parse_catalog(data: bytes | str, kind: str | None = None,
                  services: Collection[str] | None = None) -> CatalogFile:
    """Parse a catalog given as bytes or text; ``kind`` is ``"csv"`` or ``"json"`` (None:
    JSON when the text starts with ``[``). ``services`` (the site's service codes), when
    given, refuses rows whose service is not one of them."""
    if len(data) > MAX_FILE_BYTES:
        return _file_error("too_big", limit=MAX_FILE_BYTES)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return _file_error("unreadable", reason=f"not UTF-8 (byte {error.start})")
    else:
        text = data.removeprefix("\ufeff")
    if kind is None:
        kind = "json" if text.lstrip().startswith("[") else "csv"
    records, problems = _json_records(text) if kind == "json" else _csv_records(text)
    return _validate(records, problems, services)


def _file_error(code: str, **params: str | int) -> CatalogFile:
    return CatalogFile((), (RowError(0, "file", code, tuple(params.items())),))


def _json_records(text: str) -> tuple[list[tuple[int, object]], list[RowError]]:
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as error:
        reason = f"JSON: {error}" if isinstance(error, ValueError) else "JSON nested too deep"
        return [], [RowError(0, "file", "unreadable", (("reason", reason[:120]),))]
    if not isinstance(items, list):
        return [], [RowError(0, "file", "unreadable",
                             (("reason", "JSON must be a list of objects"),))]
    return list(enumerate(items, start=1)), []


def _csv_records(text: str) -> tuple[list[tuple[int, object]], list[RowError]]:
    sample = text[:4096]
    first_line = sample.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return [], []
        columns: list[str | None] = []
        warnings: list[RowError] = []
        for name in header:
            key = _column_key(name)
            columns.append(key)
            if key is None and name.strip() and fold(name) not in IGNORED:
                warnings.append(RowError(1, name.strip()[:40], "unknown_column"))
        if "name" not in columns:
            return [], [RowError(1, "name", "missing_column")] + warnings
        records: list[tuple[int, object]] = []
        for index, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            records.append((index, {key: cell for key, cell in zip(columns, cells)
                                    if key is not None}))
    except csv.Error as error:
        return [], [RowError(0, "file", "unreadable", (("reason", f"CSV: {error}"[:120]),))]
    return records, warnings


def _column_key(name: str) -> str | None:
    folded = fold(name)
    if folded in FIELDS:
        return folded
    return ALIASES.get(folded)


def _validate(records: list[tuple[int, object]], problems: list[RowError],
              services: Collection[str] | None) -> CatalogFile:
    errors = [p for p in problems if p.code != "unknown_column"]
    warnings = [p for p in problems if p.code == "unknown_column"]
    if len(records) > MAX_ROWS:
        errors.append(RowError(0, "file", "too_many_rows", (("limit", MAX_ROWS),)))
        records = records[:MAX_ROWS]
    procedures: list[Procedure] = []
    first_row: dict[str, int] = {}
    for row, record in records:
        try:
            procedure = _procedure(record, services)
        except _RowProblem as problem:
            errors.append(RowError(row, problem.field, problem.code, problem.params))
            continue
        key = procedure.code.casefold()
        if key in first_row:
            errors.append(RowError(row, "code", "duplicate", (("first", first_row[key]),)))
            continue
        first_row[key] = row
        procedures.append(procedure)
    return CatalogFile(tuple(procedures), tuple(errors), tuple(warnings), len(records))


def _procedure(record: object, services: Collection[str] | None) -> Procedure:
    if not isinstance(record, dict):
        raise _RowProblem("row", "not_object")
    code = _text(record, "code", required=True)
    name = _text(record, "name", required=True)
    service = _text(record, "service") or None
    if service is not None:
        if not _SLUG.fullmatch(service):
            raise _RowProblem("service", "bad_service")
        if services is not None and service not in services:
            raise _RowProblem("service", "unknown_service", service=service)
    return Procedure(
        code=code, name=name, field=_text(record, "field"),
        documents=_documents(record.get("documents")),
        processing_days=_days(record.get("processing_days")),
        processing_note=_text(record, "processing_note"), fee=_text(record, "fee"),
        service=service, active=_active(record.get("active")),
    )


def _clean(value: object, field: str, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _RowProblem(field, "not_text")
    text = unicodedata.normalize("NFC", str(value))
    # Line breaks and tabs inside a spreadsheet cell are layout, not content.
    text = " ".join(text.replace("\u00a0", " ").split())
    if _CONTROL.search(text):
        raise _RowProblem(field, "control_characters")
    if len(text) > limit:
        raise _RowProblem(field, "too_long", limit=limit)
    return text


def _text(record: dict, field: str, *, required: bool = False) -> str:
    text = _clean(record.get(field), field, LIMITS[field])
    if required and not text:
        raise _RowProblem(field, "missing")
    return text


def _documents(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts: Iterable[object] = _DOCUMENT_SPLIT.split(value)
    elif isinstance(value, list):
        parts = value
    else:
        raise _RowProblem("documents", "not_text")
    documents = tuple(text for text in (_clean(part, "documents", LIMITS["document"])
                                        for part in parts) if text)
    if len(documents) > MAX_DOCUMENTS:
        raise _RowProblem("documents", "too_many", limit=MAX_DOCUMENTS)
    return documents


def _days(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _RowProblem("processing_days", "bad_days", limit=MAX_PROCESSING_DAYS)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= MAX_PROCESSING_DAYS:
        raise _RowProblem("processing_days", "bad_days", limit=MAX_PROCESSING_DAYS)
    return value


def _active(value: object) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = fold(value)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    raise _RowProblem("active", "bad_active")


def demo_catalog_path() -> Path:
    """The demo catalog shipped with motcua (real procedures, see docs/procedures.md)."""
    return Path(__file__).with_name("catalog_demo.json")
