"""The ``/events`` stream: the kiosk's live view, pushed as server-sent events.

On connect the stream sends the current view at once, then each newer view as soon as
:meth:`KioskBackend.wait_for_change` returns it, and a comment line when nothing changed
for ``keepalive_s``. The comment keeps proxies and the browser from timing the stream out,
and its write is how waitress notices a closed page and frees the thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kiosk.backend import KioskBackend, LiveView

#: Event name the page listens for (``EventSource.addEventListener("view", …)``).
VIEW_EVENT = "view"


def view_event(view: LiveView) -> str:
    """One SSE frame: ``event``, ``id`` (the view's version) and one ``data`` line."""
    data = json.dumps(view.as_json(), ensure_ascii=False, separators=(",", ":"))
    return f"event: {VIEW_EVENT}\nid: {view.version}\ndata: {data}\n\n"


def view_stream(backend: KioskBackend, keepalive_s: float, retry_ms: int) -> Iterator[str]:
    """Frames for one page, forever (the server ends it when the page goes away)."""
    view = backend.live()
    yield f"retry: {retry_ms}\n\n"
    yield view_event(view)
    while True:
        newer = backend.wait_for_change(view.version, keepalive_s)
        if newer.version > view.version:
            view = newer
            yield view_event(view)
        else:
            yield ": keepalive\n\n"
