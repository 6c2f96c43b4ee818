"""pytest fixtures for a real Mosquitto broker (see :mod:`tests.support.mosquitto`).

Import them where needed (``from tests.support.mosquitto_fixtures import
mosquitto_broker  # noqa: F401``) or once in ``tests/conftest.py``. A missing
``mosquitto`` program skips the test on a developer machine and fails it with CI=true.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.support.mosquitto import MosquittoBroker, MosquittoNotFound, find_mosquitto


def _require_mosquitto() -> None:
    try:
        find_mosquitto()
    except MosquittoNotFound as error:
        if os.environ.get("CI", "").strip().lower() in {"true", "1"}:
            pytest.fail(f"missing dependency (CI=true): {error}", pytrace=False)
        pytest.skip(str(error))


@pytest.fixture
def mosquitto_factory() -> Iterator[Callable[..., MosquittoBroker]]:
    """Start brokers with given users/ACL/config: ``mosquitto_factory(users={...}, acl=...)``.

    Every broker started through it is stopped and its files deleted after the test.
    """
    _require_mosquitto()
    brokers: list[MosquittoBroker] = []

    def start(**options: object) -> MosquittoBroker:
        broker = MosquittoBroker(**options)  # type: ignore[arg-type]
        brokers.append(broker)
        broker.start()
        return broker

    yield start
    for broker in brokers:
        broker.close()


@pytest.fixture
def mosquitto_broker(
    mosquitto_factory: Callable[..., MosquittoBroker],
) -> MosquittoBroker:
    """A running anonymous Mosquitto on a free port of 127.0.0.1, stopped after the test."""
    return mosquitto_factory()
