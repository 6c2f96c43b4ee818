"""The kiosk's configuration: one TOML file (``[kiosk]``, ``[printer]``, ``[scanner]``) plus
environment.

``kiosk/kiosk.example.toml`` documents every key. Environment variables win over the
file, so one file serves every kiosk of a center:

=========================  ==============================================
``MOTCUA_KIOSK_ID``        kiosk id (its broker login is ``kiosk{id}``)
``MOTCUA_MQTT_URL``        ``mqtt://kiosk1:pass@host:port``
``MOTCUA_SITE``            site id
``MOTCUA_PUBLIC_URL``      hub address phones reach (ticket QR)
``MOTCUA_KIOSK_HTTP_HOST`` address the touch pages listen on
``MOTCUA_KIOSK_HTTP_PORT`` port of the touch pages
``MOTCUA_PRINTER_PROFILE`` printer profile (``printer_profiles/``)
``MOTCUA_PRINTER``         printer transport: dummy, file, usb, serial, network
``MOTCUA_SCANNER``         scanner kind: none, serial, wedge, camera, stdin
``MOTCUA_SCANNER_PORT``    serial scanner port
=========================  ==============================================

Errors name the key (``kiosk.http_port: ...``, ``printer.profile: ...``) and are all
reported at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.backend import PriorityChoice
from kiosk.printing import PrinterSettings
from kiosk.scanning import ScannerSettings
from motcua.config_file import MqttUrl, Slug, apply_environment, problems, read_document
from motcua.contract import COMMAND_EXPIRY_S
from motcua.contract.fields import is_slug

ENVIRONMENT = {
    "MOTCUA_KIOSK_ID": ("kiosk", "id"),
    "MOTCUA_MQTT_URL": ("kiosk", "mqtt_url"),
    "MOTCUA_SITE": ("kiosk", "site"),
    "MOTCUA_PUBLIC_URL": ("kiosk", "public_url"),
    "MOTCUA_KIOSK_HTTP_HOST": ("kiosk", "http_host"),
    "MOTCUA_KIOSK_HTTP_PORT": ("kiosk", "http_port"),
    "MOTCUA_PRINTER_PROFILE": ("printer", "profile"),
    "MOTCUA_PRINTER": ("printer", "transport"),
    "MOTCUA_SCANNER": ("scanner", "kind"),
    "MOTCUA_SCANNER_PORT": ("scanner", "port"),
}

#: The priority groups of DOMAIN.md section 5, offered when the file lists none.
DEFAULT_PRIORITIES = (
    PriorityChoice("elderly", "Người cao tuổi", "Elderly person"),
    PriorityChoice("disabled", "Người khuyết tật", "Person with a disability"),
    PriorityChoice("pregnant", "Phụ nữ có thai", "Pregnant woman"),
    PriorityChoice("merit", "Người có công với cách mạng", "Person of merit to the revolution"),
    PriorityChoice("child", "Người đi cùng trẻ nhỏ", "Person with a small child"),
)
PRIORITY_CODES = ("elderly", "disabled", "pregnant", "merit", "child")


class KioskConfigError(ValueError):
    """The kiosk configuration is invalid; the message names every bad key."""


class PriorityEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    vi: str = Field(min_length=1, max_length=80)
    en: str = Field(min_length=1, max_length=80)

    @field_validator("code")
    @classmethod
    def _known(cls, code: str) -> str:
        if code not in PRIORITY_CODES:
            raise ValueError(f"must be one of {', '.join(PRIORITY_CODES)}")
        return code


class KioskSection(BaseModel):
    """The ``[kiosk]`` table."""

    model_config = ConfigDict(extra="forbid")

    id: Slug = "1"
    site: Slug = "van-lam"
    mqtt_url: MqttUrl = "mqtt://127.0.0.1:1883"
    center_name: str = Field("Bộ phận Một cửa", min_length=1, max_length=120)
    public_url: str = "http://127.0.0.1:8080"
    http_host: str = "127.0.0.1"
    http_port: int = Field(8090, ge=0, le=65535)
    http_threads: int = Field(8, ge=4, le=64)
    services: list[str] = Field(default_factory=list,
                                description="service codes offered, in order; empty: all")
    priorities: list[PriorityEntry] | None = None
    footer: list[str] = Field(default_factory=lambda: ["Xin cảm ơn quý khách!"])
    idle_timeout_s: float = Field(45.0, gt=0)
    result_timeout_s: float = Field(20.0, gt=0)
    language: str = Field("vi", pattern="^(vi|en)$")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="the site's zone, for the page clock")
    printer_poll_s: float = Field(30.0, gt=0)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (e.g. Asia/Ho_Chi_Minh)") from None
        return value

    @field_validator("services")
    @classmethod
    def _service_slugs(cls, values: list[str]) -> list[str]:
        bad = [value for value in values if not is_slug(value)]
        if bad:
            raise ValueError(f"not service codes: {', '.join(map(repr, bad))}")
        return values

    @field_validator("public_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address phones can open")
        return value

    def priority_choices(self) -> tuple[PriorityChoice, ...]:
        if self.priorities is None:
            return DEFAULT_PRIORITIES
        return tuple(PriorityChoice(p.code, p.vi, p.en) for p in self.priorities)


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kiosk: KioskSection = Field(default_factory=KioskSection)
    printer: PrinterSettings = Field(default_factory=PrinterSettings)
    scanner: ScannerSettings = Field(default_factory=ScannerSettings)
    #: Folder relative paths are resolved against (the file's folder, or the working dir).
    base_dir: Path = Path(".")

    @property
    def issue_timeout_s(self) -> float:
        return COMMAND_EXPIRY_S


def load_kiosk_config(path: str | os.PathLike | None = None,
                      environ: Mapping[str, str] = os.environ) -> KioskConfig:
    """Read ``path`` (optional), apply environment overrides, validate everything at once.

    Raises:
        KioskConfigError: naming every bad key (``kiosk.http_port: ...``).
    """
    document, base_dir = read_document(path, ("kiosk", "printer", "scanner"),
                                       KioskConfigError)
    document = apply_environment(document, ENVIRONMENT, environ)
    try:
        return KioskConfig(kiosk=document.get("kiosk", {}), printer=document.get("printer", {}),
                           scanner=document.get("scanner", {}), base_dir=base_dir)
    except ValidationError as exc:
        raise KioskConfigError(problems(exc)) from None
