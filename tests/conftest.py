"""Fixtures shared by the whole suite: database URLs and the servers behind them.

Servers are started by the tests themselves on free ports, never taken from the machine.
A missing server program skips the tests that need it on a developer machine, and fails
them when ``CI=true``: in CI a missing dependency is a broken set-up, not a skipped test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from tests.support.postgres import PostgresCluster, PostgresNotFound

#: Fixtures whose tests need PostgreSQL; such tests get the ``postgres`` marker.
_POSTGRES_FIXTURES = {"postgres_cluster", "pg_url"}


def running_in_ci() -> bool:
    """Return whether the suite runs in CI, where missing dependencies must fail."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def missing_dependency(reason: str) -> None:
    """Fail the current test in CI, skip it elsewhere; never returns."""
    if running_in_ci():
        pytest.fail(f"missing dependency (CI=true): {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Lets `-m "not postgres"` deselect every test that would start PostgreSQL, even
    # when its author used the fixture without adding the marker.
    for item in items:
        if _POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the whole session, stopped and deleted at the end."""
    try:
        cluster = PostgresCluster()
    except PostgresNotFound as error:
        missing_dependency(str(error))
    with cluster:
        yield cluster


@pytest.fixture
def pg_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = f"t_{uuid4().hex[:12]}"
    url = postgres_cluster.create_database(name)
    yield url
    # Dropping keeps the disk small over hundreds of tests; FORCE ends leaked sessions.
    postgres_cluster.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh SQLite database in a real file under ``tmp_path``."""
    return f"sqlite:///{tmp_path / 'motcua.sqlite3'}"


_DB_URL_FIXTURES = {"sqlite": "sqlite_url", "postgresql": "pg_url"}


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """URL of a fresh database; each test using it runs once on SQLite, once on PostgreSQL.

    The PostgreSQL server starts only when the first PostgreSQL-backed test runs.
    """
    return request.getfixturevalue(_DB_URL_FIXTURES[request.param])

from tests.support.mosquitto_fixtures import mosquitto_broker, mosquitto_factory  # noqa: E402,F401
