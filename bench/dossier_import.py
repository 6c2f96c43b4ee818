"""How fast dossiers come in from an import file, on SQLite and PostgreSQL.

Per database, in one run:

1. import   - a CSV in the documented format (one row per status event, 5 events per
              dossier) read, checked and written in one transaction, as ``motcua dossier
              import`` does: status events per minute, file to commit;
2. again    - the same file a second time (every event skipped by its id): idempotence
              costs;
3. lookup   - ``StoreDossierReader.view`` of random stored codes (masked view, lateness):
              the store's share of a kiosk lookup, p50/p99.

Goal (reported, never enforced): >= 100,000 status events per minute (issue 11).
Usage: ``python bench/dossier_import.py [--quick] [--db sqlite|postgresql|both]``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

if __package__:  # imported as bench.dossier_import
    from . import _common
else:  # run as a script: bench/ is sys.path[0]
    import _common  # puts the repository root on sys.path

from motcua.dossiers.calendar import load_calendar  # noqa: E402
from motcua.dossiers.importing import read_records, write_csv_text  # noqa: E402
from motcua.dossiers.records import split_records  # noqa: E402
from motcua.store import open_site_store  # noqa: E402
from motcua.store.dossier_store import StoreDossierReader, apply_dossier_batch  # noqa: E402
from tests.support.dossiers import VN, add_procedure  # noqa: E402
from tests.support.sites import small_setup  # noqa: E402

NAME = "dossier_import"
GOAL_EVENTS_PER_MINUTE = 100_000
#: The life of a dossier in the file: received, in progress, hand-over, ready, returned.
LIFE = (2, 4, 4, 9, 10)
SETTINGS = {
    "full": {"dossiers": 25_000, "lookups": 2_000},
    "quick": {"dossiers": 200, "lookups": 50},
}
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VN)


def make_file(path: Path, dossiers: int) -> int:
    """Write the import file; return its number of events."""
    rows = []
    for number in range(dossiers):
        received = START + dt.timedelta(minutes=number)
        code = f"000.00.12.H42-{received:%y%m%d}-{number % 1_000_000:06d}"
        for index, status in enumerate(LIFE):
            at = received + dt.timedelta(days=index, hours=index)
            row = {"code": code, "status": status, "status_at": at.isoformat(),
                   "event_id": f"{code}/{index}"}
            if index == 0:
                row.update(procedure="1.000234", applicant_name="Nguyễn Văn An",
                           phone="0912345123", received_at=received.isoformat())
            rows.append(row)
    path.write_text(write_csv_text(rows), encoding="utf-8")
    return len(rows)


def import_once(engine: Any, site_id: str, path: Path, calendar: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    dossiers, events, errors = split_records(read_records(path, VN))
    report = apply_dossier_batch(engine, site_id, dossiers, events, calendar,
                                 dt.datetime.now(dt.timezone.utc), tz=VN, source="bench",
                                 earlier_errors=errors)
    return time.perf_counter() - started, report


def run_database(kind: str, url: str, settings: dict[str, Any], workdir: Path) -> dict:
    setup = small_setup()
    store = open_site_store(url, setup, START)
    add_procedure(store.engine, site_id=setup.site_id)
    calendar = load_calendar()
    path = workdir / f"{kind}.csv"
    events = make_file(path, settings["dossiers"])
    _common.progress(f"{kind}: importing {settings['dossiers']} dossiers, {events} events")
    seconds, report = import_once(store.engine, setup.site_id, path, calendar)
    assert not report.errors, report.errors[:3]
    _common.progress(f"{kind}: {events / seconds * 60:,.0f} events/min; importing again")
    again_s, again = import_once(store.engine, setup.site_id, path, calendar)
    reader = StoreDossierReader(store.engine, setup.site_id, calendar, "tra-kq", tz=VN)
    codes = [f"000.00.12.H42-{START + dt.timedelta(minutes=n):%y%m%d}-{n:06d}"
             for n in random.Random(7).sample(range(settings["dossiers"]),
                                              min(settings["lookups"], settings["dossiers"]))]
    now = dt.datetime.now(dt.timezone.utc)
    latencies = []
    for code in codes:
        began = time.perf_counter()
        assert reader.view(code, now) is not None
        latencies.append(time.perf_counter() - began)
    store.engine.dispose()
    return {
        "events": events, "dossiers": settings["dossiers"],
        "import_s": round(seconds, 2),
        "events_per_minute": round(events / seconds * 60),
        "dossiers_added": report.dossiers_added, "events_added": report.events_added,
        "again_s": round(again_s, 2), "again_skipped": again.skipped,
        "again_events_per_minute": round(events / again_s * 60),
        "lookup": _common.latency_summary(latencies),
    }


def main(argv: list[str] | None = None) -> int:
    args = _common.argument_parser(__doc__.splitlines()[0]).parse_args(argv)
    settings = SETTINGS["quick" if args.quick else "full"]
    started = time.perf_counter()
    results: dict[str, Any] = {}
    goals: dict[str, Any] = {}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="motcua-bench-files-") as directory:
        workdir = Path(directory)
        for kind in _common.selected_databases(args.db):
            if kind == "sqlite":
                with _common.sqlite_database() as url:
                    results["sqlite"] = run_database("sqlite", url, settings, workdir)
            else:
                _common.progress("postgresql: starting a private cluster")
                try:
                    with _common.postgres_cluster() as cluster:
                        url = cluster.create_database("bench_dossier_import")
                        results["postgresql"] = {
                            "server": _common.postgres_server_info(url),
                            **run_database("postgresql", url, settings, workdir)}
                except _common.PostgresUnavailable as error:
                    _common.progress(f"postgresql: skipped ({error})")
                    results["postgresql"] = {"skipped": str(error)}
                    continue
            goals[f"{kind}_events_per_minute"] = _common.goal(
                results[kind]["events_per_minute"], ">=", GOAL_EVENTS_PER_MINUTE)
    return _common.publish_document(NAME, {"quick": args.quick, "life": list(LIFE),
                                           "databases": list(_common.selected_databases(
                                               args.db)), **settings},
                                    results, goals, started)


if __name__ == "__main__":
    raise SystemExit(main())
