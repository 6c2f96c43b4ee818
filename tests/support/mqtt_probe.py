"""A test-side MQTT client playing a device: send commands, wait for replies and state."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from motcua.bus import parse_mqtt_url, stop_network_loop


class MqttProbe:
    """Connects with paho (MQTT v5), records every message of its subscriptions."""

    def __init__(self, url: str, client_id: str | None = None) -> None:
        address = parse_mqtt_url(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=client_id or f"probe-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        if address.username:
            self.client.username_pw_set(address.username, address.password)
        self.messages: "queue.Queue[mqtt.MQTTMessage]" = queue.Queue()
        self._connected = threading.Event()
        self.client.on_connect = lambda *a: self._connected.set()
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        self.client.connect(address.host, address.port, keepalive=30)
        self.client.loop_start()
        assert self._connected.wait(5), "probe could not connect"

    def subscribe(self, topic_filter: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *a: done.set()
        self.client.subscribe(topic_filter, qos=1)
        assert done.wait(5)

    def publish(self, topic: str, payload: bytes | str | dict, expiry_s: int | None = 30,
                wait: bool = True, **props: Any) -> mqtt.MQTTMessageInfo:
        """Publish at QoS 1. With ``wait`` (the default) return once the broker has acked;
        without it return at once, so a caller can send a burst and wait on the infos."""
        if isinstance(payload, dict):
            payload = json.dumps(payload, ensure_ascii=False)
        properties = Properties(PacketTypes.PUBLISH)
        if expiry_s is not None:
            properties.MessageExpiryInterval = expiry_s
        for name, value in props.items():
            setattr(properties, name, value)
        info = self.client.publish(topic, payload, qos=1, properties=properties)
        if wait:
            info.wait_for_publish(5)
        return info

    def wait_for(self, topic: str, timeout: float = 5.0, predicate=None) -> mqtt.MQTTMessage:
        """The next message on ``topic`` (matching ``predicate`` on its JSON, if given)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"nothing on {topic} within {timeout} s")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message.topic != topic:
                continue
            if predicate is None or predicate(json.loads(message.payload) if message.payload else None):
                return message

    def request(self, cmd_topic: str, body: dict, timeout: float = 5.0) -> dict:
        """Publish a command and return the JSON reply that carries its id."""
        reply_topic = cmd_topic[: -len("cmd")] + "reply"
        body = {"id": uuid.uuid4().hex, **body}
        self.publish(cmd_topic, body)
        message = self.wait_for(reply_topic, timeout,
                                lambda reply: reply and reply.get("id") == body["id"])
        return json.loads(message.payload)

    def close(self) -> None:
        stop_network_loop(self.client)  # paho's loop_stop can race its thread's end
        self.client.disconnect()
