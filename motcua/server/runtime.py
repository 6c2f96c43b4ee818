"""What the HTTP app needs from the running hub.

The app never builds a dispatcher or a store itself: the hub hands it one object that
satisfies :class:`HubRuntime` (tests hand it a small fake with a real dispatcher).
Views never read the dispatcher's live state (it is mutated while a batch is decided):
they read the committed snapshot of :class:`motcua.snapshot.CommittedReads` through
:func:`committed_snapshot` and :func:`todays_ticket`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Protocol, runtime_checkable

from flask import current_app

from motcua.snapshot import Snapshot, SnapshotUnavailable

from .errors import ApiError

if TYPE_CHECKING:
    from motcua.dispatch import Dispatcher
    from motcua.domain import Priority, SiteSetup
    from motcua.metrics import HubMetrics
    from motcua.snapshot import CommittedReads
    from motcua.store import SiteStore

#: Key of the runtime in ``app.extensions``.
EXTENSION_KEY = "motcua.runtime"


@runtime_checkable
class HubRuntime(Protocol):
    """The running hub as the HTTP app sees it.

    Attributes:
        dispatcher: the site's single writer; every change goes through ``execute``.
            Views must not read its ``state``.
        reads: committed snapshots of the dispatcher's state (every queue read).
        store: the site's database (device tokens, health check, past days' tickets).
        setup: the site setup the hub started with (``site_id``, time zone).
        metrics: the hub's Prometheus metrics (``/metrics``).
        priority_labels: Vietnamese label of each priority class; may be empty.

    Optional (read with ``getattr``, so runtimes without dossiers need not have them):
        dossiers: the site's :class:`motcua.dossiers.lookup.DossierReader`, or None.
        dossier_lookup: the :class:`motcua.dossiers.finder.DossierFinder` over it (code
            rule + wrong-code limiter), or None; every web lookup goes through it
            (:func:`motcua.server.dossier_access.find_dossier`).
    """

    dispatcher: "Dispatcher"
    reads: "CommittedReads"
    store: "SiteStore"
    setup: "SiteSetup"
    metrics: "HubMetrics"
    priority_labels: Mapping["Priority", str]

    def broker_connected(self) -> bool:
        """Whether the hub's MQTT client is connected now."""
        ...

    def device_list(self) -> list[dict[str, Any]]:
        """Devices heard of, ``{"kind", "id", "online", "printer", "last_seen"}``."""
        ...


def current_runtime() -> HubRuntime:
    """The runtime of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]


def committed_snapshot(runtime: HubRuntime) -> Snapshot:
    """The snapshot of the last commit; 503 ``not_ready`` when the writer cannot give one."""
    try:
        return runtime.reads.snapshot()
    except SnapshotUnavailable:
        raise ApiError("not_ready") from None


def todays_ticket(runtime: HubRuntime, ticket_id: str) -> tuple[Snapshot, Mapping[str, Any] | None]:
    """Today's view of a ticket as of the returned snapshot (None: not today's)."""
    try:
        return runtime.reads.ticket(ticket_id)
    except SnapshotUnavailable:
        raise ApiError("not_ready") from None
