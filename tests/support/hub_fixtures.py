"""A real hub on the test's Mosquitto, a probe that sees the whole site, and a wait helper.

Import what a test module needs: ``from tests.support.hub_fixtures import eventually, hub,
probe  # noqa: F401``. The hub runs the example center on a SQLite file at the
:class:`~tests.support.sites.ManualClock`'s 08:00 on a Monday, without HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from motcua.hub import Hub
from motcua.hub_config import HubConfig
from tests.support.mqtt_probe import MqttProbe
from tests.support.sites import ManualClock

ROOT = "motcua/v1/van-lam"


def eventually(check: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Wait until ``check()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true within {timeout} s: {what}")


@pytest.fixture
def hub(tmp_path, mosquitto_broker) -> Iterator[Hub]:
    config = HubConfig(db_url=f"sqlite:///{tmp_path}/hub.db", mqtt_url=mosquitto_broker.url(),
                       http_port=0)
    with Hub(config, clock=ManualClock(), serve_http=False) as running:
        yield running


@pytest.fixture
def probe(mosquitto_broker) -> Iterator[MqttProbe]:
    """An anonymous client subscribed to every topic of the site."""
    device = MqttProbe(mosquitto_broker.url())
    device.subscribe(f"{ROOT}/#")
    yield device
    device.close()
