"""The kiosk's ``[printer]`` table: which profile, which transport, and its options.

Transport options left unset here fall back to the profile's ``[transport]`` defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Transport names, in the order the docs list them.
TRANSPORT_NAMES = ("dummy", "file", "usb", "serial", "network")


class PrinterSettings(BaseModel):
    """Settings of the kiosk's printer (the ``[printer]`` table of the kiosk TOML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = "generic-80mm"
    transport: Literal["dummy", "file", "usb", "serial", "network"] = "dummy"
    #: ``file``: the device file (``/dev/usb/lp0``); ``serial``: the port
    #: (prefer ``/dev/serial/by-id/...``: ttyUSBn numbers change after a replug).
    device: str | None = None
    baudrate: int | None = Field(None, gt=0)
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    usb_vendor_id: int | None = Field(None, ge=0, le=0xFFFF)
    usb_product_id: int | None = Field(None, ge=0, le=0xFFFF)
    usb_in_ep: int | None = Field(None, ge=0, le=0xFF)
    usb_out_ep: int | None = Field(None, ge=0, le=0xFF)
    #: Seconds a write (and a network connect) may take.
    timeout_s: float | None = Field(None, gt=0)
    #: Seconds to wait for the answer to a status query (no answer: ``unknown``).
    status_timeout_s: float | None = Field(None, gt=0)
    #: ``dummy`` transport: where ``{number}.bin`` and ``{number}.png`` go.
    output_dir: Path = Path("var/tickets")
    #: Default: the repository's ``printer_profiles/``.
    profiles_dir: Path | None = None
    #: IANA zone the issue time is printed in; default: the zone the hub stamped it in
    #: (the site's), so a kiosk PC on the wrong zone still prints the right hour.
    timezone: str | None = None

    @field_validator("usb_vendor_id", "usb_product_id", "usb_in_ep", "usb_out_ep",
                     mode="before")
    @classmethod
    def _hex_string(cls, value: object) -> object:
        """Accept ``"0x04b8"`` or ``"04b8"`` as well as TOML's ``0x04b8``."""
        if isinstance(value, str):
            try:
                return int(value, 16)
            except ValueError:
                raise ValueError(f"not a hexadecimal number: {value!r}") from None
        return value
