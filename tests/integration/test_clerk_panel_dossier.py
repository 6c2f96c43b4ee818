"""The clerk panel shows which dossier a return-of-results ticket is for.

The dossiers of ``tests/support/dossier_hub.py`` are stored in the runtime's real
database through its writer and read back by the real ``StoreDossierReader``."""

from __future__ import annotations

import pytest

from motcua.dossiers.finder import DossierFinder
from motcua.dossiers.settings import DossierSettings
from motcua.server import create_app
from tests.integration.test_clerk_panel import (  # noqa: F401 - pytest fixtures
    SECRET, accounts, act, clerk, client, read_frame,
)
from tests.integration.test_http_api import (  # noqa: F401 - pytest fixtures
    clock, dispatcher, run, runtime, store,
)
from tests.support.dossier_hub import (
    READY_CODE, CountingReader, store_reader, store_through_writer,
)


@pytest.fixture
def reader(dispatcher, store):
    """The site's real reader over the three stored dossiers, counting its reads."""
    site_id = dispatcher.state.setup.site_id
    store_through_writer(dispatcher, store.engine, site_id)
    return CountingReader(store_reader(store.engine, site_id))


@pytest.fixture
def app(runtime, reader):
    runtime.dossier_lookup = DossierFinder(reader, DossierSettings())
    return create_app(runtime, {"TESTING": True, "SECRET_KEY": SECRET,
                                "LIVE_KEEPALIVE_S": 0.3})


def test_the_called_return_ticket_shows_its_dossier_code_and_procedure(clerk, dispatcher,
                                                                      reader):
    """Given a return-of-results ticket for a ready dossier and an ordinary ticket after it,
    when counter 1 calls them one after the other,
    then the panel's current ticket first shows the dossier code and its procedure (read
    once), then, for the ordinary ticket, no dossier; the waiting list gives the code."""
    client, csrf = clerk
    run(dispatcher, "issue", service="dat-dai", dossier=READY_CODE)
    run(dispatcher, "issue", service="dat-dai")
    act(client, 1, "open", "r-open", csrf)

    response = client.get("/counter/1/events", buffered=False)
    frames = iter(response.response)
    first = read_frame(frames)
    act(client, 1, "call_next", "r-call-1", csrf)
    called = read_frame(frames)
    act(client, 1, "call_next", "r-call-2", csrf)
    second = read_frame(frames)
    response.close()

    assert first["waiting"][0]["dossier"] == {"code": READY_CODE}
    assert first["waiting"][1]["dossier"] is None
    assert (called["current"]["number"], called["current"]["dossier"]) == (
        "A001", {"code": READY_CODE, "procedure": "Đăng ký kết hôn"})
    assert (second["current"]["number"], second["current"]["dossier"]) == ("A002", None)
    assert reader.reads == [READY_CODE]
