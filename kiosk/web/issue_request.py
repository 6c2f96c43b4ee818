"""Checking one ``POST /api/issue`` body before anything reaches the backend.

A body is exactly ``{"tap_id": …, "service": …, "priority": …}``. Anything else is a
:class:`BadIssueRequest` carrying a catalog key and its parameters, which the route turns
into a JSON 400 in Vietnamese and English; nothing is issued for it.
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


def parse_issue_request(body: bytes, content_type: str | None) -> IssueRequest:
    """Return the tap ``body`` asks for.

    Raises:
        BadIssueRequest: not JSON, not an object, unknown or missing fields, or a field
            of the wrong shape (``priority`` must be one of the contract's groups).
    """
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise BadIssueRequest("errors.not_json")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadIssueRequest("errors.not_json") from error
    if not isinstance(document, dict):
        raise BadIssueRequest("errors.not_object")
    unknown = sorted(document.keys() - set(FIELDS))
    if unknown:
        raise BadIssueRequest("errors.unknown_fields", fields=", ".join(unknown))
    missing = [name for name in FIELDS if name not in document]
    if missing:
        raise BadIssueRequest("errors.missing_fields", fields=", ".join(missing))
    tap_id, service, priority = (document[name] for name in FIELDS)
    if not isinstance(tap_id, str) or not TAP_ID_PATTERN.match(tap_id):
        raise BadIssueRequest("errors.bad_tap_id")
    if not isinstance(service, str) or not SERVICE_PATTERN.match(service):
        raise BadIssueRequest("errors.bad_service")
    if not isinstance(priority, str) or priority not in PRIORITIES:
        raise BadIssueRequest("errors.bad_priority")
    return IssueRequest(tap_id=tap_id, service=service, priority=priority)
