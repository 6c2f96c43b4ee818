"""``/tra-cuu``: the public dossier lookup page, Vietnamese first with an English link.

A citizen types the code of their appointment slip (form ``GET /tra-cuu?ma=CODE``, or
the address ``/tra-cuu/CODE``) and sees the dossier as every public surface shows it:
masked applicant, procedure, status, the timeline with dates, the appointment date,
sớm hạn / đúng hạn / quá hạn and, when late, the apology and the new date. The page is
rendered on the server (no script), so it works on any phone. An unknown or malformed
code gets a calm message (404 / 400), too many wrong codes from one address a 429 page
with ``Retry-After`` (:mod:`.dossier_access`, shared with ``GET /api/v1/dossiers``).
"""

from __future__ import annotations

import logging
import zoneinfo
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from motcua.contract import DossierView

from .dossier_access import find_dossier
from .dossier_text import LANGUAGES, day_text, moment_text, text
from .errors import RETRY_AFTER_PARAM, STATUS_OF, ApiError
from .runtime import current_runtime

log = logging.getLogger(__name__)

dossier_page = Blueprint("dossier_page", __name__)

LOOKUP_PATH = "/tra-cuu"
#: Longest input looked at; the code rule refuses anything longer anyway.
MAX_QUERY_CHARS = 200
#: Title of the calm message page of each refusal.
REFUSAL_TITLES = {
    "invalid_code": "invalid_title",
    "dossier_not_found": "not_found_title",
    "lookup_rate_limited": "limited_title",
    "not_available": "unavailable_title",
}
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
#: Shown under the field: the national form of a code.
EXAMPLE_CODE = "000.00.12.H42-230915-0001"


@dossier_page.get(LOOKUP_PATH)
def lookup_form() -> Response:
    """The form; with ``?ma=CODE`` the dossier (or why not) under it."""
    raw = request.args.get("ma", "")[:MAX_QUERY_CHARS]
    if not raw.strip():
        return _page({}, 200)
    return _lookup(raw)


@dossier_page.get(f"{LOOKUP_PATH}/<path:raw>")
def lookup_code(raw: str) -> Response:
    """The dossier whose code is in the address."""
    return _lookup(raw[:MAX_QUERY_CHARS])


def _lookup(raw: str) -> Response:
    runtime = current_runtime()
    language = _language()
    try:
        view = find_dossier(runtime, raw)
    except ApiError as refusal:
        error = refusal.error
        status = refusal.status or STATUS_OF.get(error["code"], 409)
        headers = {}
        if isinstance(error["params"].get(RETRY_AFTER_PARAM), int):
            headers["Retry-After"] = str(error["params"][RETRY_AFTER_PARAM])
        return _page({
            "typed": raw.strip(),
            "refusal": {
                "title": text(REFUSAL_TITLES.get(error["code"], "error_title"), language),
                "message": error["message_en" if language == "en" else "message"],
                "code": error["code"],
            },
        }, status, headers)
    return _page({"typed": view.code, "dossier": _dossier(view, language)}, 200)


def _dossier(view: DossierView, language: str) -> dict[str, Any]:
    """What the template shows of ``view``, in ``language``, dates as the site reads them."""
    zone = zoneinfo.ZoneInfo(current_runtime().setup.timezone)
    return {
        "code": view.code,
        "procedure": view.procedure.name,
        "field": view.procedure.field,
        "applicant": view.applicant,
        "status": text(f"status.{view.status}", language),
        "stage": view.stage,
        "received": moment_text(view.received_at, zone),
        "appointment": day_text(view.appointment),
        "new_appointment": day_text(view.new_appointment),
        "lateness": view.lateness,
        "lateness_text": text(f"lateness.{view.lateness}", language),
        "late": view.lateness == "late",
        "apology": view.apology,
        "returnable": view.returnable,
        "timeline": [{"label": text(f"status.{step.status}", language), "stage": step.stage,
                      "at": moment_text(step.at, zone), "note": step.note}
                     for step in view.timeline],
    }


def _page(context: dict[str, Any], status: int,
          headers: dict[str, str] | None = None) -> Response:
    runtime = current_runtime()
    language = _language()
    other = LANGUAGES[1] if language == LANGUAGES[0] else LANGUAGES[0]
    query = {key: value for key, value in request.args.items() if key != "lang"}
    query["lang"] = other
    body = render_template(
        "dossier.html", language=language, site_name=runtime.setup.name,
        action=LOOKUP_PATH, example=EXAMPLE_CODE,
        switch_url=f"{request.path}?{urlencode(query)}",
        t=lambda key, **params: text(key, language, **params), **context)
    return Response(body, status=status, headers={**PAGE_HEADERS, **(headers or {})})


def _language() -> str:
    chosen = request.args.get("lang", LANGUAGES[0])
    return chosen if chosen in LANGUAGES else LANGUAGES[0]
