"""``GET /api/v1/procedures?q=``: the procedure catalog for the web (tra cứu thủ tục).

The list is the catalog the hub publishes to kiosks (:class:`motcua.catalog_publisher.
CatalogPublisher`), so the web and the kiosks show the same procedures; each item is
the contract's ``ProcedureInfo``. Without ``q`` the whole active catalog is returned in
code order; with ``q`` the best matches of :func:`motcua.dossiers.search.search`
(diacritics optional), at most ``limit`` (default 20, at most 100).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from motcua.catalog_publisher import procedure_info
from motcua.dossiers.search import search

from .errors import ApiError
from .runtime import current_runtime

procedure_api = Blueprint("procedures_v1", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_CHARS = 200


def _procedures():
    runtime = current_runtime()
    catalog = getattr(runtime, "procedure_catalog", None)
    if catalog is not None:
        return catalog.procedures
    # A runtime without a publisher (an app built around a bare store) reads the table.
    from motcua.store.procedure_store import load_procedures

    return load_procedures(runtime.store.engine, runtime.setup.site_id)


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError("invalid_argument", field="limit")
    return int(raw)


@procedure_api.get("/procedures")
def list_procedures() -> Response:
    query = request.args.get("q", "")[:MAX_QUERY_CHARS].strip()
    procedures = _procedures()
    found = search(procedures, query, _limit()) if query else list(procedures)
    items = []
    for procedure in found:
        try:
            items.append(procedure_info(procedure).model_dump(mode="json"))
        except ValueError:
            continue  # does not fit the contract: the publisher leaves it out too
    response = jsonify(items)
    # The catalog changes by import only; a minute of caching spares the hub.
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
