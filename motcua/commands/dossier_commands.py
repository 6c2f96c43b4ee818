"""``motcua dossier import|show|demo``: dossiers from the provincial one-stop system.

``import FILE`` reads a CSV or XLSX file (``docs/dossiers.md``), prints each refused row
with its field, keeps the valid rows in one transaction, and exits 1 when any row was
refused. ``show CODE`` prints a whole dossier for staff (unmasked). ``demo`` loads the
demo dossiers and prints their codes.

One writer per site: a command that writes takes the hub lock for its duration. While the
hub runs it holds that lock, so the command refuses and says to send the rows to the
running hub through ``POST /api/v1/dossiers`` instead (or stop the hub first); it never
writes behind the hub's back. ``--dry-run`` only reads and needs no lock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from motcua.commands.hub_database import open_site_database

# The store (SQLAlchemy) and openpyxl are imported by the handlers: every process builds
# this parser, and a kiosk must not carry database code it never uses.

HUB_RUNNING = (
    "máy chủ (hub) đang chạy cho điểm {site}: hãy gửi hồ sơ qua POST /api/v1/dossiers "
    "hoặc dừng hub rồi chạy lại lệnh / the hub is running for site {site}: send the rows "
    "to POST /api/v1/dossiers, or stop the hub and run this again")
SUMMARY = ("{verb}: {dossiers} hồ sơ mới, {events} trạng thái mới, {skipped} đã có (bỏ qua), "
           "{errors} dòng bị từ chối / {verb_en}: {dossiers} new dossiers, {events} new "
           "events, {skipped} already stored, {errors} rows refused")
NOT_FOUND = "không có hồ sơ {code} / no dossier {code}"
BAD_CODE = "mã hồ sơ không hợp lệ / not a dossier code"
DEMO_HEADER = "Hồ sơ mẫu, nhập mã trên kiosk để tra cứu / Demo dossiers, type a code on the kiosk:"
DEMO_KINDS = ("đã xử lý xong, chờ trả kết quả / ready for return",
              "quá hạn, có thư xin lỗi / late, with an apology",
              "cần bổ sung giấy tờ / needs a supplement",
              "đang xử lý / in progress")
LATENESS_VI = {"early": "sớm hạn", "on_time": "đúng hạn", "late": "quá hạn"}
#: Rows between two progress lines on stderr.
PROGRESS_EVERY = 10_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dossier", help="hồ sơ thủ tục hành chính (dossiers: import, show, demo)")
    actions = parser.add_subparsers(dest="dossier_action", metavar="ACTION", required=True)

    importing = actions.add_parser(
        "import", help="nhập hồ sơ từ file CSV/XLSX (import dossiers and statuses)",
        description="Nhập hồ sơ và trạng thái từ file CSV hoặc XLSX (docs/dossiers.md). "
        "Import dossiers and status events from a CSV or XLSX file; refused rows are "
        "listed with their field, valid rows are kept; exit code 1 when a row was refused.")
    importing.add_argument("file", help="file .csv (UTF-8) hoặc .xlsx")
    importing.add_argument("--dry-run", action="store_true",
                           help="chỉ kiểm tra, không lưu (check only, write nothing)")
    importing.add_argument("--source", default="",
                           help="nguồn dữ liệu ghi kèm (source recorded with each event)")
    _common(importing)
    importing.set_defaults(handler=_import)

    show = actions.add_parser("show", help="xem đầy đủ một hồ sơ (staff view, unmasked)")
    show.add_argument("code", help="mã hồ sơ, ví dụ 000.00.12.H42-230915-0001")
    _common(show)
    show.set_defaults(handler=_show)

    demo = actions.add_parser("demo", help="nạp hồ sơ mẫu (load demo dossiers)")
    _common(demo)
    demo.set_defaults(handler=_demo)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="hub TOML file (default: none, example center)")
    parser.add_argument("--db", help="database URL (default: MOTCUA_DB_URL or the config's)")
    parser.add_argument("--calendar",
                        help="lịch ngày nghỉ TOML (holiday calendar; default: the shipped one)")


def _site_settings(args: argparse.Namespace):
    """The site's ``[dossiers]`` settings (code pattern, holiday file) from ``--config``."""
    from motcua.hub_config import HubConfigError, load_hub_config
    from motcua.site_config import SiteConfigError

    try:
        return load_hub_config(args.config).dossier_settings()
    except (HubConfigError, SiteConfigError) as exc:
        raise SystemExit(f"motcua dossier: {exc}") from None


def _calendar(args: argparse.Namespace, settings=None):
    """``--calendar``, else the site's holiday file, else the shipped calendar.
    ``settings``: the site's ``[dossiers]`` settings when the caller has read them."""
    from motcua.dossiers.calendar import CalendarError, load_calendar

    settings = settings or _site_settings(args)
    try:
        return load_calendar(args.calendar or settings.holidays)
    except CalendarError as exc:
        raise SystemExit(f"motcua dossier: {exc}") from None


class _Locked:
    """The hub lock for a writing command; refuses with :data:`HUB_RUNNING` when held."""

    def __init__(self, engine, site_id: str) -> None:
        from motcua.store import HubLock

        self.lock = HubLock(engine, site_id)
        self.site_id = site_id

    def __enter__(self) -> None:
        from motcua.store import HubLockHeld

        try:
            self.lock.acquire()
        except HubLockHeld:
            raise SystemExit(f"motcua dossier: {HUB_RUNNING.format(site=self.site_id)}") \
                from None

    def __exit__(self, *exc) -> None:
        self.lock.release()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _import(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from motcua.dossiers.importing import ImportFileError, read_records
    from motcua.dossiers.records import split_records
    from motcua.store.dossier_store import apply_dossier_batch, site_timezone

    settings = _site_settings(args)
    calendar = _calendar(args, settings)
    engine, site_id = open_site_database(args, "dossier")
    tz = site_timezone(engine, site_id)
    started = time.monotonic()
    guard = nullcontext() if args.dry_run else _Locked(engine, site_id)
    with guard:
        rows = 0

        def counted(records):
            nonlocal rows
            for record in records:
                rows += 1
                if rows % PROGRESS_EVERY == 0:
                    print(f"… {rows} dòng đã đọc / rows read", file=sys.stderr)
                yield record

        try:
            dossiers, events, errors = split_records(counted(read_records(
                args.file, tz, settings.code_rule)))  # the site's dossier code pattern
        except ImportFileError as exc:
            raise SystemExit(f"motcua dossier import: {args.file}: {exc}") from None
        report = apply_dossier_batch(engine, site_id, dossiers, events, calendar, _now(),
                                     tz=tz, source=args.source or f"import:{args.file}"[:128],
                                     dry_run=args.dry_run, earlier_errors=errors)
    for error in report.errors:
        print(f"dòng/row {error.row} [{error.field}] {error.message} / {error.message_en}")
    verb, verb_en = ("Kiểm tra", "Dry run") if args.dry_run else ("Đã nhập", "Imported")
    print(SUMMARY.format(verb=verb, verb_en=verb_en, dossiers=report.dossiers_added,
                         events=report.events_added, skipped=report.skipped,
                         errors=len(report.errors)), file=sys.stderr)
    print(f"({rows} dòng / rows, {time.monotonic() - started:.1f} s)", file=sys.stderr)
    return 1 if report.errors else 0


def _show(args: argparse.Namespace) -> int:
    from motcua.dossiers.codes import clean_code
    from motcua.dossiers.status import DossierStatus
    from motcua.store.dossier_store import StoreDossierReader

    code = clean_code(args.code)
    if code is None:
        raise SystemExit(f"motcua dossier: {BAD_CODE}")
    engine, site_id = open_site_database(args, "dossier")
    reader = StoreDossierReader(engine, site_id, _calendar(args))
    found = reader.record(code)
    if found is None:
        print(NOT_FOUND.format(code=code), file=sys.stderr)
        return 1
    row, events, procedure = found
    view = reader.view(code, _now())
    local = reader.tz
    status = DossierStatus(row["status"])
    lines = [
        f"Mã hồ sơ / code:        {row['code']}",
        f"Thủ tục / procedure:    {row['procedure_code']}"
        + (f" {procedure.name}" if procedure else ""),
        f"Người nộp / applicant:  {row['applicant_name']}",
        f"Điện thoại / phone:     {row['applicant_phone']}",
        f"Tiếp nhận / received:   {row['received_at'].astimezone(local):%d/%m/%Y %H:%M}",
        f"Hẹn trả / appointment:  {row['appointment_date']:%d/%m/%Y}",
    ]
    if row["new_appointment_date"]:
        lines.append(f"Hẹn lại / new date:     {row['new_appointment_date']:%d/%m/%Y}")
    lines += [
        f"Trạng thái / status:    {int(status)} {status.label}",
        f"Tiến độ / lateness:     {LATENESS_VI[view.lateness]} ({view.lateness})",
        f"Yêu cầu bổ sung / supplement requests: {row['supplement_requests']}",
        "Lịch sử / history:",
    ]
    for event in events:
        new_date = (f" → hẹn lại {event['new_appointment_date']:%d/%m/%Y}"
                    if event["new_appointment_date"] else "")
        lines.append(f"  {event['at'].astimezone(local):%d/%m/%Y %H:%M}  {event['status']:>2} "
                     f"{DossierStatus(event['status']).label}{new_date}"
                     f"{'  — ' + event['note'] if event['note'] else ''}"
                     f"  [{event['event_id']}{', ' + event['source'] if event['source'] else ''}]")
    print("\n".join(lines))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from motcua.dossiers.demo import load_demo_dossiers

    calendar = _calendar(args)
    engine, site_id = open_site_database(args, "dossier")
    with _Locked(engine, site_id):
        codes = load_demo_dossiers(engine, site_id, _now(), calendar)
    print(DEMO_HEADER, file=sys.stderr)
    for code, kind in zip(codes, DEMO_KINDS):
        print(f"{code}\t{kind}")
    return 0
