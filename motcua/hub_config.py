"""The hub's own configuration: one TOML file plus environment overrides.

With no file at all the hub runs the packaged example center on a SQLite file under
``var/`` and a broker on localhost, so ``motcua hub`` works out of the box. Environment
variables win over the file, so one file can be pointed at any broker and database:

====================  =========================================
``MOTCUA_MQTT_URL``   ``mqtt://user:pass@host:port``
``MOTCUA_DB_URL``     SQLAlchemy URL (``sqlite:///…``, ``postgresql://…``)
``MOTCUA_SITE``       site id (overrides the one in the site file)
``MOTCUA_SITE_CONFIG``path of the site TOML (services, counters…)
``MOTCUA_HTTP_HOST``  address the HTTP API listens on
``MOTCUA_HTTP_PORT``  port of the HTTP API
``MOTCUA_KIOSK_ISSUE_PER_MINUTE``  tickets one kiosk may issue per minute (0: no limit)
``MOTCUA_KIOSK_ISSUE_BURST``  tickets one kiosk may issue at once
====================  =========================================
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from motcua.domain import Priority, SiteSetup
from motcua.dossiers.settings import DossierSettings
from motcua.site_config import SiteConfig, example_config_path, load_site_config

ENVIRONMENT = {
    "MOTCUA_MQTT_URL": "mqtt_url",
    "MOTCUA_DB_URL": "db_url",
    "MOTCUA_SITE": "site",
    "MOTCUA_SITE_CONFIG": "site_config",
    "MOTCUA_HTTP_HOST": "http_host",
    "MOTCUA_HTTP_PORT": "http_port",
    "MOTCUA_KIOSK_ISSUE_PER_MINUTE": "kiosk_issue_per_minute",
    "MOTCUA_KIOSK_ISSUE_BURST": "kiosk_issue_burst",
}


class HubConfigError(ValueError):
    """The hub configuration is invalid; the message names every bad key."""


class HubConfig(BaseModel):
    """Settings of one hub process (the ``[hub]`` table of its TOML file)."""

    model_config = ConfigDict(extra="forbid")

    site_config: Path | None = Field(None, description="site TOML; default: the example center")
    site: str | None = Field(None, description="site id, overriding the site file's")
    db_url: str = "sqlite:///var/motcua.db"
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    mqtt_client_id: str = "motcua-hub"
    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=0, le=65535)
    http_threads: int = Field(16, ge=2, le=256)
    tick_interval_s: float = Field(30.0, gt=0)
    # A citizen takes several seconds at the kiosk: 12 a minute is a busy morning; a stuck
    # touch screen is cut off after the burst instead of emptying a service's numbers.
    kiosk_issue_per_minute: float = Field(
        12.0, ge=0, description="tickets one kiosk may issue per minute; 0 turns it off")
    kiosk_issue_burst: int = Field(12, ge=1, description="tickets one kiosk may issue at once")
    live_streams: int = Field(48, ge=1, le=1024, description=(
        "live pages (ticket pages, web boards) open at once; each holds a server thread"))
    board_notice: str | None = Field(None, max_length=500, description=(
        "the web board's scrolling notice (default: a Vietnamese welcome)"))

    def flask_settings(self) -> dict[str, Any]:
        """Settings the HTTP app takes from this file (see motcua.server)."""
        settings: dict[str, Any] = {"LIVE_MAX_STREAMS": self.live_streams}
        if self.board_notice:
            settings["BOARD_NOTICE"] = self.board_notice
        return settings

    def site_file(self) -> SiteConfig:
        """The site file (or the packaged example), validated."""
        return load_site_config(self.site_config or example_config_path())

    def site_setup(self) -> SiteSetup:
        """The site to run: the site file (or the example), with ``site`` overriding its id."""
        setup = self.site_file().to_setup()
        if self.site and self.site != setup.site_id:
            setup = dataclasses.replace(setup, site_id=self.site)
        return setup

    def dossier_settings(self) -> DossierSettings:
        """The site file's ``[dossiers]`` settings, paths resolved against its folder."""
        path = Path(self.site_config or example_config_path())
        return self.site_file().dossiers.to_settings(path.parent)

    def priority_labels(self) -> dict[Priority, str]:
        """Kiosk labels of the priority groups the site offers (its site file)."""
        return self.site_file().priority_labels()


def load_hub_config(path: str | os.PathLike | None = None,
                    environ: Mapping[str, str] = os.environ) -> HubConfig:
    """Read ``path`` (optional), apply environment overrides, validate everything at once."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as handle:
                document = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise HubConfigError(f"{path}: {exc}") from None
        values.update(document.get("hub", {}))
        unknown = sorted(set(document) - {"hub"})
        if unknown:
            raise HubConfigError(f"{path}: unknown table(s): {', '.join(unknown)}")
        if values.get("site_config") and not Path(values["site_config"]).is_absolute():
            values["site_config"] = str(Path(path).parent / values["site_config"])
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            values[key] = environ[variable]
    try:
        return HubConfig(**values)
    except ValidationError as exc:
        problems = [
            f"hub.{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise HubConfigError("; ".join(problems)) from None


def ensure_sqlite_directory(db_url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout starts without set-up."""
    import sqlalchemy as sa

    url = sa.make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
