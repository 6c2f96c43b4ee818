"""Reading a process's TOML file: what the kiosk, display and counter-bridge configs share.

Each process has one typed config (pydantic, unknown keys refused); this module reads its
file, refuses unknown tables, applies environment overrides and turns a validation error
into one message naming every bad key (``kiosk.http_port: ...; printer.profile: ...``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationError

from motcua.contract.fields import is_slug


def _slug(value: str) -> str:
    if not is_slug(value):
        raise ValueError("must be lowercase letters, digits and '-' (a topic-safe slug)")
    return value


def _mqtt_url(value: str) -> str:
    if not value.startswith("mqtt://"):
        raise ValueError("must be mqtt://[user:password@]host:port")
    return value


#: A device id or site id: it goes into topics.
Slug = Annotated[str, AfterValidator(_slug)]
#: ``mqtt://[user:password@]host:port``.
MqttUrl = Annotated[str, AfterValidator(_mqtt_url)]


def read_document(path: str | os.PathLike | None, tables: Iterable[str],
                  error: type[ValueError]) -> tuple[dict[str, Any], Path]:
    """The TOML document at ``path`` (empty without one) and the folder relative paths are
    read from (the file's, else the working directory).

    Raises:
        error: the file cannot be read or parsed, or has a table not in ``tables``.
    """
    if path is None:
        return {}, Path(".")
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{path}: {exc}") from None
    unknown = sorted(set(document) - set(tables))
    if unknown:
        raise error(f"{path}: unknown table(s): {', '.join(unknown)}")
    return document, Path(path).resolve().parent


def apply_environment(document: dict[str, Any], overrides: Mapping[str, tuple[str, str]],
                      environ: Mapping[str, str]) -> dict[str, Any]:
    """``document`` with each set variable of ``overrides`` (variable → (table, key))
    written over its key; variables set to an empty string are ignored."""
    for variable, (table, key) in overrides.items():
        if environ.get(variable):
            document.setdefault(table, {})[key] = environ[variable]
    return document


def problems(exc: ValidationError, name_of=lambda parts: ".".join(parts)) -> str:
    """Every error of ``exc`` as ``key: message``, joined by ``; ``."""
    return "; ".join(
        f"{name_of([str(part) for part in error['loc']]) or 'file'}: {error['msg']}"
        for error in exc.errors())
