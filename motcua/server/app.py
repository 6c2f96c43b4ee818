"""The hub's Flask application factory: its blueprints, error handlers and live feed.

``create_app(runtime)`` builds an app around a running hub (see
:class:`motcua.server.runtime.HubRuntime`); nothing is global, so tests build as many as
they like. :func:`motcua.server.serve.serve` runs it under waitress. Besides ``/api/v1``,
``/healthz`` and ``/metrics`` it serves the citizen's live ticket page ``/t/{id}``
(:mod:`.ticket_page`), the lobby's web board ``/display`` (:mod:`.board_page`) and the
clerk panel ``/counter/{n}`` (:mod:`.clerk_panel`, login and CSRF in :mod:`.clerk_auth`)
and the public dossier lookup ``/tra-cuu`` (:mod:`.dossier_page`) with their templates
and ``/static`` files, fed by the commit feed of :mod:`.live`.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from .api import api
from .board_page import board_page
from .clerk_auth import install_clerk_auth
from .clerk_panel import clerk_panel
from .dossier_api import dossier_api
from .dossier_page import dossier_page
from .errors import register_error_handlers
from .health import health
from .live import install_live
from .procedure_api import procedure_api
from .runtime import EXTENSION_KEY, HubRuntime
from .serve import MAX_BODY_BYTES
from .ticket_page import ticket_page

__all__ = ["HubRuntime", "create_app"]


def create_app(runtime: HubRuntime, config: Mapping[str, Any] | None = None) -> Flask:
    """Return the hub's Flask app serving ``runtime``; ``config`` overrides Flask settings."""
    app = Flask(__name__)
    # A kiosk's request body is tiny; the limit matches the MQTT command limit, and the
    # one waitress applies before the app runs (serve.MAX_BODY_BYTES).
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config.update(config or {})
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses
    app.json.sort_keys = False  # keep the contract's field order
    app.extensions[EXTENSION_KEY] = runtime
    # Live pages wake on the dispatcher's commits (one notify per batch, see live.py);
    # a placeholder runtime without one (server-limit tests) gets a feed that never wakes.
    install_live(app, getattr(runtime, "dispatcher", None))
    register_error_handlers(app)
    install_clerk_auth(app, config)
    app.register_blueprint(api)
    app.register_blueprint(health)
    app.register_blueprint(ticket_page)
    app.register_blueprint(board_page)
    app.register_blueprint(clerk_panel)
    app.register_blueprint(dossier_api)
    app.register_blueprint(procedure_api)
    app.register_blueprint(dossier_page)
    return app
