"""The PostgreSQL fixtures start a real, private, durable server and hand out fresh DBs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.postgres import PostgresCluster


def _scalar(url: str, statement: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(statement)).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_cluster_answers_queries(pg_url: str) -> None:
    """Given a fresh database URL, when SELECT 1 runs through SQLAlchemy, then it returns 1."""
    assert _scalar(pg_url, "SELECT 1") == 1


@pytest.mark.postgres
def test_cluster_listens_on_loopback_only(postgres_cluster: PostgresCluster, pg_url: str) -> None:
    """Given the cluster, then it listens on 127.0.0.1 at its own port, as postgres."""
    assert f"@127.0.0.1:{postgres_cluster.port}/" in pg_url
    assert _scalar(pg_url, "SHOW listen_addresses") == "127.0.0.1"
    assert _scalar(pg_url, "SELECT current_user") == "postgres"


@pytest.mark.postgres
def test_cluster_keeps_durability_on(pg_url: str) -> None:
    """Given the cluster, then fsync is on, so durability tests mean something."""
    assert _scalar(pg_url, "SHOW fsync") == "on"
    assert _scalar(pg_url, "SHOW synchronous_commit") == "on"


@pytest.mark.postgres
def test_fresh_databases_are_independent(postgres_cluster: PostgresCluster) -> None:
    """Given two fresh databases, when a table is created in one, then the other lacks it."""
    first = postgres_cluster.create_database("independent_first")
    second = postgres_cluster.create_database("independent_second")
    try:
        engine = sa.create_engine(first)
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE marker (id integer)"))
        engine.dispose()

        assert _scalar(first, "SELECT to_regclass('marker') IS NOT NULL") is True
        assert _scalar(second, "SELECT to_regclass('marker') IS NOT NULL") is False
    finally:
        postgres_cluster.drop_database("independent_first")
        postgres_cluster.drop_database("independent_second")


def test_db_url_gives_a_working_database(db_url: str) -> None:
    """Given db_url on either backend, when SELECT 1 runs, then it returns 1."""
    assert _scalar(db_url, "SELECT 1") == 1


@pytest.mark.postgres
def test_stopped_cluster_leaves_nothing_behind(postgres_cluster: PostgresCluster) -> None:
    """Given a second cluster started and stopped, then its directory is gone.

    (The session cluster is requested only so a missing installation skips or fails
    this test the same way as the others.)
    """
    with PostgresCluster() as cluster:
        data_dir = cluster.data_dir
        assert _scalar(cluster.create_database("scratch"), "SELECT 1") == 1
    assert not data_dir.exists()
    cluster.stop()  # a second stop is harmless
