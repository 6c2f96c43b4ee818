"""A hub killed with SIGKILL loses nothing it had answered."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from motcua.domain.events import replay
from motcua.store import SiteStore, create_database_engine
from motcua.store.schema import request as request_table
from motcua.store.schema import ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sigkill_mid_burst_keeps_every_answered_command(db_url):
    """Given a child hub issuing and calling in a loop,
    when it is killed with SIGKILL after answering at least 300 commands,
    then after reopening every answered command is in the database (its request id and
    its ticket with that number), numbers are gap-free per prefix, and the stored state
    equals the replay of the event log."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_child", db_url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    answered = []
    try:
        for line in child.stdout:
            message = json.loads(line)
            if "id" in message:
                answered.append(message)
            if len(answered) >= 300:
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert len(answered) >= 300

    store = SiteStore(create_database_engine(db_url), "test-site")
    with store.engine.connect() as conn:
        stored_ids = {(s, r) for s, r in conn.execute(
            sa.select(request_table.c.source, request_table.c.request_id))}
        numbers = dict(conn.execute(sa.select(ticket.c.id, ticket.c.number)).all())
        by_prefix = defaultdict(list)
        for prefix, seq_no in conn.execute(sa.select(ticket.c.prefix, ticket.c.seq_no)):
            by_prefix[prefix].append(seq_no)
    for reply in answered:
        assert (reply["source"], reply["id"]) in stored_ids
        if reply["ok"] and reply["ticket"]:
            assert numbers[reply["ticket"]["id"]] == reply["ticket"]["number"]
    for prefix, seq_nos in by_prefix.items():
        assert sorted(seq_nos) == list(range(1, len(seq_nos) + 1)), prefix
    assert replay(store.load_setup(), store.load_events()) == store.load().state
