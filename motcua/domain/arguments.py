"""Checking command arguments inside the pure domain (no pydantic here: stdlib only)."""

from __future__ import annotations

from typing import Any, Mapping

from .errors import DomainError
from .model import Priority


def required_str(args: Mapping[str, Any], name: str, max_length: int = 128) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise DomainError("invalid_argument", field=name)
    return value.strip()


def optional_str(args: Mapping[str, Any], name: str, max_length: int = 256) -> str | None:
    if args.get(name) is None:
        return None
    return required_str(args, name, max_length)


def required_int(args: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = args.get(name)
    # bool is an int subclass; a rating of True is a type error, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError("invalid_argument", field=name)
    return value


def optional_int(args: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    if args.get(name) is None:
        return None
    return required_int(args, name, low, high)


def priority(args: Mapping[str, Any], name: str = "priority") -> Priority:
    value = args.get(name, Priority.NORMAL.value)
    if value is None:
        return Priority.NORMAL
    try:
        return Priority(value)
    except ValueError:
        raise DomainError("invalid_argument", field=name) from None


def optional_str_list(args: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise DomainError("invalid_argument", field=name)
    return tuple(value)
