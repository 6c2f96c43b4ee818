"""``/healthz`` for supervisors and load balancers, ``/metrics`` for Prometheus."""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from motcua.snapshot import SnapshotUnavailable

from .runtime import HubRuntime, current_runtime

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> Response:
    """200 when the database answers and the broker is connected, else 503 (degraded).
    ``seq`` and ``epoch`` are the dispatcher's last committed ones."""
    runtime = current_runtime()
    database = check_database(runtime)
    broker = {"connected": bool(runtime.broker_connected())}
    healthy = database["ok"] and broker["connected"]
    response = jsonify({
        "status": "ok" if healthy else "degraded",
        "database": database,
        "broker": broker,
        "site": runtime.store.site_id,
        "seq": runtime.dispatcher.seq,
        "epoch": runtime.dispatcher.epoch,
    })
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def check_database(runtime: HubRuntime) -> dict[str, Any]:
    """``SELECT 1`` on the hub's engine: ``{"ok", "backend", "latency_ms"[, "error"]}``."""
    engine = runtime.store.engine
    started = time.perf_counter()
    result: dict[str, Any] = {"ok": True, "backend": engine.dialect.name}
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", not a 500
        log.warning("health check: database does not answer: %s", exc)
        result["ok"] = False
        # The class name only: the message may hold a URL with a password.
        result["error"] = type(exc).__name__
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@health.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition; gauges are refreshed at scrape time."""
    runtime = current_runtime()
    hub_metrics = runtime.metrics
    hub_metrics.set_mqtt_connected(runtime.broker_connected())
    try:
        snapshot = runtime.reads.snapshot()
    except SnapshotUnavailable:
        pass  # the gauges keep what the last commit set
    else:
        hub_metrics.update_waiting(snapshot.waiting, snapshot.seq, runtime.setup.services)
    body, content_type = hub_metrics.exposition()
    return Response(body, content_type=content_type)
