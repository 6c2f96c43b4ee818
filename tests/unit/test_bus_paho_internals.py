"""The paho internals :mod:`motcua.bus` builds on are still there.

``_BufferedClient`` overrides private methods of paho-mqtt 2.2 (buffered reads, the
in-flight shortcut). A paho release that renames or reshapes them must fail here, loudly,
rather than in a hub that silently stops reading.
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
        "_update_inflight": ["self"],
        "loop_read": ["self", "max_packets"],
    }
    found = {name: list(inspect.signature(getattr(mqtt.Client, name)).parameters)
             for name in expected}

    assert found == expected


def test_the_attributes_the_buffered_client_reads_are_set_by_paho():
    """Given a fresh paho client, when it is built, then the private attributes motcua.bus
    reads (socket, out messages, in-flight counter) exist."""
    client = _BufferedClient(mqtt.CallbackAPIVersion.VERSION2, client_id="check",
                             protocol=mqtt.MQTTv5)

    for name in ("_sock", "_out_messages", "_inflight_messages"):
        assert hasattr(client, name), name


def test_the_buffered_client_does_not_replace_paho_writes():
    """Given the buffered client, when its class is inspected, then paho's own write path
    (_packet_queue, _packet_write) is the one used: writes stay on the network thread."""
    assert _BufferedClient._packet_queue is mqtt.Client._packet_queue
    assert _BufferedClient._packet_write is mqtt.Client._packet_write
