"""Checking the pages' ``POST`` bodies before anything reaches the backend.

``/api/issue`` takes exactly ``{"tap_id", "service", "priority"}`` and an optional
``dossier`` (a return-of-results ticket); ``/api/lookup`` takes ``{"request_id", "code"}``;
``/api/scan`` takes ``{"code"}`` (what a keyboard-wedge scanner typed). Anything else is a
:class:`BadIssueRequest` carrying a catalog key and its parameters, which the route turns
into a JSON 400 in Vietnamese and English; nothing is issued or looked up for it. Codes
are only checked for shape here (text, bounded); the kiosk's code rule judges them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from motcua.contract.fields import PRIORITIES, SLUG_PATTERN

#: The page makes ``tap_id`` with ``crypto.randomUUID()`` (36 characters); any 8–64 of
#: these characters is accepted so a test or another client may use its own ids.
TAP_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,64}$")
SERVICE_PATTERN = re.compile(SLUG_PATTERN)
FIELDS = ("tap_id", "service", "priority")
OPTIONAL_FIELDS = ("dossier",)
#: Longest code text passed on (the rule refuses anything longer anyway).
MAX_CODE_CHARS = 128


class BadIssueRequest(ValueError):
    """A refused body: ``key`` names the catalog text (``errors.…``), ``params`` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class IssueRequest:
    """One confirmed tap."""

    tap_id: str
    service: str
    priority: str
    dossier: str | None = None


@dataclass(frozen=True)
class LookupRequest:
    """One lookup: ``request_id`` made by the page (the same on every retry)."""

    request_id: str
    code: str


def parse_issue_request(body: bytes, content_type: str | None) -> IssueRequest:
    """Return the tap ``body`` asks for.

    Raises:
        BadIssueRequest: not JSON, not an object, unknown or missing fields, or a field
            of the wrong shape (``priority`` must be one of the contract's groups).
    """
    document = json_body(body, content_type, FIELDS, OPTIONAL_FIELDS)
    tap_id, service, priority = (document[name] for name in FIELDS)
    if not isinstance(tap_id, str) or not TAP_ID_PATTERN.match(tap_id):
        raise BadIssueRequest("errors.bad_tap_id")
    if not isinstance(service, str) or not SERVICE_PATTERN.match(service):
        raise BadIssueRequest("errors.bad_service")
    if not isinstance(priority, str) or priority not in PRIORITIES:
        raise BadIssueRequest("errors.bad_priority")
    dossier = document.get("dossier")
    if dossier is not None:
        dossier = _code(dossier)
    return IssueRequest(tap_id=tap_id, service=service, priority=priority, dossier=dossier)


def parse_lookup_request(body: bytes, content_type: str | None) -> LookupRequest:
    """Return the lookup ``body`` asks for (``request_id`` shaped like a tap id)."""
    document = json_body(body, content_type, ("request_id", "code"))
    request_id = document["request_id"]
    if not isinstance(request_id, str) or not TAP_ID_PATTERN.match(request_id):
        raise BadIssueRequest("errors.bad_tap_id")
    return LookupRequest(request_id=request_id, code=_code(document["code"]))


def parse_scan_request(body: bytes, content_type: str | None) -> str:
    """Return the text a wedge scanner typed (the kiosk's rule judges it)."""
    return _code(json_body(body, content_type, ("code",))["code"])


def _code(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_CODE_CHARS:
        raise BadIssueRequest("errors.bad_code")
    return value


def json_body(body: bytes, content_type: str | None, fields: tuple[str, ...],
              optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON object of ``body`` with exactly ``fields`` (and maybe ``optional``).

    Raises:
        BadIssueRequest: not JSON, not an object, unknown or missing fields.
    """
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise BadIssueRequest("errors.not_json")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadIssueRequest("errors.not_json") from error
    if not isinstance(document, dict):
        raise BadIssueRequest("errors.not_object")
    unknown = sorted(document.keys() - set(fields) - set(optional))
    if unknown:
        raise BadIssueRequest("errors.unknown_fields", fields=", ".join(unknown))
    missing = [name for name in fields if name not in document]
    if missing:
        raise BadIssueRequest("errors.missing_fields", fields=", ".join(missing))
    return document
