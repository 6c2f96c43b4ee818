"""Tables of the hub's database (SQLAlchemy Core). ``site_id`` is in every table.

The constraints are the safety net behind the single writer: unique ticket numbers per
(site, prefix, business day), at most one active ticket per counter (a partial unique
index), and conditional updates done by :mod:`motcua.store.site_store`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no zones) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


SITE_ID = sa.String(64)
ACTIVE = "status IN ('called', 'serving')"
RATED = "kind = 'ticket_rated'"

site = sa.Table(
    "site",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("rules", sa.Text, nullable=False),  # JSON of domain Rules
    sa.Column("epoch", sa.String(36), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("business_day", sa.Date, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

service = sa.Table(
    "service",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("prefix", sa.String(4), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("field", sa.String(200), nullable=False, server_default=""),
    sa.Column("mean_service_minutes", sa.Float, nullable=False),
    sa.Column("daily_cap", sa.Integer, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

counter = sa.Table(
    "counter",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("clerk", sa.String(128), nullable=True),
    sa.Column("session_services", sa.Text, nullable=False, server_default="[]"),
    sa.Column("current_ticket", sa.String(40), nullable=True),
    sa.Column("last_served", sa.String(40), nullable=True),
    sa.Column("normal_streak", sa.Integer, nullable=False, server_default="0"),
)

counter_service = sa.Table(
    "counter_service",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("site_id", SITE_ID, nullable=False),
    sa.Column("counter", sa.Integer, nullable=False),
    sa.Column("assignment", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("service_code", sa.String(64), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_to", sa.Date, nullable=True),
    sa.Index(None, "site_id", "counter"),
)

issuing_session = sa.Table(
    "issuing_session",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("start", sa.String(5), nullable=False),  # HH:MM local time
    sa.Column("end", sa.String(5), nullable=False),
    sa.Column("weekdays", sa.String(20), nullable=False),  # "0,1,2,3,4", Monday = 0
    sa.Column("position", sa.Integer, nullable=False),
)

ticket = sa.Table(
    "ticket",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("site_id", SITE_ID, nullable=False),
    sa.Column("business_day", sa.Date, nullable=False),
    sa.Column("prefix", sa.String(4), nullable=False),
    sa.Column("seq_no", sa.Integer, nullable=False),
    sa.Column("number", sa.String(12), nullable=False),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("priority_reason", sa.String(256), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("counter", sa.Integer, nullable=True),
    sa.Column("reserved_counter", sa.Integer, nullable=True),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("called_at", UtcDateTime, nullable=True),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("recalls", sa.Integer, nullable=False),
    sa.Column("hold_remaining", sa.Integer, nullable=False),
    sa.Column("front", sa.Boolean, nullable=False),
    sa.Column("rating", sa.Integer, nullable=True),
    # Added by migration 0002 (queue rules of issue 7).
    sa.Column("recalls_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("issued_service", sa.String(64), nullable=False, server_default=""),
    sa.Column("held_at", UtcDateTime, nullable=True),
    # Added by migration 0004: the dossier a return-of-results ticket was taken for.
    sa.Column("dossier", sa.String(64), nullable=True),
    sa.UniqueConstraint("site_id", "prefix", "business_day", "seq_no"),
    sa.Index(None, "site_id", "business_day"),
    sa.Index(
        "uq_ticket_one_active_per_counter",
        "site_id",
        "counter",
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    ),
)

ticket_event = sa.Table(
    "ticket_event",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("site_id", SITE_ID, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(40), nullable=True),
    sa.Column("counter", sa.Integer, nullable=True),
    sa.Column("clerk", sa.String(128), nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("source", sa.String(128), nullable=True),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index(None, "site_id", "seq"),
    sa.Index(None, "site_id", "ticket_id"),
    # Added by migration 0003: a ticket is rated once (the engine refuses a second
    # rating with ``already_rated``; this index is the safety net behind it).
    sa.Index(
        "uq_ticket_event_one_rating",
        "site_id",
        "ticket_id",
        unique=True,
        sqlite_where=sa.text(RATED),
        postgresql_where=sa.text(RATED),
    ),
)

number_counter = sa.Table(
    "number_counter",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("prefix", sa.String(4), primary_key=True),
    sa.Column("business_day", sa.Date, primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

#: The day's answered requests, the durable half of idempotence. A row's key is its place
#: in the log (migration 0005), not (source, request_id): the single writer looks a request
#: up in its own map of the day's rows (loaded by business day when it starts) and never
#: in this table, and a unique index on the devices' random ids put each new row on a leaf
#: page of its own: the WAL pages written per issue grew with the day's requests (0.9 at
#: a day's start, 2.6 after 10,000 issues; without that index 1.3 to 1.4 from 2,700 on).
request = sa.Table(
    "request",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("site_id", SITE_ID, nullable=False),
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("business_day", sa.Date, nullable=False),
    sa.Column("payload_hash", sa.String(64), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "site_id", "business_day"),
)

device = sa.Table(
    "device",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("token_hash", sa.String(128), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

#: People who log in to the clerk panel (migration 0003). ``counters`` is ``all`` or the
#: comma-separated counter numbers the account may operate; ``password_hash`` is argon2id.
user_account = sa.Table(
    "user_account",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("counters", sa.String(1000), nullable=False, server_default=""),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("role IN ('clerk', 'manager', 'admin')", name="role"),
)


# --- dossiers and the procedure catalog (migration 0004, issue 11) ----------------------

#: The catalog of procedures (thủ tục hành chính). ``documents`` is a JSON list of text.
procedure = sa.Table(
    "procedure",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("field", sa.String(200), nullable=False, server_default=""),
    sa.Column("documents", sa.Text, nullable=False, server_default="[]"),
    sa.Column("processing_days", sa.Integer, nullable=True),
    sa.Column("processing_note", sa.String(200), nullable=False, server_default=""),
    sa.Column("fee", sa.String(200), nullable=False, server_default=""),
    sa.Column("service", sa.String(64), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

#: A dossier as the provincial system knows it. ``status`` is the latest status (1–10) of
#: its events; lateness is computed from ``appointment_date``, never stored. Personal data
#: is stored whole and masked on every public surface (:mod:`motcua.dossiers.masking`).
dossier = sa.Table(
    "dossier",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("procedure_code", sa.String(64), nullable=False),
    sa.Column("applicant_name", sa.String(200), nullable=False),
    sa.Column("applicant_phone", sa.String(32), nullable=False, server_default=""),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("appointment_date", sa.Date, nullable=False),  # ngày hẹn trả, as first set
    sa.Column("new_appointment_date", sa.Date, nullable=True),  # from an apology (Mẫu 04)
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("supplement_requests", sa.Integer, nullable=False, server_default="0"),
    sa.Column("finished_at", UtcDateTime, nullable=True),  # reached 9 (or ended)
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("status BETWEEN 1 AND 10", name="status"),
)

#: The status history of a dossier, append-only. ``event_id`` is the sender's key for
#: idempotence (a repeated event id with the same content is accepted once).
dossier_event = sa.Table(
    "dossier_event",
    metadata,
    sa.Column("site_id", SITE_ID, primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("note", sa.String(500), nullable=False, server_default=""),
    sa.Column("new_appointment_date", sa.Date, nullable=True),
    sa.Column("source", sa.String(128), nullable=False, server_default=""),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("status BETWEEN 1 AND 10", name="status"),
    sa.Index(None, "site_id", "code", "at"),
)
