"""Slack never gets more than one message per second per channel, across containers too."""

from __future__ import annotations

import itertools

import boto3
import pytest

from alert_router import handler
from alert_router.deliver import SlackPacer
from alert_router.state import StateTable, StateUnavailable

from .conftest import START, TABLE, load_event


def test_messages_to_one_channel_are_spaced_at_least_one_second_apart(rt, apis, clock):
    for name in ("sns-expensive-scan.json", "sns-plain-text.json", "sns-unknown-json.json"):
        handler.lambda_handler(load_event(name), None)
    posts = apis.to("/api/chat.postMessage")
    assert [p["body"]["channel"] for p in posts] == ["#engineering-alerts"] * 3
    times = [p["at"] for p in posts]
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [1.25, 1.25]


def test_two_containers_share_the_channel_schedule(aws):
    client = boto3.client("dynamodb")
    first, second = StateTable(client, TABLE), StateTable(client, TABLE)
    slots = [
        first.reserve_slot("#ops", START, 1.0),
        second.reserve_slot("#ops", START, 1.0),
        first.reserve_slot("#ops", START + 0.2, 1.0),
    ]
    assert slots == [START, START + 1.0, START + 2.0]
    assert first.reserve_slot("#other", START, 1.0) == START


def test_the_local_schedule_holds_when_the_table_is_unavailable():
    waits = []
    now = [START]

    def reserve(channel, at, spacing):
        raise StateUnavailable("down")

    pacer = SlackPacer(reserve, clock=lambda: now[0], sleep=waits.append)
    for _ in range(3):
        pacer.wait_turn("#c")
    assert [round(w, 3) for w in waits] == [1.25, 2.5]


def test_a_slot_beyond_the_maximum_wait_is_left_for_lambdas_retry():
    waits = []
    pacer = SlackPacer(
        lambda c, at, s: at + 600, clock=lambda: START, sleep=waits.append, max_wait=20
    )
    assert pacer.wait_turn("#c") is False
    assert waits == []


def test_a_channel_backlog_fails_the_slack_delivery_only(rt, apis, clock, monkeypatch):
    monkeypatch.setattr(rt.router.senders._pacer, "_reserve", lambda channel, at, s: at + 600)
    with pytest.raises(handler.InvocationFailed, match="paced beyond this invocation"):
        handler.lambda_handler(load_event("sns-alarm-single-metric.json"), None)
    assert apis.slack_posts == [] and len(apis.pagerduty) == 1
