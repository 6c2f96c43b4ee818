"""What the hub knows of each device: online or not, the kiosk printer, when last heard.

Fed from the retained ``device/{kind}/{id}/status`` presence the hub subscribes to and
from the kiosk ``printer`` action; read by ``GET /api/v1/devices``. Kept in memory only:
after a restart the retained presence fills it again.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

#: A site has tens of devices; the bound keeps a misbehaving login from growing the table.
MAX_DEVICES = 1000


@dataclass
class DeviceRecord:
    kind: str
    id: str
    online: bool | None = None
    printer: str | None = None
    last_seen: dt.datetime | None = None

    def as_dict(self) -> dict:
        """``{"kind", "id", "online", "printer", "last_seen"}`` for the HTTP API."""
        return {"kind": self.kind, "id": self.id, "online": self.online,
                "printer": self.printer,
                "last_seen": self.last_seen.isoformat() if self.last_seen else None}


class DeviceRegistry:
    """Thread-safe table of devices (paho's network thread writes, HTTP threads read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._devices: dict[tuple[str, str], DeviceRecord] = {}

    def _record(self, kind: str, device_id: str) -> DeviceRecord | None:
        key = (kind, device_id)
        record = self._devices.get(key)
        if record is None and len(self._devices) < MAX_DEVICES:
            record = self._devices[key] = DeviceRecord(kind, device_id)
        return record

    def presence(self, kind: str, device_id: str, online: bool, printer: str | None,
                 at: dt.datetime) -> None:
        """Note a device's presence (its retained status or last will)."""
        with self._lock:
            record = self._record(kind, device_id)
            if record is None:
                return
            record.online = online
            if printer is not None:
                record.printer = printer
            record.last_seen = at

    def printer(self, kiosk_id: str, status: str, at: dt.datetime) -> None:
        """Note a kiosk's printer status (its ``printer`` action); the kiosk is online."""
        with self._lock:
            record = self._record("kiosk", kiosk_id)
            if record is None:
                return
            record.printer = status
            record.online = True
            record.last_seen = at

    def listing(self) -> list[dict]:
        """Every known device, by kind then id (numbers in numeric order)."""
        with self._lock:
            records = sorted(self._devices.values(), key=lambda r: (
                r.kind, r.id.zfill(12) if r.id.isdigit() else r.id))
            return [record.as_dict() for record in records]
