"""The hub's HTTP side: a Flask application factory and its blueprints.

``create_app(runtime)`` builds an app around a running hub (see
:class:`motcua.server.runtime.HubRuntime`); nothing is global, so tests build as many as
they like. :func:`motcua.server.serve.serve` runs it under waitress. Besides ``/api/v1``,
``/healthz`` and ``/metrics`` it serves the citizen's live ticket page ``/t/{id}``
(:mod:`.ticket_page`), the lobby's web board ``/display`` (:mod:`.board_page`) and the
clerk panel ``/counter/{n}`` (:mod:`.clerk_panel`, login and CSRF in :mod:`.clerk_auth`)
with their templates and ``/static`` files, fed by the commit feed of :mod:`.live`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["HubRuntime", "create_app"]

if TYPE_CHECKING:
    from .app import create_app
    from .runtime import HubRuntime


def __getattr__(name: str):
    # Lazy: a device process (the kiosk) serves its own pages with .serve and must not
    # load the hub's API, store and SQLAlchemy (~30 MB) to do it.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "HubRuntime":
        from .runtime import HubRuntime

        return HubRuntime
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
