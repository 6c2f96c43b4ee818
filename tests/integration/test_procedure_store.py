"""The procedure catalog in the database and ``motcua procedure import|list|search``, on
SQLite and PostgreSQL: upsert by default, --replace retires, nothing half-written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from motcua.cli import main
from motcua.dossiers.procedures import Procedure
from motcua.store import create_database_engine, upgrade
from motcua.store.procedure_store import (
    ImportCounts, count_procedures, load_demo_catalog, load_procedures, replace_catalog,
    upsert_procedures,
)
from motcua.store.schema import procedure as procedure_table

SITE = "van-lam"  # the example center's site, which the CLI uses without --config
T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)
T1 = T0 + dt.timedelta(hours=1)

KET_HON = Procedure(code="1.000894", name="Đăng ký kết hôn", field="Hộ tịch",
                    documents=("Tờ khai đăng ký kết hôn", "Giấy tờ tùy thân"),
                    processing_days=0, processing_note="Ngay trong ngày", fee="Miễn lệ phí",
                    service="ho-tich")
KHAI_SINH = Procedure(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch",
                      processing_days=0, service="ho-tich")
HO_KINH_DOANH = Procedure(code="demo.kinh-doanh.01", name="Đăng ký thành lập hộ kinh doanh",
                          field="Đăng ký kinh doanh", processing_days=3,
                          service="dang-ky-kinh-doanh")


@pytest.fixture
def engine(db_url):
    engine = create_database_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def updated_at(engine, code: str) -> dt.datetime:
    with engine.connect() as conn:
        return conn.execute(sa.select(procedure_table.c.updated_at).where(
            procedure_table.c.code == code)).scalar_one()


def test_procedures_are_stored_and_read_back_whole(engine):
    """Given two procedures with Vietnamese text and documents,
    when upserted and loaded,
    then they come back equal, ordered by code."""
    counts = upsert_procedures(engine, SITE, [KHAI_SINH, KET_HON], T0)

    assert counts == ImportCounts(added=2)
    assert load_procedures(engine, SITE) == [KET_HON, KHAI_SINH]
    assert load_procedures(engine, "another-site") == []


def test_an_upsert_updates_changed_rows_only_and_keeps_the_others(engine):
    """Given a stored catalog of three,
    when a file with one changed and one identical procedure is upserted,
    then one row is updated (its updated_at moves), one unchanged, and the third kept."""
    upsert_procedures(engine, SITE, [KET_HON, KHAI_SINH, HO_KINH_DOANH], T0)
    cheaper = Procedure(**{**KHAI_SINH.__dict__, "fee": "Miễn lệ phí (đúng hạn)"})

    counts = upsert_procedures(engine, SITE, [cheaper, KET_HON], T1)

    assert counts == ImportCounts(updated=1, unchanged=1)
    assert load_procedures(engine, SITE) == [KET_HON, cheaper, HO_KINH_DOANH]
    assert updated_at(engine, "1.001193") == T1
    assert updated_at(engine, "1.000894") == T0


def test_replace_retires_what_the_file_does_not_list_and_an_import_brings_it_back(engine):
    """Given a stored catalog of three,
    when replaced by a file listing one,
    then the two others are retired (kept, inactive, not loaded), and a later upsert of
    one of them makes it active again."""
    upsert_procedures(engine, SITE, [KET_HON, KHAI_SINH, HO_KINH_DOANH], T0)

    counts = replace_catalog(engine, SITE, [KET_HON], T1)

    assert counts == ImportCounts(unchanged=1, retired=2)
    assert load_procedures(engine, SITE) == [KET_HON]
    retired = load_procedures(engine, SITE, include_retired=True)
    assert [(p.code, p.active) for p in retired] == [
        ("1.000894", True), ("1.001193", False), ("demo.kinh-doanh.01", False)]
    assert upsert_procedures(engine, SITE, [KHAI_SINH], T1) == ImportCounts(updated=1)
    assert load_procedures(engine, SITE) == [KET_HON, KHAI_SINH]


def test_a_failed_import_writes_nothing(engine):
    """Given a stored catalog,
    when an import fails half-way (its second procedure breaks a NOT NULL column),
    then no row of it is written: the first procedure is not there either."""
    upsert_procedures(engine, SITE, [KET_HON], T0)
    broken = Procedure(code="demo.x", name=None, field="")  # type: ignore[arg-type]

    with pytest.raises(sa.exc.IntegrityError):
        upsert_procedures(engine, SITE, [KHAI_SINH, broken], T1)

    assert load_procedures(engine, SITE) == [KET_HON]


def test_duplicate_codes_in_one_write_are_refused_before_writing(engine):
    """Given two procedures with the same code, when upserted, then ValueError and no row."""
    with pytest.raises(ValueError):
        upsert_procedures(engine, SITE, [KET_HON, KET_HON], T0)
    assert count_procedures(engine, SITE) == 0


def test_the_demo_catalog_loads_once_and_only_into_an_empty_site(engine):
    """Given an empty site,
    when the demo catalog is loaded twice,
    then the first load adds all 43 procedures and the second adds none."""
    assert load_demo_catalog(engine, SITE, T0) == 43
    assert load_demo_catalog(engine, SITE, T1) == 0
    assert len(load_procedures(engine, SITE)) == 43


def test_the_demo_catalog_leaves_out_procedures_of_services_the_site_lacks(engine):
    """Given a site with only the hộ tịch and chứng thực services,
    when the demo catalog is loaded for it,
    then only procedures of those two services are stored."""
    added = load_demo_catalog(engine, SITE, T0, services={"ho-tich", "chung-thuc"})

    services = {p.service for p in load_procedures(engine, SITE)}
    assert services == {"ho-tich", "chung-thuc"}
    assert added == count_procedures(engine, SITE) == 14 + 6


# --- the command line ----------------------------------------------------------------------------


def cli(db_url: str, *args: str) -> int:
    try:
        return main(["procedure", *args, "--db", db_url])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def test_cli_import_keeps_valid_rows_names_bad_ones_and_exits_1(db_url, tmp_path, capsys):
    """Given a CSV with one good row and one with an unknown service,
    when imported,
    then the good row is stored, the bad one named on stderr, and the exit status is 1."""
    path = tmp_path / "tthc.csv"
    path.write_text("code,name,field,service\n1.000894,Đăng ký kết hôn,Hộ tịch,ho-tich\n"
                    "demo.2,Thủ tục lạ,Khác,khong-co\n", encoding="utf-8")

    status = cli(db_url, "import", str(path))

    err = capsys.readouterr().err
    assert status == 1
    assert ("dòng 3, service: dịch vụ 'khong-co' không có ở điểm phục vụ này / "
            "row 3, service: service 'khong-co' does not exist at this site") in err
    assert "Đã lưu: 1 thêm mới, 0 cập nhật, 0 không đổi, 0 ngừng hiệu lực" in err
    assert cli(db_url, "list") == 0
    assert capsys.readouterr().out == "1.000894\tho-tich\t-\tHộ tịch\tĐăng ký kết hôn\n"


def test_cli_replace_is_refused_when_a_row_is_bad_and_dry_run_writes_nothing(db_url, tmp_path,
                                                                             capsys):
    """Given the demo catalog imported,
    when a file with a bad row is imported with --replace, and a good one with --dry-run,
    then neither changes the stored catalog."""
    demo = tmp_path / "demo.json"
    demo.write_text(json.dumps([{"code": "1.000894", "name": "Đăng ký kết hôn"}]),
                    encoding="utf-8")
    assert cli(db_url, "import", str(demo)) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "1.001193", "name": "Đăng ký khai sinh"},
                               {"code": "x", "name": ""}]), encoding="utf-8")

    assert cli(db_url, "import", str(bad), "--replace") == 1
    assert cli(db_url, "import", str(bad), "--dry-run") == 1
    capsys.readouterr()

    assert cli(db_url, "list", "--all") == 0
    assert capsys.readouterr().out == "1.000894\t-\t-\t\tĐăng ký kết hôn\n"


def test_cli_search_finds_a_procedure_typed_without_diacritics(db_url, tmp_path, capsys):
    """Given the demo catalog imported through the CLI,
    when "dang ky ket hon" is searched,
    then "Đăng ký kết hôn" is the first line."""
    from motcua.dossiers.catalog import demo_catalog_path

    assert cli(db_url, "import", str(demo_catalog_path())) == 0
    capsys.readouterr()

    assert cli(db_url, "search", "dang", "ky", "ket", "hon") == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "1.000894\tho-tich\t0\tHộ tịch\tĐăng ký kết hôn"


def test_motcua_up_stores_the_demo_catalog_for_the_demo_site_once(tmp_path):
    """Given the demo center's files under var (as ``motcua up`` writes them),
    when the demo data is loaded twice on one day,
    then the 43 demo procedures are stored the first time (every service exists in the
    demo site) and nothing the second, and both loads name the same four demo dossiers."""
    from motcua.site_config import example_config_path
    from motcua.up.demo import DemoLayout, demo_site_text, load_demo_data

    layout = DemoLayout(tmp_path / "var")
    layout.var.mkdir()
    layout.site_config.write_text(
        demo_site_text(example_config_path().read_text(encoding="utf-8")), encoding="utf-8")

    first = load_demo_data(layout, SITE)
    again = load_demo_data(layout, SITE)

    assert (first.procedures_added, again.procedures_added) == (43, 0)
    assert len(first.dossier_codes) == 4 and again.dossier_codes == first.dossier_codes
    engine = create_database_engine(layout.database_url)
    try:
        assert search_names(load_procedures(engine, SITE), "dang ky ket hon")[0] == \
            "Đăng ký kết hôn"
    finally:
        engine.dispose()


def search_names(procedures, query: str) -> list[str]:
    from motcua.dossiers.search import search

    return [p.name for p in search(procedures, query)]
