"""``motcua.bus._FastProperties`` behaves as paho's own MQTT v5 Properties: the same
bytes packed, the same values unpacked, the same refusals; and paho's packet decoder
builds received properties with it."""

from __future__ import annotations

import pytest
from paho.mqtt import _packet as paho_packet
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import MQTTException, Properties

from motcua.bus import _FastProperties

SETS = [
    (PacketTypes.PUBLISH, {"MessageExpiryInterval": 30, "ContentType": "application/json"}),
    (PacketTypes.PUBLISH, {"ResponseTopic": "motcua/v1/s/counter/1/reply/x",
                           "CorrelationData": b"\x00\x01\xff", "PayloadFormatIndicator": 1,
                           "UserProperty": [("a", "b"), ("khóa", "giá trị")]}),
    (PacketTypes.CONNACK, {"ReceiveMaximum": 20, "TopicAliasMaximum": 10,
                           "AssignedClientIdentifier": "auto-1", "MaximumPacketSize": 262144}),
    (PacketTypes.CONNECT, {"SessionExpiryInterval": 120, "RequestProblemInformation": 0}),
    (PacketTypes.SUBSCRIBE, {"SubscriptionIdentifier": 7}),
    (PacketTypes.PUBACK, {"ReasonString": "quota exceeded"}),
]


def filled(cls, packet_type, values):
    properties = cls(packet_type)
    for name, value in values.items():
        setattr(properties, name, value)
    return properties


@pytest.mark.parametrize("packet_type, values", SETS)
def test_packs_and_unpacks_as_paho_does(packet_type, values):
    ours, pahos = filled(_FastProperties, packet_type, values), filled(Properties,
                                                                       packet_type, values)
    assert ours.pack() == pahos.pack()
    assert str(ours) == str(pahos)
    assert ours.json() == pahos.json()
    back, paho_back = _FastProperties(packet_type), Properties(packet_type)
    assert back.unpack(pahos.pack())[1] == paho_back.unpack(pahos.pack())[1]
    assert back.json() == paho_back.json() == pahos.json()
    back.clear()
    assert back.json() == {} and back.pack() == b"\x00"


@pytest.mark.parametrize("packet_type, name, value", [
    (PacketTypes.CONNACK, "ReceiveMaximum", 0),          # out of range
    (PacketTypes.PUBLISH, "TopicAlias", 70000),          # out of range
    (PacketTypes.PUBLISH, "PayloadFormatIndicator", 2),  # 0 or 1 only
    (PacketTypes.PUBLISH, "SessionExpiryInterval", 5),   # not a PUBLISH property
    (PacketTypes.PUBLISH, "NoSuchProperty", 1),          # unknown
])
def test_refuses_what_paho_refuses(packet_type, name, value):
    with pytest.raises(MQTTException) as paho_error:
        setattr(Properties(packet_type), name, value)
    with pytest.raises(MQTTException) as our_error:
        setattr(_FastProperties(packet_type), name, value)
    assert str(our_error.value) == str(paho_error.value)


def test_a_property_set_twice_in_a_packet_is_refused_as_paho_refuses_it():
    twice = b"\x0a\x02\x00\x00\x00\x1e\x02\x00\x00\x00\x1f"  # expiry 30, then 31
    with pytest.raises(MQTTException):
        Properties(PacketTypes.PUBLISH).unpack(twice)
    with pytest.raises(MQTTException):
        _FastProperties(PacketTypes.PUBLISH).unpack(twice)


def test_pahos_decoder_gives_received_publishes_these_properties():
    properties = filled(Properties, PacketTypes.PUBLISH, {"MessageExpiryInterval": 30})
    topic = b"motcua/v1/s/counter/1/cmd"
    body = (len(topic).to_bytes(2, "big") + topic + b"\x00\x05" + properties.pack()
            + b'{"id":"x"}')
    decoded = paho_packet.decode_publish(0x32, body, MQTTProtocolVersion.MQTTv5)
    assert isinstance(decoded.properties, _FastProperties)
    assert decoded.properties.MessageExpiryInterval == 30
    assert (decoded.mid, decoded.qos, decoded.payload) == (5, 1, b'{"id":"x"}')
