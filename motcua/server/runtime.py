"""What the HTTP app needs from the running hub, and how views read its live state.

The app never builds a dispatcher or a store itself: the hub hands it one object that
satisfies :class:`HubRuntime` (tests hand it a small fake with a real dispatcher).
The queue state belongs to the dispatcher thread; request threads only read it, through
:func:`read_consistently`, which retries a read that raced with a commit.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING, Any, Callable, Mapping, Protocol, TypeVar, runtime_checkable,
)

from flask import current_app

if TYPE_CHECKING:
    from motcua.dispatch import Dispatcher
    from motcua.domain import Priority, SiteSetup, SiteState
    from motcua.metrics import HubMetrics
    from motcua.store import SiteStore

#: Key of the runtime in ``app.extensions``.
EXTENSION_KEY = "motcua.runtime"
#: A dict iterated by a reader while the writer inserts raises RuntimeError; a fresh
#: read almost always succeeds, so a few attempts are plenty.
READ_ATTEMPTS = 5

T = TypeVar("T")


@runtime_checkable
class HubRuntime(Protocol):
    """The running hub as the HTTP app sees it.

    Attributes:
        dispatcher: the site's single writer; every change goes through ``execute``.
        store: the site's database (device tokens, health check, older tickets).
        setup: the site setup the hub started with (``site_id``, time zone).
        metrics: the hub's Prometheus metrics (``/metrics``).
        priority_labels: Vietnamese label of each priority class; may be empty.
    """

    dispatcher: "Dispatcher"
    store: "SiteStore"
    setup: "SiteSetup"
    metrics: "HubMetrics"
    priority_labels: Mapping["Priority", str]

    def broker_connected(self) -> bool:
        """Whether the hub's MQTT client is connected now."""
        ...

    def recent_calls(self) -> list[dict[str, Any]]:
        """The board's last calls, ``{"ticket", "counter", "service", "at"}``, newest first."""
        ...

    def device_list(self) -> list[dict[str, Any]]:
        """Devices heard of, ``{"kind", "id", "online", "printer", "last_seen"}``."""
        ...


def current_runtime() -> HubRuntime:
    """The runtime of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]


def live_state(runtime: HubRuntime) -> "SiteState | None":
    """The dispatcher's state, or None before it has loaded."""
    return runtime.dispatcher.state


def read_consistently(read: Callable[[], T]) -> T:
    """Run ``read`` (which looks at the dispatcher's live state) until it is not disturbed
    by a concurrent commit; the last attempt's error propagates."""
    for _ in range(READ_ATTEMPTS - 1):
        try:
            return read()
        except RuntimeError:  # "dictionary changed size during iteration"
            continue
    return read()
