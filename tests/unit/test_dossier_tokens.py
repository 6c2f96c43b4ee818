"""The integration token kind: HTTP only, never an MQTT device."""

from __future__ import annotations

from motcua import contract
from motcua.broker import Devices, usernames
from motcua.commands import device_commands
from motcua import devices


def test_integration_tokens_exist_for_http_only():
    """Given the token kinds, then `integration` is one (the CLI offers the same list as
    the registry), but not an MQTT device kind, so no topic or broker login exists for it."""
    assert devices.TOKEN_KINDS == device_commands.TOKEN_KINDS == (
        *contract.DEVICE_KINDS, "integration")
    assert "integration" not in contract.DEVICE_KINDS
    devices.check_device("integration", "tinh")
    logins = usernames(Devices(counters=(1,), kiosks=("1",), displays=()))
    assert not [login for login in logins if "integration" in login or "tinh" in login]
