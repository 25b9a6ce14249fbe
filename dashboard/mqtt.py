"""MQTT ingest: readings published on `weijian/readings/<device id>`, the same JSON as the HTTP API.

Many field devices speak MQTT, not HTTP. The payload is {"token": "<device token>", "readings": [...]};
the token must belong to the device named in the topic. Each message is one batch, ingested with the
same guarantees as POST /api/v1/readings, and answered on `weijian/acks/<device id>` with the same
counts (or {"error": ...}), so a device can tell what was taken. Subscribed with QoS 1: a message the
broker delivers twice is a duplicate batch, which ingest makes harmless.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from sqlalchemy import Engine

from data.monitoring import devices, ingest

READINGS_TOPIC = "weijian/readings/+"
ACK_TOPIC = "weijian/acks/{device}"
log = logging.getLogger(__name__)


def handle(engine: Engine, topic: str, payload: bytes) -> tuple[str, dict]:
    """Ingest one message; returns (device id from the topic, the answer to publish)."""
    device_id = topic.rsplit("/", 1)[-1]
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return device_id, {"error": f"payload is not JSON: {exc}"}
    token = body.get("token") if isinstance(body, dict) else None
    if devices.authenticate(engine, token) != device_id:
        return device_id, {"error": "missing or invalid device token for this topic"}
    items = body.get("readings")
    if not isinstance(items, list):
        return device_id, {"error": "payload needs a 'readings' array"}
    try:
        return device_id, ingest.ingest(engine, items, token_device=device_id).as_dict()
    except ingest.BatchTooLarge as exc:
        return device_id, {"error": str(exc)}


def subscriber(engine: Engine, broker_url: str = "mqtt://127.0.0.1:1883", client_id: str = "weijian-ingest") -> mqtt.Client:
    """A connected client that ingests every message on READINGS_TOPIC (call loop_forever or loop_start)."""
    url = urlparse(broker_url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    if url.username:
        client.username_pw_set(url.username, url.password)

    def on_connect(client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            log.error("MQTT broker refused the connection: %s", reason_code)
            return
        client.subscribe(READINGS_TOPIC, qos=1)

    def on_message(client, _userdata, message):
        try:
            device_id, answer = handle(engine, message.topic, message.payload)
        except Exception:  # noqa: BLE001 - one bad message must not stop the subscriber
            log.exception("ingest of a message on %s failed", message.topic)
            device_id, answer = message.topic.rsplit("/", 1)[-1], {"error": "internal error; retry later"}
        client.publish(ACK_TOPIC.format(device=device_id), json.dumps(answer, ensure_ascii=False), qos=1)

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(url.hostname or "127.0.0.1", url.port or 1883, keepalive=30)
    return client
