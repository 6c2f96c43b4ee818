"""``motcua dossier import|show|demo``: CSV with and without BOM, XLSX read back with
openpyxl, row errors printed, exit codes, and the hub lock."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import sqlalchemy as sa

from motcua.cli import main
from motcua.dossiers.importing import ImportFileError, read_records
from motcua.hub_config import load_hub_config
from motcua.store import HubLock, create_database_engine, upgrade
from motcua.store.schema import dossier, dossier_event
from tests.support.dossiers import VN, add_procedure

CODE = "000.00.12.H42-261127-0001"
HEADER = ["code", "procedure", "applicant_name", "phone", "received_at", "appointment_date",
          "status", "status_at", "note", "new_appointment_date", "event_id"]
GOOD_ROWS = [
    [CODE, "1.000234", "Nguyễn Văn An", "0912345123", "27/11/2026 09:00", "", "2",
     "27/11/2026 09:00", "", "", "t-1"],
    [CODE, "", "", "", "", "", "4", "27/11/2026 10:00", "Chuyển phòng Tư pháp", "", "t-2"],
]
BAD_ROWS = [
    [CODE, "", "", "", "", "", "12", "27/11/2026 11:00", "", "", "t-3"],
    ["000.00.12.H42-261127-0002", "9.999", "Lê Thị C", "", "27/11/2026 09:00", "", "2",
     "27/11/2026 09:00", "", "", "t-4"],
    ["<b>x</b>", "", "", "", "", "", "4", "27/11/2026 10:00", "", "", "t-5"],
]


@pytest.fixture
def site_id():
    return load_hub_config(None).site_setup().site_id


@pytest.fixture
def engine(db_url, site_id):
    engine = create_database_engine(db_url)
    upgrade(engine)
    add_procedure(engine, site_id=site_id)
    return engine


def write_csv(path, rows, bom=True, delimiter=","):
    text = "\n".join(delimiter.join(row) for row in [HEADER, *rows]) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def statuses(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(dossier_event.c.event_id, dossier_event.c.status)
            .order_by(dossier_event.c.at))]


def test_a_csv_with_bom_imports_and_a_second_import_is_skipped(engine, db_url, tmp_path,
                                                               capsys):
    """Given a UTF-8 CSV with BOM, two rows of one dossier, when it is imported twice,
    then 1 dossier and 2 events the first time, everything skipped the second, exit 0."""
    path = write_csv(tmp_path / "hoso.csv", GOOD_ROWS)
    assert main(["dossier", "import", str(path), "--db", db_url]) == 0
    assert "Đã nhập: 1 hồ sơ mới, 2 trạng thái mới, 0 đã có" in capsys.readouterr().err
    assert main(["dossier", "import", str(path), "--db", db_url]) == 0
    assert "Đã nhập: 0 hồ sơ mới, 0 trạng thái mới, 3 đã có" in capsys.readouterr().err
    assert statuses(engine) == [("t-1", 2), ("t-2", 4)]


def test_bad_rows_are_printed_row_by_row_and_the_good_ones_kept(engine, db_url, tmp_path,
                                                                capsys):
    """Given a semicolon CSV without BOM with 2 good and 3 bad rows, when imported, then
    exit code 1, one line per refused row naming its line and field, and the good rows
    stored."""
    path = write_csv(tmp_path / "hoso.csv", GOOD_ROWS + BAD_ROWS, bom=False, delimiter=";")
    assert main(["dossier", "import", str(path), "--db", db_url]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "dòng/row 4 [status] Trạng thái phải là số từ 1 đến 10: 12 / The status must be a "
        "number from 1 to 10: 12",
        "dòng/row 5 [procedure] Không có thủ tục 9.999 trong danh mục / Procedure 9.999 is "
        "not in the catalog",
        "dòng/row 6 [code] Mã hồ sơ không đúng định dạng: <b>x</b> / Not a dossier code: "
        "<b>x</b>",
    ]
    assert statuses(engine) == [("t-1", 2), ("t-2", 4)]


def test_an_xlsx_file_written_by_openpyxl_is_read_back(engine, db_url, tmp_path, capsys):
    """Given an XLSX with Vietnamese headers, real datetime cells and a date cell for the
    appointment, when imported, then the dossier is stored with that appointment date
    and the times in Vietnam's zone."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Mã thủ tục", "Họ tên", "Số điện thoại", "Ngày nhận",
                  "Ngày hẹn trả", "Trạng thái", "Thời gian", "Ghi chú"])
    sheet.append([CODE, "1.000234", "Nguyễn Văn An", "0912345123",
                  dt.datetime(2026, 11, 27, 9, 0), dt.date(2026, 12, 4), 2,
                  dt.datetime(2026, 11, 27, 9, 0), None])
    sheet.append([CODE, None, None, None, None, None, 4, dt.datetime(2026, 11, 27, 14, 30),
                  "Đang thẩm định"])
    path = tmp_path / "hoso.xlsx"
    book.save(path)
    assert main(["dossier", "import", str(path), "--db", db_url]) == 0
    with engine.connect() as conn:
        row = conn.execute(sa.select(dossier)).one()
    assert (row.appointment_date, row.status) == (dt.date(2026, 12, 4), 4)
    assert row.received_at == dt.datetime(2026, 11, 27, 9, 0, tzinfo=VN)
    records = list(read_records(path, VN))
    assert [r.row for r in records] == [2, 3] and records[1].event.note == "Đang thẩm định"


def test_a_dry_run_writes_nothing(engine, db_url, tmp_path, capsys):
    """Given a good file, when imported with --dry-run, then the summary says checked and
    the database stays empty."""
    path = write_csv(tmp_path / "hoso.csv", GOOD_ROWS)
    assert main(["dossier", "import", str(path), "--dry-run", "--db", db_url]) == 0
    assert "Kiểm tra: 0 hồ sơ mới" in capsys.readouterr().err
    assert statuses(engine) == []


def test_while_the_hub_holds_the_lock_the_import_is_refused(engine, db_url, site_id,
                                                            tmp_path):
    """Given the hub lock held (a running hub), when a file is imported, then the command
    ends with a message pointing to POST /api/v1/dossiers and nothing is written."""
    path = write_csv(tmp_path / "hoso.csv", GOOD_ROWS)
    with HubLock(engine, site_id):
        with pytest.raises(SystemExit) as caught:
            main(["dossier", "import", str(path), "--db", db_url])
    assert "POST /api/v1/dossiers" in str(caught.value)
    assert "máy chủ (hub) đang chạy" in str(caught.value)
    assert statuses(engine) == []


@pytest.mark.parametrize("content, message", [
    (b"ma,trang thai\n1,2\n", "Cột không hỗ trợ: 'ma'"),
    (b"", "File rỗng"),
    (b"status,note\n2,x\n", "Thiếu cột code"),
    (b"code,code\n", "Cột code bị lặp"),
    (b"\xff\xfe\x00bad", "không phải CSV UTF-8"),
])
def test_a_file_with_a_bad_header_is_refused_as_a_whole(tmp_path, content, message):
    """Given a file whose header or encoding is wrong, then ImportFileError says why."""
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        list(read_records(path, VN))
    assert message in str(caught.value)


def test_a_broken_xlsx_is_refused_with_a_message(tmp_path):
    """Given a file named .xlsx that is not one, then ImportFileError, no traceback."""
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="Không đọc được file XLSX"):
        list(read_records(path, VN))


def test_demo_and_show(engine, db_url, capsys):
    """Given an empty site, when `motcua dossier demo` runs twice, then four codes are
    printed each time (the same ones) and stored once; `show` prints the late one with
    its unmasked applicant, its apology and lateness 'quá hạn'."""
    assert main(["dossier", "demo", "--db", db_url]) == 0
    first = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert main(["dossier", "demo", "--db", db_url]) == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == first
    assert len(first) == 4 and all(code.startswith("000.00.00.H99-") for code in first)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(dossier)).scalar() == 4
    assert main(["dossier", "show", first[1].lower(), "--db", db_url]) == 0
    shown = capsys.readouterr().out
    assert "Người nộp / applicant:  Trần Thị Bình" in shown
    assert "Tiến độ / lateness:     quá hạn (late)" in shown
    assert "Xin lỗi ông/bà" in shown
    assert main(["dossier", "show", "000.00.00.H99-991231-0001", "--db", db_url]) == 1


def test_the_documented_example_file_imports_without_an_error(engine, db_url, capsys):
    """Given docs/examples/dossiers.csv (3 dossiers, 9 events), when it is imported, then
    exit 0, nine events, and the third dossier carries the apology's new date."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dossiers.csv"
    assert main(["dossier", "import", str(example), "--db", db_url]) == 0
    assert "Đã nhập: 3 hồ sơ mới, 9 trạng thái mới" in capsys.readouterr().err
    with engine.connect() as conn:
        row = conn.execute(sa.select(dossier).where(
            dossier.c.code == "000.00.12.H42-261124-0001")).one()
    assert (row.status, row.new_appointment_date) == (4, dt.date(2026, 12, 3))


def test_the_import_checks_codes_by_the_sites_own_pattern(engine, db_url, tmp_path, capsys):
    """Given a site whose [dossiers] code_pattern is a province's own form (HS-YYMMDD-NNNN),
    when a file with one code of that form and one of the national form is imported with
    --config, then the province's code is stored and the national one refused as a code."""
    from motcua.site_config import example_config_path

    site = tmp_path / "site.toml"
    site.write_text(example_config_path().read_text("utf-8").replace(
        "[dossiers]\n", '[dossiers]\ncode_pattern = "HS-\\\\d{6}-\\\\d{4}"\n', 1), "utf-8")
    (tmp_path / "hub.toml").write_text(f'[hub]\nsite_config = "{site.name}"\n', "utf-8")
    rows = [["hs-261127-0001", *GOOD_ROWS[0][1:-1], "p-1"], [*GOOD_ROWS[0][:-1], "p-2"]]
    path = write_csv(tmp_path / "hoso.csv", rows)

    assert main(["dossier", "import", str(path), "--db", db_url,
                 "--config", str(tmp_path / "hub.toml")]) == 1

    out = capsys.readouterr().out
    assert "dòng/row 3 [code]" in out and "dòng/row 2" not in out
    with engine.connect() as conn:
        assert conn.execute(sa.select(dossier.c.code)).scalars().all() == ["HS-261127-0001"]
