"""MQTT ingest against the real Mosquitto broker at 127.0.0.1:1883 (fails, never skips, when it is down)."""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
import uuid

import paho.mqtt.client as mqtt
import pytest
from monitoring_fixtures import populate, reading
from sqlalchemy import func, select

from dashboard import mqtt as mqtt_ingest
from data import models

BROKER = os.environ.get("WEIJIAN_TEST_MQTT", "127.0.0.1:1883")


@pytest.fixture
def broker() -> tuple[str, int]:
    host, port = BROKER.split(":")
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"MQTT broker at {BROKER} is unreachable ({exc}); start mosquitto (see .ci/run)")
    return host, int(port)


def test_readings_published_over_mqtt_are_ingested_and_acknowledged(engine, broker):
    tokens = populate(engine)
    host, port = broker
    subscriber = mqtt_ingest.subscriber(engine, f"mqtt://{host}:{port}", client_id=f"wj-test-{uuid.uuid4().hex[:8]}")
    subscribed = threading.Event()  # the subscriber subscribes once connected; a message before that is lost
    subscriber.on_subscribe = lambda *_args: subscribed.set()
    subscriber.loop_start()
    assert subscribed.wait(15), "the subscriber never subscribed to the readings topic"
    acks: queue.Queue = queue.Queue()
    device = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"wj-dev-{uuid.uuid4().hex[:8]}")
    device.on_message = lambda _c, _u, message: acks.put(json.loads(message.payload))
    device.connect(host, port)
    device.subscribe("weijian/acks/AIR-HOTEL", qos=1)
    device.loop_start()
    try:
        batch = [reading("AIR-HOTEL", "pm25", h, 90, "µg/m³") for h in range(3)]
        for payload in ({"token": tokens["AIR-HOTEL"], "readings": batch},
                        {"token": tokens["AIR-HOTEL"], "readings": batch},  # a redelivered message
                        {"token": tokens["AIR-VENUE"], "readings": batch},  # a token for another topic
                        "not json"):
            body = payload if isinstance(payload, str) else json.dumps(payload)
            device.publish("weijian/readings/AIR-HOTEL", body, qos=1).wait_for_publish(5)
        answers = [acks.get(timeout=15) for _ in range(4)]
    finally:
        device.loop_stop()
        subscriber.loop_stop()
        device.disconnect()
        subscriber.disconnect()
    assert answers[0]["accepted"] == 3 and answers[1]["duplicates"] == 3
    assert "token" in answers[2]["error"] and "not JSON" in answers[3]["error"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Reading)).scalar_one() == 3
        rules = set(conn.execute(select(models.Alert.rule)).scalars())
    assert rules == {"over_limit", "sustained"}
