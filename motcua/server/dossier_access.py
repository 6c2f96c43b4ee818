"""Reading a dossier from an HTTP request: the one entry of ``/tra-cuu`` and
``GET /api/v1/dossiers/{code}``.

Both go through the hub's :class:`motcua.dossiers.finder.DossierFinder`, so the web shares
the kiosk's code rule and wrong-code limiter: a web client is its address
(``web/203.0.113.7``), limited like a kiosk. Refusals are :class:`ApiError` with the
catalog's messages: ``not_available`` (501: this hub has no dossier store),
``lookup_rate_limited`` (429, ``Retry-After``), ``invalid_code`` (400),
``dossier_not_found`` (404), ``storage_error`` (503).
"""

from __future__ import annotations

from flask import request

from motcua.contract import DossierView
from motcua.dossiers.finder import DossierFinder
from motcua.errors import WireError

from .errors import ApiError
from .runtime import HubRuntime


def dossier_finder(runtime: HubRuntime) -> DossierFinder | None:
    """The hub's dossier lookups, or None when dossiers are off (an optional attribute:
    runtimes without dossiers need not have it)."""
    return getattr(runtime, "dossier_lookup", None)


def web_client() -> str:
    """The key a web client's wrong codes are counted by: its address."""
    return f"web/{request.remote_addr or 'unknown'}"


def find_dossier(runtime: HubRuntime, raw: str) -> DossierView:
    """The masked view of the dossier ``raw`` names, for the current request's client.

    Raises:
        ApiError: see the module docstring.
    """
    finder = dossier_finder(runtime)
    if finder is None:
        raise ApiError("not_available", feature="lookup")
    try:
        return finder.find(raw, web_client(), runtime.dispatcher.clock())
    except WireError as error:
        raise ApiError(error.code, **error.params) from None
