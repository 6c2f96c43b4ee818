"""``/api/v1/dossiers``: dossiers pushed by the provincial system, looked up by the public.

Writes (``POST /api/v1/dossiers``, ``POST /api/v1/dossiers/{code}/events``) need the
bearer token of an ``integration`` (``motcua device add --kind integration --id tinh``),
are idempotent by event id (a repeated event is skipped, the same id with other content
is a row error), and run on the hub's writer thread
(:func:`motcua.store.dossier_store.submit_dossier_batch`), so they never race the queue.
Valid rows are stored and refused rows reported row by row: 200 when none was refused,
422 ``dossier_rows_refused`` with the same ``report`` otherwise.

``GET /api/v1/dossiers/{code}`` is public and gives the masked
:class:`motcua.contract.DossierView` through the hub's one lookup path
(:func:`motcua.server.dossier_access.find_dossier`): the site's code rule and the same
wrong-code budget per address as ``/tra-cuu``.

The hub provides the reader as ``runtime.dossiers`` (None: dossiers are off, 501).
Body format: ``docs/dossiers.md``.
"""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import sqlalchemy.exc
from flask import Blueprint, Response, jsonify, request

from motcua import contract
from motcua.devices import INTEGRATION_KIND
from motcua.dossiers.codes import DEFAULT_RULE, CodeRule
from motcua.dossiers.records import Record, parse_record, row_error, split_records
from motcua.errors import error_object

from .api import EXECUTE_TIMEOUT_S, _authenticate
from .dossier_access import find_dossier
from .errors import ApiError
from .runtime import current_runtime

log = logging.getLogger(__name__)

dossier_api = Blueprint("dossier_api_v1", __name__, url_prefix="/api/v1/dossiers")

#: Items of one body: the body limit (serve.MAX_BODY_BYTES) is the real bound.
MAX_ITEMS = 1000
#: Event fields a dossier object may carry for its first status.
_EVENT_KEYS = ("status", "status_at", "note", "new_appointment_date", "event_id")


@dossier_api.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _reader(runtime: Any) -> Any:
    reader = getattr(runtime, "dossiers", None)
    if reader is None:
        raise ApiError("not_available", feature="lookup")
    return reader


@dossier_api.get("/<code>")
def get_dossier(code: str) -> Response:
    """The masked public view of a dossier as of now."""
    return jsonify(find_dossier(current_runtime(), code).model_dump(mode="json"))


@dossier_api.post("")
def post_dossiers() -> Response:
    """A batch of dossiers (each with its events) and/or events of stored dossiers."""
    runtime = current_runtime()
    reader = _reader(runtime)
    device_id = _authenticate(runtime, INTEGRATION_KIND)
    document = _body()
    rule = _code_rule(runtime)
    records = []
    for index, item in enumerate(_list(document, "dossiers")):
        records += _dossier_records(f"dossiers[{index}]", item, reader.tz, rule)
    for index, item in enumerate(_list(document, "events")):
        records.append(_record(f"events[{index}]", item, reader.tz, rule))
    return _apply(runtime, reader, records, device_id)


@dossier_api.post("/<code>/events")
def post_events(code: str) -> Response:
    """Events of one stored dossier: ``{"events": [...]}`` or one event object."""
    runtime = current_runtime()
    reader = _reader(runtime)
    device_id = _authenticate(runtime, INTEGRATION_KIND)
    rule = _code_rule(runtime)
    canonical = rule.clean(code)
    if canonical is None:
        raise ApiError("invalid_code")
    document = _body()
    items = _list(document, "events") if "events" in document else [document]
    records = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and rule.clean(item.get("code", canonical)) != canonical:
            records.append(Record(f"events[{index}]", errors=[row_error(
                f"events[{index}]", "code", "bad_code", item.get("code"))]))
            continue
        records.append(_record(f"events[{index}]", {**item, "code": canonical}
                               if isinstance(item, dict) else item, reader.tz, rule))
    return _apply(runtime, reader, records, device_id)


# --- helpers --------------------------------------------------------------------------


def _body() -> dict[str, Any]:
    try:
        return contract.json_object(request.get_data())
    except contract.ContractError as error:
        raise ApiError(error.code, **error.params) from None


def _list(document: dict[str, Any], key: str) -> list[Any]:
    items = document.get(key, [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ApiError("invalid_argument", field=key)
    return items


def _code_rule(runtime: Any) -> CodeRule:
    """The site's dossier code rule (``[dossiers] code_pattern``), as lookups use it."""
    finder = getattr(runtime, "dossier_lookup", None)
    return finder.settings.code_rule if finder is not None else DEFAULT_RULE


def _record(where: str, item: Any, tz, rule: CodeRule) -> Record:
    if not isinstance(item, dict):
        return Record(where, errors=[row_error(where, "-", "bad_row", type(item).__name__)])
    raw = dict(item)
    if "at" in raw and "status_at" not in raw:
        raw["status_at"] = raw.pop("at")
    return parse_record(where, raw, tz, rule)


def _dossier_records(where: str, item: Any, tz, rule: CodeRule) -> list[Record]:
    """A dossier object: its own fields (and first status, if given) as one record, then
    one record per element of its ``events``."""
    if not isinstance(item, dict):
        return [_record(where, item, tz, rule)]
    events = item.get("events", [])
    if not isinstance(events, list) or len(events) > MAX_ITEMS:
        return [Record(where, errors=[row_error(where, "events", "bad_row", "events")])]
    own = {key: value for key, value in item.items() if key != "events"}
    records = [_record(where, own, tz, rule)] if any(
        key in own for key in ("procedure", "applicant_name", "received_at", *_EVENT_KEYS)
    ) else []
    for index, event in enumerate(events):
        event_where = f"{where}.events[{index}]"
        if isinstance(event, dict):
            event = {**{k: v for k, v in event.items() if k != "code"}, "code": item.get("code")}
        records.append(_record(event_where, event, tz, rule))
    return records


def _apply(runtime: Any, reader: Any, records: list[Record], device_id: str) -> Response:
    from motcua.store.dossier_store import apply_dossier_batch, submit_dossier_batch

    dossiers, events, errors = split_records(records)
    now = runtime.dispatcher.clock()
    source = f"http/{INTEGRATION_KIND}/{device_id}"
    future = submit_dossier_batch(runtime.dispatcher, lambda: apply_dossier_batch(
        reader.engine, reader.site_id, dossiers, events, reader.calendar, now,
        tz=reader.tz, source=source, earlier_errors=errors))
    try:
        report = future.result(timeout=EXECUTE_TIMEOUT_S)
    except FutureTimeout:
        # The batch may still be written: a retry with the same event ids is skipped.
        log.warning("dossier batch from %s not written within %.0f s", source,
                    EXECUTE_TIMEOUT_S)
        raise ApiError("hub_timeout") from None
    except sqlalchemy.exc.SQLAlchemyError:
        log.exception("dossier batch from %s failed", source)
        raise ApiError("storage_error") from None
    body: dict[str, Any] = {"report": report.as_dict()}
    if report.errors:
        body["error"] = error_object("dossier_rows_refused", count=len(report.errors))
        response = jsonify(body)
        response.status_code = 422
        return response
    return jsonify(body)
