"""The paho internals :mod:`motcua.bus` builds on are still there.

``_BufferedClient`` overrides private methods of paho-mqtt 2.2 (buffered reads, joined
writes, the in-flight shortcut and limit, PUBACKs without properties). A paho release that renames or reshapes them must fail here, loudly,
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
        "loop_write": ["self"],
        "_packet_queue": ["self", "command", "packet", "mid", "qos", "info"],
        "_packet_write": ["self"],
        "_handle_pubackcomp": ["self", "cmd"],
        "_call_socket_register_write": ["self"],
        "loop_stop": ["self"],
    }
    found = {name: list(inspect.signature(getattr(mqtt.Client, name)).parameters)
             for name in expected}

    assert found == expected


def test_the_attributes_the_buffered_client_reads_are_set_by_paho():
    """Given a fresh paho client, when it is built, then the private attributes motcua.bus
    reads and writes (socket, socket pair, queues, in-flight counter and limit, the time
    of the last write) exist, as do the module names it uses."""
    client = _BufferedClient(mqtt.CallbackAPIVersion.VERSION2, client_id="check",
                             protocol=mqtt.MQTTv5)

    for name in ("_sock", "_sockpairW", "_thread", "_out_packet", "_out_messages",
                 "_inflight_messages", "_max_inflight_messages", "_msgtime_mutex",
                 "_last_msg_out", "_out_message_mutex", "_in_packet", "_thread_terminate"):
        assert hasattr(client, name), name
    for name in ("sockpair_data", "time_func", "PUBLISH", "DISCONNECT"):
        assert hasattr(mqtt, name), name


def test_the_packet_queue_entries_the_joined_writes_build_are_pahos_shape():
    """Given paho queuing a packet itself, then its queue entry has exactly the keys the
    joined writes build and read."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="check",
                         protocol=mqtt.MQTTv5)
    client._packet_queue(mqtt.PUBLISH | 0x02, b"packet", 1, 1)

    assert set(client._out_packet[0]) == {"command", "mid", "qos", "pos", "to_process",
                                          "packet", "info"}
