"""``motcua procedure import|list|search``: the site's catalog of procedures (thủ tục
hành chính), which kiosks search and the hub publishes.

``import FILE`` reads a CSV or JSON file (:mod:`motcua.dossiers.catalog`), checks the
services against the site's, reports every refused row with its field, and stores the
valid rows in one transaction: by default they are added or updated and the rest of the
catalog is kept; ``--replace`` retires every procedure the file does not list, and is
refused when any row is invalid (a retired procedure is only a bad row away otherwise).
``--dry-run`` checks without writing. The exit status is 1 when a row was refused.
The running hub republishes the catalog within a minute (``CatalogPublisher``).
"""

from __future__ import annotations

import argparse
import sys

from motcua.commands.hub_database import open_site_database

MESSAGES = {
    "read": ("Đọc {rows} dòng: {valid} hợp lệ, {invalid} lỗi",
             "Read {rows} rows: {valid} valid, {invalid} refused"),
    "stored": ("Đã lưu: {added} thêm mới, {updated} cập nhật, {unchanged} không đổi, "
               "{retired} ngừng hiệu lực",
               "Stored: {added} added, {updated} updated, {unchanged} unchanged, "
               "{retired} retired"),
    "hub": ("Hub đang chạy sẽ gửi danh mục mới tới các ki-ốt trong vòng một phút",
            "A running hub sends the new catalog to the kiosks within a minute"),
    "dry_run": ("Chạy thử: không ghi gì vào cơ sở dữ liệu", "Dry run: nothing written"),
    "replace_refused": ("Không thay thế danh mục khi tệp còn dòng lỗi; sửa các dòng trên "
                        "hoặc bỏ --replace",
                        "The catalog is not replaced while the file has refused rows; fix "
                        "them or drop --replace"),
    "nothing": ("Không có thủ tục nào", "No procedure"),
    "warning": ("Cảnh báo", "Warning"),
}


def _say(key: str, **params: object) -> str:
    vietnamese, english = MESSAGES[key]
    return f"{vietnamese.format(**params)} / {english.format(**params)}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "procedure", help="danh mục thủ tục hành chính (the procedure catalog)")
    actions = parser.add_subparsers(dest="procedure_action", metavar="ACTION", required=True)

    importing = actions.add_parser("import", help="nhập danh mục từ tệp CSV/JSON (import)")
    importing.add_argument("file", help="tệp .csv hoặc .json (CSV or JSON file)")
    importing.add_argument("--replace", action="store_true",
                           help="thủ tục không có trong tệp bị ngừng hiệu lực "
                                "(retire procedures the file does not list)")
    importing.add_argument("--dry-run", action="store_true",
                           help="chỉ kiểm tra, không ghi (check only)")
    _common(importing)
    importing.set_defaults(handler=_import)

    listing = actions.add_parser("list", help="liệt kê thủ tục (list procedures)")
    listing.add_argument("--all", action="store_true",
                         help="gồm cả thủ tục đã ngừng hiệu lực (include retired ones)")
    _common(listing)
    listing.set_defaults(handler=_list)

    finding = actions.add_parser("search", help="tìm thủ tục, gõ có dấu hoặc không dấu "
                                                "(search, with or without diacritics)")
    finding.add_argument("text", nargs="+")
    finding.add_argument("--limit", type=int, default=20)
    _common(finding)
    finding.set_defaults(handler=_search)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="hub TOML file (default: none, example center)")
    parser.add_argument("--db", help="database URL (default: MOTCUA_DB_URL or the config's)")


def _site_services(args: argparse.Namespace, engine, site_id: str) -> set[str]:
    """The site's services: the database's once the hub has seeded it, else the site
    file's (a catalog may be imported before the hub first starts)."""
    import sqlalchemy as sa

    from motcua.hub_config import load_hub_config
    from motcua.store.schema import service

    with engine.connect() as conn:
        stored = set(conn.execute(sa.select(service.c.code).where(
            service.c.site_id == site_id)).scalars())
    return stored or set(load_hub_config(args.config).site_setup().services)


def _import(args: argparse.Namespace) -> int:
    from motcua.dispatch import utc_now
    from motcua.dossiers.catalog import read_catalog_file
    from motcua.store.procedure_store import replace_catalog, upsert_procedures

    engine, site_id = open_site_database(args, "procedure")
    loaded = read_catalog_file(args.file, _site_services(args, engine, site_id))
    for warning in loaded.warnings:
        print(f"{_say('warning')}: {warning}", file=sys.stderr)
    for error in loaded.errors:
        print(error, file=sys.stderr)
    print(_say("read", rows=loaded.rows, valid=len(loaded.procedures),
               invalid=len(loaded.errors)), file=sys.stderr)
    status = 0 if loaded.ok else 1
    if args.replace and not loaded.ok:
        print(_say("replace_refused"), file=sys.stderr)
        return 1
    if args.dry_run:
        print(_say("dry_run"), file=sys.stderr)
        return status
    write = replace_catalog if args.replace else upsert_procedures
    counts = write(engine, site_id, loaded.procedures, utc_now())
    print(_say("stored", added=counts.added, updated=counts.updated,
               unchanged=counts.unchanged, retired=counts.retired), file=sys.stderr)
    if counts.added or counts.updated or counts.retired:
        print(_say("hub"), file=sys.stderr)
    return status


def _days(procedure) -> str:
    return "-" if procedure.processing_days is None else str(procedure.processing_days)


def _print(procedures) -> None:
    if not procedures:
        print(_say("nothing"), file=sys.stderr)
    for p in procedures:
        state = "" if p.active else "\t(ngừng / retired)"
        print(f"{p.code}\t{p.service or '-'}\t{_days(p)}\t{p.field}\t{p.name}{state}")


def _list(args: argparse.Namespace) -> int:
    from motcua.store.procedure_store import load_procedures

    engine, site_id = open_site_database(args, "procedure")
    _print(load_procedures(engine, site_id, include_retired=args.all))
    return 0


def _search(args: argparse.Namespace) -> int:
    from motcua.dossiers.search import search
    from motcua.store.procedure_store import load_procedures

    engine, site_id = open_site_database(args, "procedure")
    _print(search(load_procedures(engine, site_id), " ".join(args.text), args.limit))
    return 0
