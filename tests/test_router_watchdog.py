"""Watching the watcher: the router's own alarms page without going through the router."""

from __future__ import annotations

WATCHDOG = "harborlist:monitoring:RouterWatchdog"


def watchdog_alarms(graph):
    (component,) = [r for r in graph.resources if r.type == WATCHDOG]
    return {
        a.input("tags")["rule"]: a
        for a in graph.children(component)
        if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
    }


def health_topic(graph):
    return graph.by_name(f"harborlist-{graph.stack}-router-health")


def test_router_alarms_notify_only_the_health_topic(graph):
    alarms = watchdog_alarms(graph)
    assert set(alarms) == {
        "router-errors",
        "router-throttles",
        "router-duration-near-timeout",
        "router-dead-letters",
        "router-delivery-failures",
        "router-heartbeat-missing",
    }
    topic_arn = health_topic(graph).outputs["arn"]
    for a in alarms.values():
        assert a.input("alarmActions") == [topic_arn]
        assert a.input("okActions") == [topic_arn]


def test_health_topic_reaches_pagerduty_cloudwatch_integration_and_email(prod_graph):
    topic_arn = health_topic(prod_graph).outputs["arn"]
    subs = [
        s
        for s in prod_graph.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.input("topic") == topic_arn
    ]
    by_protocol = {s.input("protocol"): s for s in subs}
    assert set(by_protocol) == {"https", "email"}
    cloudwatch = [
        i
        for i in prod_graph.of_type("pagerduty:index/serviceIntegration:ServiceIntegration")
        if "vendor" in i.inputs
    ]
    key = cloudwatch[0].outputs["integrationKey"].value
    assert by_protocol["https"].input("endpoint") == (
        f"https://events.pagerduty.com/integration/{key}/enqueue"
    )
    assert by_protocol["email"].input("endpoint") == "oncall@harborlist.com"


def test_dev_health_topic_goes_to_email_only(dev_graph):
    topic_arn = health_topic(dev_graph).outputs["arn"]
    subs = [
        s
        for s in dev_graph.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.input("topic") == topic_arn
    ]
    assert [(s.input("protocol"), s.input("endpoint")) for s in subs] == [
        ("email", "platform-dev@harborlist.com")
    ]


def test_heartbeat_absence_alarms(graph):
    a = watchdog_alarms(graph)["router-heartbeat-missing"]
    assert a.input("treatMissingData") == "breaching"
    assert (a.input("namespace"), a.input("metricName")) == ("HarborList/AlertRouter", "Heartbeat")
    assert a.input("dimensions") == {"Stack": graph.stack}
    assert a.input("comparisonOperator") == "LessThanThreshold"


def test_dead_letters_and_duration_near_timeout(graph, request):
    settings = request.getfixturevalue(f"{graph.stack}_settings")
    alarms = watchdog_alarms(graph)
    dlq = alarms["router-dead-letters"]
    assert dlq.input("dimensions") == {"QueueName": f"harborlist-{graph.stack}-alert-router-dlq"}
    assert dlq.input("threshold") == 0 and dlq.input("comparisonOperator") == (
        "GreaterThanThreshold"
    )
    duration = alarms["router-duration-near-timeout"]
    assert duration.input("threshold") == 0.8 * settings.router.timeout_seconds * 1000


def test_delivery_failures_add_up_every_channel(graph):
    a = watchdog_alarms(graph)["router-delivery-failures"]
    queries = {q["id"]: q for q in a.input("metricQueries")}
    assert queries["failures"]["expression"] == (
        "SUM([FILL(pagerduty, 0), FILL(slack, 0), FILL(sms, 0), FILL(email, 0)])"
    )
    assert queries["slack"]["metric"]["dimensions"] == {"Stack": graph.stack, "Channel": "slack"}
    assert [q["id"] for q in queries.values() if q["returnData"]] == ["failures"]
