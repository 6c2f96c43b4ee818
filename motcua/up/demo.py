"""The demo center's files: a site config open around the clock and the broker logins.

Everything durable lives under ``var/`` (:class:`DemoLayout`); the files the broker itself
reads are written into a runtime directory instead (see :mod:`motcua.up.broker_runtime`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from motcua.broker import BrokerFiles, Devices, init_broker, load_credentials
from motcua.site_config import example_config_path, load_site_config

HOST = "127.0.0.1"
#: The repository's example display file: the demo board uses it as it is.
REPO_DISPLAY_CONFIG = Path(__file__).resolve().parents[2] / "display" / "display.example.toml"
#: The demo's simulated counter box (counter 2) and its clerk codes.
REPO_COUNTER_CONFIG = Path(__file__).resolve().parents[2] / "counter_panel" / "counter.demo.toml"
DEMO_KIOSK = "1"
DEMO_DISPLAY = "1"
DEMO_DEVICES = Devices(counters=tuple(range(1, 7)), kiosks=(DEMO_KIOSK,), displays=(DEMO_DISPLAY,))
#: One session covering the whole day, every day: the demo issues numbers around the clock.
ALL_DAY_SESSION = """[[sessions]]
name = "Cả ngày (demo)"
start = "00:00"
end = "23:59"
weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


@dataclass(frozen=True)
class DemoLayout:
    """Where a demo run keeps its files, all under ``var``."""

    var: Path

    @property
    def credentials(self) -> Path:
        """The device passwords (0600, read by motcua only, never by the broker)."""
        return self.var / "broker" / "credentials.toml"

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def log_dir(self) -> Path:
        return self.var / "log"

    @property
    def site_config(self) -> Path:
        return self.var / "demo-site.toml"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.var / 'motcua.db'}"


@dataclass(frozen=True)
class Provisioned:
    """What :func:`provision` prepared: broker files, site id and device passwords."""

    files: BrokerFiles
    site_id: str
    passwords: Mapping[str, str]

    def mqtt_url(self, user: str, port: int) -> str:
        return f"mqtt://{quote(user, safe='')}:{quote(self.passwords[user], safe='')}@{HOST}:{port}"


def demo_site_text(example_text: str) -> str:
    """The example center's TOML with its ``[[sessions]]`` replaced by one all-day session."""
    kept: list[str] = []
    skipping = False
    inserted = False
    for line in example_text.splitlines(keepends=True):
        header = line.strip()
        if header == "[[sessions]]":
            skipping = True
            if not inserted:
                kept.append(ALL_DAY_SESSION + "\n")
                inserted = True
            continue
        if skipping and header.startswith("["):
            skipping = False
        if not skipping:
            kept.append(line)
    return "".join(kept)


def provision(layout: DemoLayout, broker_dir: Path, mqtt_port: int) -> Provisioned:
    """Write the demo site file, the credentials under ``var`` and the broker's files.

    ``broker_dir`` receives what Mosquitto reads (config, passwd, acl, persistence).
    Passwords already in the credentials file are kept, so a device configured by an
    earlier run still logs in.

    Raises:
        BrokerProvisioningError: the broker files cannot be written.
        SiteConfigError: the demo site file does not validate.
    """
    layout.var.mkdir(parents=True, exist_ok=True)
    layout.site_config.write_text(
        demo_site_text(example_config_path().read_text(encoding="utf-8")), encoding="utf-8")
    site_id = load_site_config(layout.site_config).site.id
    files = init_broker(site_id, DEMO_DEVICES, broker_dir, HOST, mqtt_port,
                        credentials=layout.credentials)
    return Provisioned(files, site_id, load_credentials(files.credentials))


@dataclass(frozen=True)
class DemoData:
    """What :func:`load_demo_data` stored: procedures added, and the demo dossiers' codes
    (ready for return, late with an apology, needing a supplement, in progress)."""

    procedures_added: int
    dossier_codes: tuple[str, ...]


def load_demo_data(layout: DemoLayout, site_id: str) -> DemoData:
    """Store the shipped demo procedure catalog (when the site has none) and today's demo
    dossiers, before the hub starts, so the kiosk has procedures to search and codes to
    look up. Procedures whose service the demo site lacks are left out; loading twice on
    one day adds nothing."""
    import datetime as dt

    from motcua.dossiers.demo import load_demo_dossiers
    from motcua.store import create_database_engine, upgrade
    from motcua.store.procedure_store import load_demo_catalog

    services = load_site_config(layout.site_config).to_setup().services
    now = dt.datetime.now(dt.timezone.utc)
    engine = create_database_engine(layout.database_url)
    try:
        upgrade(engine)
        added = load_demo_catalog(engine, site_id, now, services)
        codes = load_demo_dossiers(engine, site_id, now)
    finally:
        engine.dispose()
    return DemoData(added, tuple(codes))
