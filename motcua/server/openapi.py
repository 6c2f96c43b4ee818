"""The OpenAPI 3.1 document of ``/api/v1``, written by hand so it reads as documentation.

Enumerations come from :mod:`motcua.contract`, so priorities and statuses cannot drift
from the MQTT contract; a test validates the document and checks that every ``/api/v1``
route of the app is in it.
"""

from __future__ import annotations

import copy
from typing import Any

from motcua import __version__, contract


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_TIMESTAMP = {"type": "string", "format": "date-time",
              "description": "ISO 8601 with the site's offset (+07:00)"}
_COUNT = {"type": "integer", "minimum": 0}
_SLUG = {"type": "string", "pattern": contract.SLUG_PATTERN}
_NUMBER = {"type": "string", "maxLength": 16, "examples": ["A015"]}

_SCHEMAS: dict[str, Any] = {
    "DossierReport": {
        "type": "object",
        "required": ["report"],
        "properties": {
            "report": {"type": "object", "required": [
                "dossiers_added", "events_added", "skipped", "dry_run", "errors"],
                "properties": {
                    "dossiers_added": _COUNT, "events_added": _COUNT, "skipped": _COUNT,
                    "dry_run": {"type": "boolean"},
                    "errors": {"type": "array", "items": {
                        "type": "object",
                        "required": ["row", "field", "code", "message", "message_en"],
                        "properties": {
                            "row": {"type": ["string", "integer"],
                                    "examples": ["dossiers[0].events[1]"]},
                            "field": {"type": "string"}, "code": {"type": "string"},
                            "message": {"type": "string"},
                            "message_en": {"type": "string"}}}}}},
            "error": {"type": "object", "description": "set when a row was refused"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message", "message_en", "params"],
            "description": "The same object as the error of an MQTT reply (docs/contract.md).",
            "properties": {
                "code": {"type": "string", "description": "stable machine code",
                         "examples": ["sold_out"]},
                "message": {"type": "string",
                            "description": "Vietnamese text for people (Vietnamese only)"},
                "message_en": {"type": "string", "description": "the English text"},
                "params": {"type": "object",
                           "description": "values filled into both texts, each text at "
                                          "most 64 characters",
                           "additionalProperties": {
                               "type": ["string", "integer", "number", "boolean"]}},
            },
        }},
    },
    "Priority": {"type": "string", "enum": list(contract.PRIORITIES)},
    "ProcedureInfo": contract.ProcedureInfo.model_json_schema(),
    "Device": {
        "type": "object",
        "description": "A device the hub has heard of (retained presence, kiosk printer).",
        "required": ["kind", "id", "online", "printer", "last_seen"],
        "properties": {
            "kind": {"type": "string", "enum": list(contract.DEVICE_KINDS)},
            "id": {"type": "string", "examples": ["1", "sanh-a"]},
            "online": {"type": ["boolean", "null"],
                       "description": "its retained presence; true after a printer report"},
            "printer": {"type": ["string", "null"], "enum": [*contract.PRINTER_STATUSES, None],
                        "description": "kiosks: last printer status reported"},
            "last_seen": {**_TIMESTAMP, "type": ["string", "null"]},
        },
    },
    "Ticket": {
        "type": "object",
        "description": "The ticket object of the MQTT contract v1.",
        "required": ["id", "number", "service", "prefix", "priority", "status", "counter",
                     "issued_at", "waiting_ahead", "est_wait_s"],
        "properties": {
            "id": {"type": "string", "description": "unguessable token; opens /t/{id}"},
            "number": _NUMBER,
            "service": _SLUG,
            "prefix": {"type": "string", "minLength": 1, "maxLength": 8},
            "priority": _ref("Priority"),
            "status": {"type": "string", "enum": list(contract.TICKET_STATUSES)},
            "counter": {"type": ["integer", "null"], "minimum": 1,
                        "description": "counter serving it; null while waiting"},
            "issued_at": _TIMESTAMP,
            "waiting_ahead": {**_COUNT, "description": "waiting tickets called before it"},
            "est_wait_s": {"type": ["integer", "null"], "minimum": 0,
                           "description": "estimated seconds until it is called"},
            "dossier": {"type": "string", "minLength": 1, "maxLength": 64,
                        "description": "dossier code of a return-of-results ticket; "
                                       "absent on every other ticket"},
        },
    },
    "IssueRequest": {
        "type": "object",
        "required": ["service"],
        "description": "Unknown fields are ignored; wrong types give 400 invalid_argument.",
        "properties": {
            "service": {**_SLUG, "description": "service code, e.g. dat-dai"},
            "priority": {**_ref("Priority"), "default": "normal"},
            "dossier": {"type": "string", "minLength": 1, "maxLength": 64,
                        "description": "dossier code of a return-of-results ticket: it must "
                                       "be ready and service the site's return service"},
        },
    },
    "Service": {
        "type": "object",
        "required": ["code", "prefix", "name", "field", "active", "waiting", "est_wait_s",
                     "counters"],
        "properties": {
            "code": _SLUG,
            "prefix": {"type": "string", "minLength": 1, "maxLength": 8},
            "name": {"type": "string"},
            "field": {"type": "string", "description": "lĩnh vực (field of procedures)"},
            "active": {"type": "boolean"},
            "waiting": _COUNT,
            "est_wait_s": {**_COUNT, "description": "estimated wait of a ticket issued now"},
            "counters": {"type": "array", "items": {"type": "integer", "minimum": 1},
                         "description": "open counters serving the service now"},
        },
    },
    "ServiceList": {
        "type": "object",
        "required": ["site", "services", "priorities"],
        "properties": {
            "site": _SLUG,
            "services": {"type": "array", "items": _ref("Service")},
            "priorities": {"type": "array", "items": {
                "type": "object",
                "required": ["code", "label"],
                "properties": {"code": _ref("Priority"),
                               "label": {"type": "string", "description": "Vietnamese label"}},
            }},
        },
    },
    "Board": {
        "type": "object",
        "description": "The same object as the retained MQTT board topic.",
        "required": ["epoch", "seq", "at", "counters", "services", "recent"],
        "properties": {
            "epoch": {"type": "string", "description": "changes when the database is replaced"},
            "seq": _COUNT,
            "at": _TIMESTAMP,
            "counters": {"type": "array", "items": {
                "type": "object",
                "required": ["counter", "name", "status", "ticket"],
                "properties": {
                    "counter": {"type": "integer", "minimum": 1},
                    "name": {"type": "string"},
                    "status": {"type": "string", "enum": list(contract.COUNTER_STATUSES)},
                    "ticket": {"type": ["string", "null"], "maxLength": 16},
                },
            }},
            "services": {"type": "array", "items": {
                "type": "object",
                "required": ["code", "name", "waiting"],
                "properties": {"code": _SLUG, "name": {"type": "string"}, "waiting": _COUNT},
            }},
            "recent": {"type": "array", "description": "last calls, newest first", "items": {
                "type": "object",
                "required": ["ticket", "counter", "service", "at"],
                "properties": {"ticket": _NUMBER, "counter": {"type": "integer", "minimum": 1},
                               "service": _SLUG, "at": _TIMESTAMP},
            }},
        },
    },
}

_RESPONSES = {
    "NotFound": _error("unknown route (not_found) or unknown ticket (unknown_ticket)"),
    "Unavailable": _error("storage_busy (with Retry-After), storage_full, storage_error, "
                          "conflict, shutting_down, hub_timeout, not_ready"),
}

_PATHS: dict[str, Any] = {
    "/api/v1/services": {"get": {
        "operationId": "listServices",
        "summary": "Services with queue length, estimated wait and open counters",
        "responses": {"200": _json(_ref("ServiceList"), "the site's services"),
                      "503": {"$ref": "#/components/responses/Unavailable"}},
    }},
    "/api/v1/procedures": {"get": {
        "operationId": "listProcedures",
        "summary": "The procedure catalog (tra cứu thủ tục), searched without diacritics",
        "parameters": [
            {"name": "q", "in": "query", "required": False,
             "description": "words typed, with or without diacritics; none: the whole "
                            "active catalog", "schema": {"type": "string", "maxLength": 200}},
            {"name": "limit", "in": "query", "required": False,
             "description": "most matches returned with q (default 20)",
             "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        ],
        "responses": {"200": _json({"type": "array", "items": _ref("ProcedureInfo")},
                                   "the matching procedures, best first"),
                      "400": _error("invalid_argument (limit)")},
    }},
    "/api/v1/tickets": {"post": {
        "operationId": "issueTicket",
        "summary": "Issue a ticket (kiosk device token required)",
        "description": (
            "With an Idempotency-Key, a repeat by the same device on the same business day "
            "returns the first answer, with the same status and Idempotent-Replay: true; "
            "the same key with another body is 409 id_reused."),
        "security": [{"deviceToken": []}],
        "parameters": [{
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "request id chosen by the kiosk, 1-64 characters",
            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
        }],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("IssueRequest")}}},
        "responses": {
            "201": {**_json(_ref("Ticket"), "the issued ticket (also for a replay)"),
                    "headers": {
                        "Location": {"schema": {"type": "string"},
                                     "description": "/api/v1/tickets/{id}"},
                        "Idempotent-Replay": {"schema": {"type": "string", "enum": ["true"]},
                                              "description": "set when this is a repeat"},
                    }},
            "400": _error("bad_json, invalid_argument (the message names the field)"),
            "401": _error("unauthorized: missing or unknown kiosk token"),
            "409": _error("sold_out, outside_hours, service_inactive, id_reused, expired"),
            "429": _error("rate_limited: this kiosk issues too fast (Retry-After)"),
            "413": _error("payload_too_large"),
            "422": _error("unknown_service"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }},
    "/api/v1/tickets/{ticket_id}": {"get": {
        "operationId": "getTicket",
        "summary": "A ticket by its unguessable id (today's or an older day's)",
        "parameters": [{"name": "ticket_id", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 64}}],
        "responses": {"200": _json(_ref("Ticket"), "the ticket now"),
                      "404": {"$ref": "#/components/responses/NotFound"}},
    }},
    "/api/v1/tickets/{ticket_id}/cancel": {"post": {
        "operationId": "cancelTicket",
        "summary": "The holder cancels their ticket (the unguessable id is the proof)",
        "description": (
            "No device token: only the ticket's id (from its printed QR code) opens this; "
            "a ticket number such as A015 is refused with 404. With an Idempotency-Key a "
            "repeat returns the first answer."),
        "parameters": [
            {"name": "ticket_id", "in": "path", "required": True,
             "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
            {"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
        ],
        "responses": {
            "200": _json(_ref("Ticket"), "the ticket, now cancelled"),
            "400": _error("invalid_argument (ticket id with control characters or too long)"),
            "404": _error("unknown_ticket: no ticket of today has this id"),
            "409": _error("the ticket can no longer be cancelled (called, served, ...)"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }},
    "/api/v1/devices": {"get": {
        "operationId": "listDevices",
        "summary": "Devices heard of: kind, id, online, kiosk printer, last seen",
        "responses": {"200": _json({"type": "array", "items": _ref("Device")},
                                   "every device, by kind then id")},
    }},
    "/api/v1/board": {"get": {
        "operationId": "getBoard",
        "summary": "The lobby board",
        "responses": {"200": _json(_ref("Board"), "every counter, waiting per service, "
                                                  "last calls"),
                      "503": {"$ref": "#/components/responses/Unavailable"}},
    }},
    "/api/v1/ratings/today": {"get": {
        "operationId": "getTodaysRatings",
        "summary": "Today's citizen ratings per counter (managers, devices)",
        "description": (
            "A manager's or admin's clerk-panel session (cookie), or any device token. "
            "counts maps each level (1 = không hài lòng ... levels = rất hài lòng) to the "
            "number of tickets rated so today; every counter is listed."),
        "security": [{"deviceToken": []}, {"panelSession": []}],
        "responses": {
            "200": _json({
                "type": "object", "required": ["business_day", "levels", "counters"],
                "properties": {
                    "business_day": {"type": ["string", "null"], "format": "date"},
                    "levels": {"type": "integer", "minimum": 3, "maximum": 5},
                    "counters": {"type": "array", "items": {
                        "type": "object", "required": ["counter", "name", "counts", "total"],
                        "properties": {
                            "counter": {"type": "integer", "minimum": 1},
                            "name": {"type": "string"},
                            "counts": {"type": "object",
                                       "additionalProperties": _COUNT},
                            "total": _COUNT,
                        },
                    }},
                },
            }, "today's distribution per counter"),
            "401": _error("unauthorized: no manager session and no device token"),
            "403": _error("manager_required: a clerk's session"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }},
    "/api/v1/dossiers": {"post": {
        "operationId": "postDossiers",
        "summary": "A batch of dossiers and status events from the provincial system",
        "description": (
            "Token of an integration (`motcua device add --kind integration --id tinh`). "
            "Body: {\"dossiers\": [{code, procedure, applicant_name, phone, received_at, "
            "appointment_date?, events: [{event_id, status, at, note?, "
            "new_appointment_date?}]}], \"events\": [{code, event_id, status, at, ...}]} "
            "(docs/dossiers.md). Idempotent by event id; valid rows are stored in one "
            "transaction, refused rows reported with their place in the body and field."),
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "properties": {
                "dossiers": {"type": "array", "items": {"type": "object"}},
                "events": {"type": "array", "items": {"type": "object"}}}}}}},
        "responses": {
            "200": _json(_ref("DossierReport"), "every row stored or already stored"),
            "400": _error("bad_json, invalid_argument"),
            "401": _error("unauthorized: no integration token"),
            "422": _json(_ref("DossierReport"), "dossier_rows_refused: the report lists "
                                                "the refused rows; the others were stored"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }},
    "/api/v1/dossiers/{code}": {"get": {
        "operationId": "getDossier",
        "summary": "A dossier as the public sees it (masked, lateness computed)",
        "parameters": [{"name": "code", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 64}}],
        "responses": {
            "200": _json({"type": "object", "description": "DossierView of the contract "
                          "(docs/contract.md)", "required": ["code", "status", "timeline"]},
                         "the dossier now"),
            "400": _error("invalid_code: not a dossier code"),
            "404": _error("dossier_not_found"),
            "429": _error("lookup_rate_limited"),
            "429": _error("rate_limited: too many wrong codes from this client"),
            "501": _error("not_available: dossiers are off on this hub"),
        },
    }},
    "/api/v1/dossiers/{code}/events": {"post": {
        "operationId": "postDossierEvents",
        "summary": "Status events of one dossier ({\"events\": [...]} or one event)",
        "security": [{"deviceToken": []}],
        "parameters": [{"name": "code", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 64}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}}}},
        "responses": {
            "200": _json(_ref("DossierReport"), "every event stored or already stored"),
            "400": _error("invalid_code, bad_json"),
            "401": _error("unauthorized: no integration token"),
            "422": _json(_ref("DossierReport"), "dossier_rows_refused"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }},
    "/api/v1/openapi.json": {"get": {
        "operationId": "getOpenApi",
        "summary": "This document",
        "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 document")},
    }},
}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "motcua hub API",
        "version": __version__,
        "description": (
            "API của máy chủ xếp hàng Bộ phận Một cửa. / "
            "HTTP API of the motcua queue hub. Every error is "
            "{\"error\": {\"code\", \"message\", \"message_en\", \"params\"}}: message in "
            "Vietnamese, message_en in English."),
    },
    "servers": [{"url": "/"}],
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "responses": _RESPONSES,
        "securitySchemes": {"deviceToken": {
            "type": "http", "scheme": "bearer",
            "description": "token from `motcua device add --kind kiosk --id N`",
        },
            "panelSession": {
                "type": "apiKey", "in": "cookie", "name": "motcua_session",
                "description": "session of a clerk-panel login (/counter/login)",
            }},
    },
}


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the document (callers may change it freely)."""
    return copy.deepcopy(_DOCUMENT)
