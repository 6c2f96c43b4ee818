"""The paho internals :mod:`motcua.bus` builds on are still there.

``_BufferedClient`` overrides private methods of paho-mqtt 2.2 and writes paho's own
out-packet entries. A paho release that renames or reshapes them must fail here, loudly,
rather than in a hub that silently stops sending.
"""

from __future__ import annotations

import inspect

import paho.mqtt.client as mqtt

from motcua.bus import _BufferedClient


def test_the_private_methods_the_buffered_client_overrides_exist_with_their_signatures():
    """Given paho's Client, when the overridden private methods are inspected,
    then each exists with the parameters motcua.bus calls it with."""
    expected = {
        "_sock_recv": ["self", "bufsize"],
        "_packet_write": ["self"],
        "_packet_queue": ["self", "command", "packet", "mid", "qos", "info"],
        "_update_inflight": ["self"],
        "loop_read": ["self", "max_packets"],
    }
    found = {name: list(inspect.signature(getattr(mqtt.Client, name)).parameters)
             for name in expected}

    assert found == expected


def test_the_out_packet_entry_the_buffered_client_writes_is_the_one_paho_builds():
    """Given paho's own _packet_queue, when its source is read, then the out-packet entry
    has exactly the keys motcua.bus appends for a direct PUBLISH write."""
    source = inspect.getsource(mqtt.Client._packet_queue)

    for key in ("command", "mid", "qos", "pos", "to_process", "packet", "info"):
        assert f'"{key}"' in source or f"'{key}'" in source
    assert issubclass(_BufferedClient, mqtt.Client)


def test_the_attributes_the_buffered_client_reads_are_set_by_paho():
    """Given a fresh paho client, when it is built, then the private attributes motcua.bus
    reads (socket, out packets, in-flight counters, thread, socket pair) exist."""
    client = _BufferedClient(mqtt.CallbackAPIVersion.VERSION2, client_id="check",
                             protocol=mqtt.MQTTv5)

    for name in ("_sock", "_out_packet", "_out_messages", "_inflight_messages", "_thread",
                 "_sockpairW"):
        assert hasattr(client, name), name
