"""Reading procedure catalog files (CSV, JSON): valid rows kept, every bad row named with
its field in Vietnamese and English, garbage never raising; and the shipped demo catalog."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from motcua import contract
from motcua.dossiers.catalog import (
    MAX_FILE_BYTES, CatalogFile, demo_catalog_path, parse_catalog, read_catalog_file,
)
from motcua.dossiers.procedures import Procedure
from motcua.site_config import example_config_path, load_site_config

SERVICES = {"dat-dai", "dang-ky-kinh-doanh", "ho-tich", "chung-thuc", "lao-dong-tbxh",
            "xay-dung", "tra-ket-qua"}


def errors(result: CatalogFile) -> list[str]:
    return [str(error) for error in result.errors]


# --- CSV ---------------------------------------------------------------------------------------

def test_a_csv_with_bom_vietnamese_headers_and_multi_line_documents_is_read():
    """Given a UTF-8 CSV with a BOM, Vietnamese column names, ";" separators and a
    documents cell holding two lines,
    when read,
    then one procedure comes back with both documents, its days and its service."""
    text = ("\ufeffmã;tên thủ tục;lĩnh vực;thành phần hồ sơ;số ngày;thời hạn;lệ phí;dịch vụ\n"
            '1.000894;Đăng ký kết hôn;Hộ tịch;"Tờ khai đăng ký kết hôn\nGiấy tờ tùy thân";0;'
            "Ngay trong ngày;Miễn lệ phí;ho-tich\n")

    result = parse_catalog(text.encode("utf-8"), "csv", SERVICES)

    assert result.errors == () and result.warnings == ()
    assert result.procedures == (Procedure(
        code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch",
        documents=("Tờ khai đăng ký kết hôn", "Giấy tờ tùy thân"), processing_days=0,
        processing_note="Ngay trong ngày", fee="Miễn lệ phí", service="ho-tich"),)


def test_english_headers_commas_and_semicolon_separated_documents_are_read():
    """Given a comma-separated CSV with the JSON keys as headers and documents split by ";",
    when read,
    then the documents are split and blank ``processing_days`` means no fixed limit."""
    text = ("code,name,field,documents,processing_days,fee,service,active\n"
            "demo.1,Đăng ký tạm trú,Cư trú,Tờ khai CT01; Giấy tờ chỗ ở hợp pháp ,,15.000 đồng,"
            "ho-tich,không\n")

    (procedure,) = parse_catalog(text, "csv", SERVICES).procedures

    assert procedure.documents == ("Tờ khai CT01", "Giấy tờ chỗ ở hợp pháp")
    assert procedure.processing_days is None
    assert procedure.active is False


def test_bad_csv_rows_are_refused_one_by_one_and_the_good_ones_kept():
    """Given a CSV whose rows 3-8 are each wrong in one field,
    when read against the site's services,
    then rows 2 and 9 are kept and every other row is named with its field, in both
    languages."""
    text = ("code,name,processing_days,service\n"
            "1.000894,Đăng ký kết hôn,0,ho-tich\n"          # 2 ok
            "1.000894,Trùng mã,0,ho-tich\n"                  # 3 duplicate code
            "demo.3,,1,ho-tich\n"                            # 4 no name
            "demo.4,Tên,năm,ho-tich\n"                       # 5 days not a number
            "demo.5,Tên,-2,ho-tich\n"                        # 6 negative days
            "demo.6,Tên,1,khong-co\n"                        # 7 unknown service
            f"demo.7,{'Dài ' * 60},1,ho-tich\n"              # 8 name over 200 characters
            "demo.8,Tên,366,\n"                             # 9 days over the limit
            )
    result = parse_catalog(text, "csv", SERVICES)

    assert [p.code for p in result.procedures] == ["1.000894"]
    assert errors(result) == [
        "dòng 3, code: mã thủ tục trùng với dòng 2 / row 3, code: same procedure code as row 2",
        "dòng 4, name: thiếu giá trị bắt buộc / row 4, name: required value missing",
        "dòng 5, processing_days: phải là số ngày làm việc từ 0 đến 365, hoặc để trống / "
        "row 5, processing_days: must be a number of working days from 0 to 365, or empty",
        "dòng 6, processing_days: phải là số ngày làm việc từ 0 đến 365, hoặc để trống / "
        "row 6, processing_days: must be a number of working days from 0 to 365, or empty",
        "dòng 7, service: dịch vụ 'khong-co' không có ở điểm phục vụ này / "
        "row 7, service: service 'khong-co' does not exist at this site",
        "dòng 8, name: dài quá 200 ký tự / row 8, name: longer than 200 characters",
        "dòng 9, processing_days: phải là số ngày làm việc từ 0 đến 365, hoặc để trống / "
        "row 9, processing_days: must be a number of working days from 0 to 365, or empty",
    ]


def test_a_csv_without_a_name_column_is_refused_whole_and_unknown_columns_are_warned():
    """Given a CSV with no name column and an extra column,
    when read,
    then nothing is kept, the missing column is the error and the extra one a warning."""
    result = parse_catalog("code,tên gọi khác\n1.000894,Đăng ký kết hôn\n", "csv")

    assert result.procedures == ()
    assert errors(result) == ["dòng 1, name: tệp không có cột này / "
                              "row 1, name: the file has no such column"]
    assert [str(w) for w in result.warnings] == [
        "dòng 1, tên gọi khác: cột không dùng đến, bỏ qua / "
        "row 1, tên gọi khác: unused column, ignored"]


def test_decomposed_text_is_stored_composed_and_control_characters_refused():
    """Given a name saved in decomposed Unicode (NFD) and another holding an escape code,
    when read,
    then the first is stored in composed form (NFC) and the second refused."""
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai tử")
    text = f"code,name\nd.1,{decomposed}\nd.2,Tên\x1b[31m\n"

    result = parse_catalog(text, "csv")

    assert [p.name for p in result.procedures] == ["Đăng ký khai tử"]
    assert errors(result) == ["dòng 3, name: chứa ký tự điều khiển / "
                              "row 3, name: contains control characters"]


def test_a_file_not_in_utf8_is_refused_with_a_message():
    """Given a Windows-1252 file (not UTF-8), as old spreadsheets save it,
    when read,
    then it is refused as a whole with the offending byte named."""
    legacy = "code,name\nd.1,Tên\n".encode("cp1252")

    result = parse_catalog(legacy, "csv")

    assert result.procedures == ()
    assert errors(result) == ["file: không đọc được tệp: not UTF-8 (byte 15) / "
                              "file: cannot read the file: not UTF-8 (byte 15)"]


def test_a_file_too_big_is_refused_before_parsing():
    """Given more bytes than the limit, when read, then one file error names the limit."""
    result = parse_catalog(b"x" * (MAX_FILE_BYTES + 1), "csv")

    assert errors(result) == [f"file: tệp lớn quá {MAX_FILE_BYTES} byte / "
                              f"file: the file is larger than {MAX_FILE_BYTES} bytes"]


def test_a_missing_file_is_an_error_not_an_exception(tmp_path):
    """Given a path that does not exist, when read, then a file error is returned."""
    result = read_catalog_file(tmp_path / "khong-co.csv")

    assert errors(result) == ["file: không đọc được tệp: No such file or directory / "
                              "file: cannot read the file: No such file or directory"]


# --- JSON --------------------------------------------------------------------------------------

def test_json_items_of_the_wrong_shape_are_named_by_their_position():
    """Given a JSON list with a good object, a string, an object with a list as name and
    one with true as processing days,
    when read,
    then the good one is kept and items 2-4 are named."""
    items = [{"code": "1.001193", "name": "Đăng ký khai sinh", "processing_days": 0,
              "documents": ["Tờ khai"], "note": "ignored"},
             "Đăng ký kết hôn",
             {"code": "x", "name": ["a"]},
             {"code": "y", "name": "Tên", "processing_days": True}]

    result = parse_catalog(json.dumps(items), "json")

    assert [p.code for p in result.procedures] == ["1.001193"]
    assert errors(result) == [
        "dòng 2, row: mỗi mục phải là một đối tượng JSON / row 2, row: each item must be a "
        "JSON object",
        "dòng 3, name: phải là văn bản / row 3, name: must be text",
        "dòng 4, processing_days: phải là số ngày làm việc từ 0 đến 365, hoặc để trống / "
        "row 4, processing_days: must be a number of working days from 0 to 365, or empty",
    ]


def test_json_that_is_not_a_list_is_refused():
    """Given a JSON object instead of a list, when read, then the file is refused."""
    result = parse_catalog(b'{"code": "1"}', "json")

    assert errors(result) == ["file: không đọc được tệp: JSON must be a list of objects / "
                              "file: cannot read the file: JSON must be a list of objects"]


@given(st.binary(max_size=600), st.sampled_from(["csv", "json", None]))
def test_garbage_bytes_never_raise(data, kind):
    """Given any bytes, when parsed as CSV, JSON or guessed, then a CatalogFile comes back
    whose procedures all fit the published contract limits."""
    result = parse_catalog(data, kind)

    assert isinstance(result, CatalogFile)
    for procedure in result.procedures:
        assert 0 < len(procedure.name) <= 200 and 0 < len(procedure.code) <= 64


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                   st.lists(st.text(max_size=10), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=1))
_KEYS = st.sampled_from(["code", "name", "field", "documents", "processing_days", "fee",
                         "service", "active", "other"])


@given(st.lists(st.dictionaries(_KEYS, _VALUES, max_size=9), max_size=6))
def test_any_json_objects_never_raise_and_valid_rows_fit_the_contract(items):
    """Given a list of objects with any values, when parsed, then each item is either a
    procedure that the contract can publish or an error naming its row."""
    result = parse_catalog(json.dumps(items), "json")

    assert len(result.procedures) + len({e.row for e in result.errors}) == len(items)
    for procedure in result.procedures:
        contract.ProcedureInfo(code=procedure.code, name=procedure.name, field=procedure.field,
                               documents=list(procedure.documents),
                               processing_days=procedure.processing_days,
                               processing_note=procedure.processing_note, fee=procedure.fee,
                               service=procedure.service)


# --- the demo catalog ------------------------------------------------------------------------

def test_the_demo_catalog_has_real_procedures_in_every_field_for_existing_services():
    """Given the shipped demo catalog, checked against the example center's services,
    when read,
    then it has at least 30 procedures without error, covers the fields of DOMAIN.md and
    every service it names exists in the example center."""
    services = set(load_site_config(example_config_path()).to_setup().services)

    result = read_catalog_file(demo_catalog_path(), services)

    assert result.errors == () and len(result.procedures) >= 30
    assert {p.field for p in result.procedures} == {
        "Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Đăng ký kinh doanh", "Cư trú",
        "Lao động – Thương binh và Xã hội", "Tư pháp", "Giáo dục và Đào tạo", "Y tế"}
    assert {p.service for p in result.procedures} <= services - {"tra-ket-qua"}


def test_the_demo_catalog_spells_the_best_known_procedures_exactly():
    """Given the demo catalog,
    when the best-known procedures are looked up by their national codes,
    then their names, time limits and fees are exact, in composed Vietnamese."""
    by_code = {p.code: p for p in read_catalog_file(demo_catalog_path()).procedures}

    assert by_code["1.000894"].name == "Đăng ký kết hôn"
    assert by_code["1.001193"].name == "Đăng ký khai sinh"
    assert by_code["1.000656"].name == "Đăng ký khai tử"
    assert by_code["2.000635"].fee == "8.000 đồng/bản sao trích lục"
    assert by_code["1.004873"].processing_note == "03 ngày làm việc"
    assert by_code["1.004873"].processing_days == 3
    for procedure in by_code.values():
        assert unicodedata.is_normalized("NFC", procedure.name)


def test_demo_codes_are_national_or_clearly_local():
    """Given the demo catalog file,
    when its codes are read,
    then each is a national code d.dddddd or a local code starting "demo.", and every
    local code carries a note (why it is local)."""
    import re

    items = json.loads(demo_catalog_path().read_text(encoding="utf-8"))

    for item in items:
        national = re.fullmatch(r"[1-3]\.\d{6}", item["code"])
        assert national or item["code"].startswith("demo."), item["code"]
        if not national:
            assert item.get("note"), item["code"]


_CELL = st.one_of(st.text(max_size=20), st.sampled_from(
    ["1.000894", "Đăng ký kết hôn", "0", "-1", "ho-tich", "khong-co", "x" * 250, "a;b\nc"]))


@given(st.lists(st.sampled_from(["code", "name", "mã", "documents", "số ngày", "dịch vụ",
                                 "active", "khác"]), min_size=1, max_size=6),
       st.lists(st.lists(_CELL, max_size=7), max_size=8))
def test_any_csv_table_never_raises_and_accounts_for_every_row(header, rows):
    """Given any header of known and unknown columns and any cells,
    when written as CSV and read,
    then every non-blank row is either a procedure or refused with errors naming it."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)

    result = parse_catalog(buffer.getvalue(), "csv", SERVICES)

    if "name" not in header:
        assert result.procedures == ()
        assert [(e.row, e.field, e.code) for e in result.errors] == [(1, "name", "missing_column")]
        return
    refused = {e.row for e in result.errors}
    assert len(result.procedures) + len(refused) == result.rows
    assert all(p.service in SERVICES | {None} for p in result.procedures)
