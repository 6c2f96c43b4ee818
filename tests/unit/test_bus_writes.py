"""The bus's joined socket writes (``motcua.bus._BufferedClient``), without a broker:
packets queued by paho are sent in one ``send`` where paho would use one per packet, in
the same order, and a partial or refused write leaves exactly the unsent bytes queued."""

from __future__ import annotations

import paho.mqtt.client as mqtt
import pytest

from motcua.bus import _BufferedClient


class Socket:
    """Takes at most ``room`` bytes per send (None: everything), or raises ``error``."""

    def __init__(self, room: int | None = None, error: Exception | None = None) -> None:
        self.room = room
        self.error = error
        self.sends: list[bytes] = []

    def send(self, data: bytes) -> int:
        if self.error is not None:
            raise self.error
        taken = bytes(data if self.room is None else data[:self.room])
        self.sends.append(taken)
        return len(taken)


def client_with(socket: Socket, packets: list[tuple[int, int, bytes]]) -> _BufferedClient:
    client = _BufferedClient(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client._sock_send = socket.send  # type: ignore[method-assign]
    for command, qos, data in packets:
        client._out_packet.append({"command": command, "mid": 1, "qos": qos, "pos": 0,
                                   "to_process": len(data), "packet": data, "info": None})
    return client


PUBACK = mqtt.PUBACK
PUBLISH_QOS1 = mqtt.PUBLISH | 0x02


def test_packets_waiting_go_out_in_one_send_in_their_order():
    """Given a PUBACK and two QoS 1 PUBLISH packets queued,
    when the network thread writes,
    then one send carries the three packets in queue order and nothing stays queued."""
    socket = Socket()
    client = client_with(socket, [(PUBACK, 0, b"\x40\x02\x00\x01"),
                                  (PUBLISH_QOS1, 1, b"P1"), (PUBLISH_QOS1, 1, b"P2")])
    assert client._packet_write() == mqtt.MQTT_ERR_SUCCESS
    assert socket.sends == [b"\x40\x02\x00\x01P1P2"]
    assert len(client._out_packet) == 0


def test_a_partial_write_leaves_exactly_the_unsent_bytes_queued_for_the_next_write():
    """Given three packets of 4, 3 and 5 bytes and a socket taking 6 bytes per send,
    when the network thread writes three times,
    then the bytes arrive in order, split where the socket split them, and each packet
    leaves the queue only once all of it was sent."""
    socket = Socket(room=6)
    client = client_with(socket, [(PUBLISH_QOS1, 1, b"aaaa"), (PUBLISH_QOS1, 1, b"bbb"),
                                  (PUBLISH_QOS1, 1, b"ccccc")])
    assert client._packet_write() == mqtt.MQTT_ERR_AGAIN
    assert socket.sends == [b"aaaabb"]
    assert [(p["pos"], p["to_process"]) for p in client._out_packet] == [(2, 1), (0, 5)]
    client._packet_write()
    client._packet_write()
    assert b"".join(socket.sends) == b"aaaabbbccccc"
    assert socket.sends == [b"aaaabb", b"bccccc"]
    assert len(client._out_packet) == 0


@pytest.mark.parametrize("error, code", [(BlockingIOError(), mqtt.MQTT_ERR_AGAIN),
                                         (ConnectionResetError(), mqtt.MQTT_ERR_CONN_LOST)])
def test_a_refused_write_keeps_every_packet_queued_in_order(error, code):
    """Given two packets queued and a socket that refuses the send,
    then both stay queued, untouched and in order, and paho is told why."""
    client = client_with(Socket(error=error), [(PUBLISH_QOS1, 1, b"P1"),
                                               (PUBLISH_QOS1, 1, b"P2")])
    assert client._packet_write() == code
    assert [(p["packet"], p["pos"]) for p in client._out_packet] == [(b"P1", 0), (b"P2", 0)]


def test_a_qos0_publish_is_left_to_paho_which_reports_it_published():
    """Given a QoS 1 PUBLISH then a QoS 0 PUBLISH (paho calls on_publish once a QoS 0
    message is written),
    then both are sent, the QoS 0 one through paho's own writer, in order."""
    socket = Socket()
    published = []
    client = client_with(socket, [(PUBLISH_QOS1, 1, b"P1")])
    info = mqtt.MQTTMessageInfo(7)
    client._out_packet.append({"command": mqtt.PUBLISH, "mid": 7, "qos": 0, "pos": 0,
                               "to_process": 2, "packet": b"Q0", "info": info})
    client.on_publish = lambda c, u, mid, rc, props: published.append(mid)
    client._packet_write()
    assert socket.sends == [b"P1", b"Q0"]
    assert published == [7]
    assert info.is_published()


class WakePair:
    def __init__(self) -> None:
        self.wakes = 0

    def send(self, data: bytes) -> int:
        self.wakes += 1
        return len(data)

    def close(self) -> None:
        """paho closes its socket pair when the client is collected."""


def test_other_threads_wake_the_network_thread_once_until_it_writes():
    """Given paho's network thread running elsewhere,
    when another thread queues three packets, the network thread writes, then one more
    packet is queued,
    then the network thread was woken once for the three and once for the fourth, and
    every packet was sent."""
    import threading

    socket, pair = Socket(), WakePair()
    client = client_with(socket, [])
    client._sockpairW = pair
    client._thread = threading.Thread(target=lambda: None)
    client._thread.start()
    client._thread.join()
    client._sock = object()  # loop_write needs a socket; _sock_send is the fake
    for data in (b"P1", b"P2", b"P3"):
        client._packet_queue(PUBLISH_QOS1, data, 1, 1)
    assert pair.wakes == 1
    client.loop_write()
    client._packet_queue(PUBLISH_QOS1, b"P4", 1, 1)
    assert pair.wakes == 2
    client.loop_write()
    client._sock = None  # nothing to close
    assert b"".join(socket.sends) == b"P1P2P3P4"


def test_stopping_the_loop_survives_the_network_thread_ending_by_itself():
    """Given paho's network thread that ends, and clears the client's thread, as soon as
    it is told to stop (paho's loop_stop read the cleared attribute and raised),
    when the loop is stopped,
    then the thread is joined and the stop reports success."""
    import threading

    from motcua.bus import stop_network_loop

    client = client_with(Socket(), [])
    told = threading.Event()

    def network_thread() -> None:
        while not client._thread_terminate:
            told.wait(0.001)
        client._thread = None  # what paho's _thread_main does as it ends

    client._thread_terminate = False
    client._thread = threading.Thread(target=network_thread)
    client._thread.start()
    assert stop_network_loop(client) == mqtt.MQTT_ERR_SUCCESS
    assert client._thread is None
