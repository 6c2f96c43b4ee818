"""Helpers of the dossier tests: a catalog row, and records made from plain dicts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from motcua.dossiers.records import parse_record, split_records
from motcua.store.schema import procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SITE = "test-site"
#: A Friday with no holiday near (27/11/2026).
FRIDAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=VN)


def add_procedure(engine: sa.Engine, code: str = "1.000234", name: str = "Đăng ký kết hôn",
                  days: int | None = 3, site_id: str = SITE) -> None:
    """Put one procedure in the catalog table (what the catalog import would do)."""
    with engine.begin() as conn:
        conn.execute(procedure.insert().values(
            site_id=site_id, code=code, name=name, field="Hộ tịch", documents='["Tờ khai"]',
            processing_days=days, updated_at=FRIDAY))


def batch(*rows: dict, first_row: int = 2):
    """``(dossiers, events, errors)`` of rows numbered from ``first_row``, as a file."""
    return split_records(parse_record(first_row + index, row, VN)
                         for index, row in enumerate(rows))
