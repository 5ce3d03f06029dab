"""The whole handler against moto (state table, secret, SNS SMS, SES) and local HTTP fakes
playing PagerDuty and Slack: exact payloads, recoveries, duplicates, failure isolation."""

from __future__ import annotations

import json

import pytest

from alert_router import handler
from alert_router.handler import InvocationFailed

from .conftest import BOT_TOKEN, ROUTING_KEYS, emails_sent, load_event, sms_sent

DISK = "harborlist-prod-disk-space-low-harborlist-web-asg"
DISK_ARN = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{DISK}"
CONSOLE = "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"


def invoke(event):
    return handler.lambda_handler(event, None)


def test_critical_alarm_pages_posts_and_texts_with_exact_payloads(rt, apis):
    result = invoke(load_event("sns-alarm-single-metric.json"))
    (summary,) = result["alerts"]
    assert summary["decision"] == "deliver"
    assert summary["sent"] == [
        "slack-critical/#incidents-critical",
        "pagerduty",
        "sms-oncall/+15555550100",
        "sms-oncall/+15555550101",
    ]
    (page,) = apis.pagerduty
    assert page == {
        "routing_key": ROUTING_KEYS["platform"],
        "event_action": "trigger",
        "dedup_key": f"cloudwatch-alarm/{DISK_ARN}",
        "client": "HarborList alert router",
        "client_url": f"{CONSOLE}#alarmsV2:alarm/{DISK}",
        "payload": {
            "summary": (
                "[CRITICAL] EC2 disk space low — harborlist-prod-disk-space-low-harborlist-web-asg"
                " is ALARM: Threshold Crossed: 1 out of the last 1 datapoints "
                "[93.4129638671875 (12/11/26 15:44:00)] was greater than the threshold (90.0) "
                "(minimum 1 datapoint for OK -> ALARM transition)."
            ),
            "source": DISK_ARN,
            "severity": "critical",
            "timestamp": "2026-11-12T15:45:24.006Z",
            "component": "harborlist-web-asg",
            "group": "disk-space-low",
            "class": "metric",
            "custom_details": page["payload"]["custom_details"],
        },
        "links": [
            {
                "href": "https://runbooks.harborlist.com/monitoring/disk-space-low",
                "text": "Runbook",
            },
            {"href": f"{CONSOLE}#alarmsV2:alarm/{DISK}", "text": "CloudWatch alarm"},
            {"href": page["links"][2]["href"], "text": "Metric"},
            {"href": f"{CONSOLE}#dashboards:name=harborlist-prod-operations", "text": "Dashboard"},
        ],
    }
    details = page["payload"]["custom_details"]
    assert details["rule"] == "disk-space-low" and details["environment"] == "prod"
    assert details["runbook_url"] == "https://runbooks.harborlist.com/monitoring/disk-space-low"
    assert details["metrics"] == [
        {
            "namespace": "CWAgent",
            "name": "disk_used_percent",
            "dimensions": {"AutoScalingGroupName": "harborlist-web-asg", "path": "/"},
        }
    ]
    (post,) = apis.to("/api/chat.postMessage")
    assert post["headers"]["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert post["body"]["channel"] == "#incidents-critical"
    blocks = post["body"]["blocks"]
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "context",
        "actions",
    ]
    assert blocks[0]["text"]["text"] == "🚨 URGENT Alert: EC2 disk space low"
    assert [f["text"].split(":*")[0] for f in blocks[1]["fields"]][:4] == [
        "*Type",
        "*Severity",
        "*Environment",
        "*Time",
    ]
    assert [e["text"]["text"] for e in blocks[-1]["elements"]] == [
        "View Runbook",
        "View Metrics",
        "Acknowledge",
    ]
    assert json.loads(blocks[-1]["elements"][2]["value"])["k"] == f"cloudwatch-alarm/{DISK_ARN}"
    assert post["body"]["attachments"][0]["color"] == "#E01E5A"
    texts = sms_sent()
    assert sorted(t["PhoneNumber"] for t in texts) == ["+15555550100", "+15555550101"]
    assert all(t["Message"].startswith("[CRITICAL prod] EC2 disk space low: ") for t in texts)
    assert emails_sent() == []  # the rule's own channel list has no e-mail


def test_severity_channels_apply_when_the_rule_has_no_list_and_email_is_sent(rt, apis):
    invoke(load_event("sns-alarm-composite.json"))
    (message,) = emails_sent()
    assert message.destinations["ToAddresses"] == ["eng-leads@harborlist.com"]
    assert message.subject == (
        "[CRITICAL ALERT] prod: HarborList is down (harborlist-prod-system-down)"
    )
    assert (
        '<th align="left">Runbook</th><td>https://runbooks.harborlist.com/monitoring/'
        "system-down</td>"
    ) in message.body
    assert len(apis.pagerduty) == 1 and len(apis.slack_posts) == 1 and len(sms_sent()) == 2


def test_the_same_notification_delivered_twice_sends_nothing_the_second_time(rt, apis):
    event = load_event("sns-alarm-single-metric.json")
    invoke(event)
    again = invoke(event)
    assert again["alerts"][0]["sent"] == []
    assert len(again["alerts"][0]["skipped"]) == 4
    assert len(apis.pagerduty) == 1 and len(apis.slack_posts) == 1 and len(sms_sent()) == 2


def test_the_same_state_change_through_sns_and_eventbridge_is_sent_once(rt, apis):
    invoke(load_event("sns-alarm-single-metric.json"))
    invoke(load_event("eventbridge-alarm-state-change.json"))
    assert len(apis.pagerduty) == 1 and len(apis.slack_posts) == 1


def test_ok_after_alarm_resolves_the_same_incident_and_turns_the_message_green(rt, apis, clock):
    invoke(load_event("sns-alarm-single-metric.json"))
    posted_ts = apis.slack_posts and apis.to("/api/chat.postMessage")[0]
    clock.advance(1200)
    result = invoke(load_event("sns-alarm-ok.json"))
    assert result["alerts"][0]["decision"] == "deliver"
    trigger, resolve = apis.pagerduty
    assert resolve == {
        "routing_key": ROUTING_KEYS["platform"],
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
    }
    (update,) = apis.slack_updates
    assert update["ts"] == "1794498000.000001"
    assert update["channel"].startswith("C0")
    assert update["blocks"][0]["text"]["text"] == "✅ Resolved: EC2 disk space low"
    assert update["attachments"][0]["color"] == "#2EB886"
    assert posted_ts  # the original message was posted first
    assert len(apis.slack_posts) == 1 and len(sms_sent()) == 2  # no new post, no recovery SMS


def test_ok_for_an_alarm_never_notified_is_held_back(rt, apis):
    result = invoke(load_event("sns-alarm-ok.json"))
    assert result["alerts"][0]["decision"] == "not-notified"
    assert apis.requests == []


def test_insufficient_data_updates_slack_but_leaves_the_incident_open(rt, apis, clock):
    invoke(load_event("sns-alarm-single-metric.json"))
    clock.advance(60)
    invoke(load_event("sns-alarm-insufficient-data.json"))
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger"]
    (update,) = apis.slack_updates
    assert update["blocks"][0]["text"]["text"] == "⚪ Insufficient data: EC2 disk space low"
    assert update["attachments"][0]["color"] == "#9E9E9E"


def test_slack_down_does_not_stop_the_page_and_the_retry_resends_only_slack(rt, apis):
    apis.script("/api/chat.postMessage", *[(500, {"ok": False})] * 4)
    event = load_event("sns-alarm-single-metric.json")
    with pytest.raises(InvocationFailed, match="slack-critical"):
        invoke(event)
    assert len(apis.pagerduty) == 1 and len(sms_sent()) == 2
    assert len(apis.slack_posts) == 4  # 4 attempts with backoff
    result = invoke(event)  # Lambda's retry, Slack is back
    assert result["alerts"][0]["sent"] == ["slack-critical/#incidents-critical"]
    assert len(apis.pagerduty) == 1 and len(sms_sent()) == 2 and len(apis.slack_posts) == 5


def test_pagerduty_rejecting_the_event_is_not_retried_and_fails_the_invocation(rt, apis):
    apis.script("/v2/enqueue", (400, {"status": "invalid event", "errors": ["bad"]}))
    with pytest.raises(InvocationFailed, match="HTTP 400"):
        invoke(load_event("sns-alarm-single-metric.json"))
    assert len(apis.pagerduty) == 1
    assert len(apis.slack_posts) == 1 and len(sms_sent()) == 2


def test_pagerduty_429_is_retried_after_the_retry_after_delay(rt, apis, clock):
    apis.script("/v2/enqueue", (429, {"status": "throttled"}, {"Retry-After": "3"}))
    invoke(load_event("sns-alarm-single-metric.json"))
    assert len(apis.pagerduty) == 2
    assert 3.0 in clock.sleeps


def test_slack_ok_false_is_a_failure_and_not_retried_unless_transient(rt, apis):
    apis.script("/api/chat.postMessage", (200, {"ok": False, "error": "channel_not_found"}))
    with pytest.raises(InvocationFailed, match="channel_not_found"):
        invoke(load_event("sns-alarm-single-metric.json"))
    assert len(apis.slack_posts) == 1


def test_slack_ok_false_ratelimited_is_retried(rt, apis):
    apis.script("/api/chat.postMessage", (200, {"ok": False, "error": "ratelimited"}))
    invoke(load_event("sns-alarm-single-metric.json"))
    assert len(apis.slack_posts) == 2


def test_an_unreadable_record_fails_the_invocation_after_the_readable_ones(rt, apis, capsys):
    with pytest.raises(InvocationFailed, match="record 1: SNS record has no Message text"):
        invoke(load_event("sns-unreadable-record.json"))
    assert len(apis.pagerduty) == 1
    metrics = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith('{"_aws"')
    ]
    # Counted on its own: the watchdog's delivery-failure alarm adds up channel kinds only.
    assert sum(1 for m in metrics if "UnreadableRecords" in m) == 1
    assert not [m for m in metrics if "DeliveryFailures" in m]


def test_several_records_are_all_delivered(rt, apis):
    result = invoke(load_event("sns-multiple-records.json"))
    assert [a["rule"] for a in result["alerts"]] == ["disk-space-low", "api-error-rate-high"]
    assert {p["channel"] for p in apis.slack_posts} == {
        "#incidents-critical",
        "#engineering-alerts",
    }
    assert len(emails_sent()) == 1


def test_platform_alerts_route_by_their_rules(rt, apis):
    invoke(load_event("sns-expensive-scan.json"))
    invoke(load_event("sns-lambda-error.json"))
    invoke(load_event("sns-plain-text.json"))
    channels = [p["channel"] for p in apis.slack_posts]
    assert channels == ["#engineering-alerts", "#ops-alerts", "#engineering-alerts"]
    headers = [p["blocks"][0]["text"]["text"] for p in apis.slack_posts]
    assert headers == [
        "⚠️ HIGH Alert: Expensive DynamoDB scan",
        "⚠️ HIGH Alert: Lambda function error",
        "ℹ️ LOW Alert: Backup report",
    ]
    assert apis.pagerduty == []


def test_state_table_unavailable_fails_open(env, clock, apis, aws):
    from alert_router import runtime
    from alert_router.http import HttpClient, RetryPolicy

    env = {**env, "STATE_TABLE_NAME": "no-such-table"}
    http = HttpClient(RetryPolicy(timeout=1.0), sleep=clock.sleep, clock=clock)
    runtime.reset(runtime.build(env, sleep=clock.sleep, clock=clock, health_check=None, http=http))
    try:
        invoke(load_event("sns-alarm-single-metric.json"))
        invoke(load_event("sns-alarm-ok.json"))  # cannot know it was notified: resolve anyway
    finally:
        runtime.reset(None)
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger", "resolve"]
    assert len(apis.slack_posts) == 2  # no ts to update: the recovery is a new message


def test_metrics_are_embedded_metric_format_lines(rt, apis, capsys):
    invoke(load_event("sns-alarm-single-metric.json"))
    lines = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith('{"_aws"')
    ]
    names = [
        next(iter(set(line) - {"_aws", "Stack", "Severity", "Channel", "Reason"})) for line in lines
    ]
    assert names.count("AlertsReceived") == 1 and names.count("Deliveries") == 4
    assert "EnrichmentMs" in names
    received = lines[names.index("AlertsReceived")]
    assert received["_aws"]["CloudWatchMetrics"][0] == {
        "Namespace": "HarborList/AlertRouter",
        "Dimensions": [["Stack", "Severity"]],
        "Metrics": [{"Name": "AlertsReceived", "Unit": "Count"}],
    }
    assert received["Severity"] == "CRITICAL" and received["Stack"] == "prod"


def test_secrets_are_read_once_and_never_logged(rt, apis, capsys):
    calls = []
    original = rt.secrets._client_factory
    rt.secrets._client_factory = lambda: calls.append(1) or original()
    invoke(load_event("sns-alarm-single-metric.json"))
    invoke(load_event("sns-alarm-metric-math.json"))
    assert len(calls) == 1
    out = capsys.readouterr().out
    assert BOT_TOKEN not in out and ROUTING_KEYS["platform"] not in out
    assert BOT_TOKEN not in repr(rt.secrets.get())


def test_self_check_reports_healthy_and_emits_a_heartbeat(rt, capsys):
    assert invoke({"harborlistSelfCheck": True}) == {
        "healthy": True,
        "checks": {"routingConfig": "ok (prod)", "secret": "ok", "stateTable": "ok"},
    }
    assert '"Heartbeat":1' in capsys.readouterr().out


def test_self_check_fails_when_the_secret_is_missing(env, clock):
    from alert_router import runtime

    runtime.reset(
        runtime.build({**env, "ROUTER_SECRET_ARN": "nope"}, clock=clock, health_check=None)
    )
    try:
        with pytest.raises(InvocationFailed, match="secret"):
            invoke({"harborlistSelfCheck": True})
    finally:
        runtime.reset(None)


def test_a_copy_through_eventbridge_routes_as_the_sns_original_was_decided(rt, apis):
    """EventBridge carries no topic, so an unmapped alarm would fall to the default severity
    and reach other channels: the stored decision's severity keeps it to the first routing."""
    sns = load_event("sns-alarm-unmapped.json")
    eventbridge = load_event("eventbridge-alarm-state-change.json")
    message = json.loads(sns["Records"][0]["Sns"]["Message"])
    eventbridge["resources"] = [message["AlarmArn"]]
    eventbridge["detail"]["alarmName"] = message["AlarmName"]
    eventbridge["detail"]["state"]["timestamp"] = message["StateChangeTime"]
    first = invoke(sns)["alerts"][0]
    second = invoke(eventbridge)["alerts"][0]
    assert (first["severity"], second["severity"]) == ("HIGH", "HIGH")
    assert second["sent"] == [] and second["skipped"] == first["sent"]
    assert [p["channel"] for p in apis.slack_posts] == ["#ops-alerts"]


class LambdaContext:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_nothing_is_started_when_the_invocation_is_about_to_time_out(rt, apis):
    with pytest.raises(InvocationFailed, match="invocation deadline near"):
        handler.lambda_handler(load_event("sns-alarm-single-metric.json"), LambdaContext(3500))
    assert apis.requests == [] and sms_sent() == []
    result = handler.lambda_handler(
        load_event("sns-alarm-single-metric.json"), LambdaContext(30000)
    )
    assert len(result["alerts"][0]["sent"]) == 4  # Lambda's retry delivers everything


def test_enrichment_carries_the_health_snapshot_and_recent_similar_alerts(env, clock, apis):
    from alert_router import runtime
    from alert_router.http import HttpClient, RetryPolicy

    asked = []

    def health(checks, budget):
        asked.append(([c.name for c in checks], budget))
        return (("api", "degraded (HTTP 503, 41 ms)"),)

    http = HttpClient(RetryPolicy(timeout=1.0), sleep=clock.sleep, clock=clock)
    runtime.reset(
        runtime.build(env, sleep=clock.sleep, clock=clock, health_check=health, http=http)
    )
    try:
        invoke(load_event("sns-expensive-scan.json"))
        clock.advance(60)
        scan = load_event("sns-expensive-scan.json")
        scan["Records"][0]["Sns"]["MessageId"] = "another-scan"
        scan["Records"][0]["Sns"]["Message"] = scan["Records"][0]["Sns"]["Message"].replace(
            "harborlist-prod-listings", "harborlist-prod-users"
        )
        invoke(scan)
    finally:
        runtime.reset(None)
    assert asked == [(["api"], 2.0)]  # one snapshot serves both alerts (30 s cache)
    context = [
        e["text"]
        for b in apis.slack_posts[1]["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    ]
    assert "Health: api degraded (HTTP 503, 41 ms)" in context
    assert "1 similar alerts in the last 30 min" in context


def test_hostile_alarm_text_reaches_slack_inert_and_pagerduty_cut(rt, apis):
    event = load_event("sns-alarm-single-metric.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message["AlarmDescription"] = "<!channel> <http://evil.example|reset password> שלום 🚨"
    message["NewStateReason"] = "R" * 5000
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    invoke(event)
    (post,) = apis.slack_posts
    assert post["blocks"][2]["text"]["text"] == (
        "*Description:*\n&lt;!channel&gt; &lt;http://evil.example|reset password&gt; שלום 🚨"
    )
    assert "<!channel>" not in json.dumps(post, ensure_ascii=False)
    reason = post["blocks"][3]["text"]["text"]
    assert len(reason) == 3000 and reason.endswith("…")
    (page,) = apis.pagerduty
    assert len(page["payload"]["summary"]) == 1024
    assert all(len(t["Message"]) <= 300 for t in sms_sent())


def test_a_unit_being_sent_elsewhere_fails_this_invocation_until_sent_or_lease_expired(
    rt, apis, clock
):
    from alert_router.events import split_event
    from alert_router.normalize import normalize

    event = load_event("sns-expensive-scan.json")
    (envelope,) = split_event(event)
    nid = normalize(envelope).notification_id
    unit = "slack-engineering/#engineering-alerts"
    assert rt.state.claim_unit(nid, unit, clock(), 60, 3600) == "claimed"  # a crashed sender
    with pytest.raises(InvocationFailed, match="being sent by another invocation"):
        invoke(event)
    assert apis.slack_posts == []
    clock.advance(61)  # Lambda's retry, after the lease ran out
    assert invoke(event)["alerts"][0]["sent"] == [unit]
    assert rt.state.claim_unit(nid, unit, clock(), 60, 3600) == "already-sent"


def test_a_deleted_slack_message_gets_a_new_resolved_message(rt, apis, clock):
    invoke(load_event("sns-alarm-single-metric.json"))
    apis.script("/api/chat.update", (200, {"ok": False, "error": "message_not_found"}))
    clock.advance(600)
    invoke(load_event("sns-alarm-ok.json"))
    assert len(apis.slack_updates) == 1
    _original, resolved = apis.slack_posts
    assert "ts" not in resolved
    assert resolved["blocks"][0]["text"]["text"] == "✅ Resolved: EC2 disk space low"
    assert resolved["channel"] == apis.to("/api/chat.update")[0]["body"]["channel"]


def test_a_missing_pagerduty_routing_key_fails_only_pagerduty(rt, apis, monkeypatch):
    from alert_router.secrets import Secrets

    monkeypatch.setattr(
        rt.secrets, "_value", Secrets("xoxb-fake_for_tests", "s", {"data": "D" * 32})
    )
    with pytest.raises(InvocationFailed, match="no PagerDuty routing key for service 'platform'"):
        invoke(load_event("sns-alarm-single-metric.json"))
    assert apis.pagerduty == [] and len(apis.slack_posts) == 1 and len(sms_sent()) == 2


def _insufficient_data_event(alarm: str) -> dict:
    event = load_event("sns-alarm-insufficient-data.json")
    sns = event["Records"][0]["Sns"]
    sns["Message"] = sns["Message"].replace(DISK, alarm)
    sns["MessageId"] = f"{sns['MessageId'][:-2]}99"
    return event


def test_alarm_then_insufficient_data_then_ok_still_resolves_the_page(rt, apis, clock):
    invoke(load_event("sns-alarm-single-metric.json"))
    clock.advance(60)
    invoke(load_event("sns-alarm-insufficient-data.json"))
    clock.advance(1200)
    result = invoke(load_event("sns-alarm-ok.json"))
    assert result["alerts"][0]["decision"] == "deliver"
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger", "resolve"]
    assert apis.slack_updates[-1]["blocks"][0]["text"]["text"] == "✅ Resolved: EC2 disk space low"


def test_insufficient_data_is_news_for_rules_that_ask_for_it(rt, apis):
    # disk-space-low notifies INSUFFICIENT_DATA (the CloudWatch agent stopped): a grey Slack
    # message, no page, no SMS.
    result = invoke(load_event("sns-alarm-insufficient-data.json"))
    assert result["alerts"][0]["decision"] == "deliver"
    (post,) = apis.slack_posts
    assert post["channel"] == "#incidents-critical"
    assert post["attachments"][0]["color"] == "#9E9E9E"
    assert apis.pagerduty == [] and sms_sent() == []


def test_insufficient_data_of_other_rules_alone_is_held_back(rt, apis):
    alarm = "harborlist-prod-high-cpu-usage-harborlist-web-asg"
    result = invoke(_insufficient_data_event(alarm))
    assert result["alerts"][0]["rule"] == "high-cpu-usage"
    assert result["alerts"][0]["decision"] == "not-notified"
    assert apis.requests == []
