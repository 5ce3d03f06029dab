"""The alarm catalog as deployed: thresholds, windows, actions and CloudWatch's limits."""

from __future__ import annotations

import re

import pytest

from components import catalog
from components.offline import run_stack

NS = "harborlist-monitoring"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "arn:aws:sns:us-east-1:123456789012:harborlist-{stack}-alerts-{severity}"
VALID_MISSING = {"breaching", "notBreaching", "ignore", "missing"}
METRIC_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")


def catalog_alarms(graph, type_=METRIC_ALARM):
    """Alarms built from the catalog (the router's own alarms are tested with the router)."""
    watchdog = {r.urn for r in graph.resources if r.type == "harborlist:monitoring:RouterWatchdog"}
    return [r for r in graph.of_type(type_) if r.parent not in watchdog]


def alarm(graph, name):
    return graph.by_name(f"harborlist-{graph.stack}-{name}")


def topic(graph, severity):
    return TOPIC.format(stack=graph.stack, severity=severity.lower())


# (alarm name suffix, metric, threshold, period, evaluation periods, comparison)
SEED_ALARMS = [
    ("high-cpu-usage-harborlist-prod-web", "CPUUtilization", 80, 300, 2, "GreaterThanThreshold"),
    (
        "memory-usage-high-harborlist-prod-web",
        "mem_used_percent",
        85,
        300,
        3,
        "GreaterThanThreshold",
    ),
    ("disk-space-low-harborlist-prod-web", "disk_used_percent", 90, 600, 1, "GreaterThanThreshold"),
    (
        "db-connections-high-harborlist-db",
        "DatabaseConnections",
        80,
        300,
        2,
        "GreaterThanThreshold",
    ),
    ("db-read-latency-high-harborlist-db", "ReadLatency", 0.2, 300, 3, "GreaterThanThreshold"),
    ("db-write-latency-high-harborlist-db", "WriteLatency", 0.2, 300, 3, "GreaterThanThreshold"),
    (
        "db-storage-low-harborlist-db",
        "FreeStorageSpace",
        2_000_000_000,
        600,
        1,
        "LessThanThreshold",
    ),
    ("api-latency-high-HarborListAPI", "Latency", 1000, 300, 3, "GreaterThanThreshold"),
    ("response-time-degraded-HarborListAPI", "Latency", 2000, 60, 3, "GreaterThanThreshold"),
    ("lambda-duration-high-listingSearch", "Duration", 10_000, 300, 2, "GreaterThanThreshold"),
    ("lambda-errors-listingSearch", "Errors", 1, 300, 1, "GreaterThanOrEqualToThreshold"),
    ("lambda-throttles-listingSearch", "Throttles", 1, 300, 1, "GreaterThanOrEqualToThreshold"),
    ("user-registration-stopped", "UserRegistrations", 1, 1800, 1, "LessThanThreshold"),
]


@pytest.mark.parametrize(
    ("name", "metric", "threshold", "period", "evaluations", "comparison"),
    SEED_ALARMS,
    ids=[a[0] for a in SEED_ALARMS],
)
def test_seed_alarm_exact_rule(
    prod_graph, name, metric, threshold, period, evaluations, comparison
):
    a = alarm(prod_graph, name)
    assert a.input("metricName") == metric
    assert a.input("threshold") == threshold
    assert a.input("period") == period
    assert a.input("evaluationPeriods") == evaluations
    assert a.input("datapointsToAlarm") == evaluations
    assert a.input("comparisonOperator") == comparison


def test_dynamodb_seed_alarms_read_the_per_table_and_per_operation_metrics(prod_graph):
    throttling = alarm(prod_graph, "dynamodb-throttling-harborlist-users")
    assert (
        throttling.input("threshold"),
        throttling.input("evaluationPeriods"),
        throttling.input("comparisonOperator"),
    ) == (1, 1, "GreaterThanOrEqualToThreshold")
    queries = {q["id"]: q for q in throttling.input("metricQueries")}
    assert {q["metric"]["metricName"] for q in queries.values() if "metric" in q} == {
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    }
    assert queries["reads"]["metric"]["period"] == 300
    assert queries["reads"]["metric"]["dimensions"] == {"TableName": "harborlist-users"}

    latency = alarm(prod_graph, "dynamodb-latency-high-harborlist-users")
    assert (latency.input("threshold"), latency.input("evaluationPeriods")) == (100, 3)
    queries = {q["id"]: q for q in latency.input("metricQueries")}
    assert queries["getItem"]["metric"]["dimensions"] == {
        "TableName": "harborlist-users",
        "Operation": "GetItem",
    }
    assert queries["result"]["expression"] == "MAX([getItem, query, putItem, updateItem])"

    errors = alarm(prod_graph, "dynamodb-system-errors-harborlist-users")
    operations = {
        q["metric"]["dimensions"]["Operation"]
        for q in errors.input("metricQueries")
        if "metric" in q
    }
    assert {"GetItem", "Query", "PutItem", "UpdateItem", "TransactWriteItems"} <= operations


def test_api_error_rate_is_metric_math_in_percent(prod_graph):
    a = alarm(prod_graph, "api-error-rate-high-HarborListAPI")
    queries = {q["id"]: q for q in a.input("metricQueries")}
    assert queries["result"]["expression"] == "100 * errors / requests"
    assert queries["errors"]["metric"]["metricName"] == "5XXError"
    assert queries["requests"]["metric"]["metricName"] == "Count"
    assert queries["errors"]["metric"]["dimensions"] == {
        "ApiName": "HarborListAPI",
        "Stage": "prod",
    }
    assert a.input("threshold") == 5
    assert (a.input("period") if "period" in a.inputs else None) is None
    assert queries["errors"]["metric"]["period"] == 300
    assert a.input("evaluationPeriods") == 2


def test_consumed_capacity_only_for_provisioned_tables(prod_graph, prod_settings):
    provisioned = {
        t.name for t in prod_settings.watch.dynamodb_tables if t.billing_mode == "PROVISIONED"
    }
    alarms = [
        r for r in catalog_alarms(prod_graph) if r.input("tags")["rule"] == "dynamodb-capacity-high"
    ]
    assert {
        r.name.removeprefix("harborlist-prod-dynamodb-capacity-high-") for r in alarms
    } == provisioned
    queries = {q["id"]: q for q in alarms[0].input("metricQueries")}
    assert queries["rp"]["metric"]["metricName"] == "ProvisionedReadCapacityUnits"
    assert "PERIOD(rc)" in queries["result"]["expression"]


def test_revenue_drop_uses_anomaly_detection_band(prod_graph):
    a = alarm(prod_graph, "revenue-drop")
    assert a.input("comparisonOperator") == "LessThanLowerThreshold"
    assert a.input("thresholdMetricId") == "band"
    assert "threshold" not in a.inputs
    queries = {q["id"]: q for q in a.input("metricQueries")}
    assert queries["band"]["expression"] == "ANOMALY_DETECTION_BAND(revenue, 2)"
    assert queries["revenue"]["metric"]["period"] == 3600
    assert a.input("treatMissingData") == "breaching"


def test_application_alarms_read_the_platforms_own_namespace(prod_graph):
    errors = alarm(prod_graph, "application-errors-high-listingSearch")
    assert (errors.input("namespace"), errors.input("metricName")) == (
        "HarborList/Application",
        "FunctionErrors",
    )
    assert errors.input("dimensions") == {"FunctionName": "listingSearch"}
    assert errors.input("threshold") == 5
    scans = alarm(prod_graph, "dynamodb-scan-slow-harborlist-listings")
    assert scans.input("metricName") == "OperationDuration"
    assert scans.input("extendedStatistic") == "p90"
    assert scans.input("dimensions") == {
        "TableName": "harborlist-listings",
        "Operation": "Scan",
        "Status": "SUCCESS",
    }
    assert (scans.input("threshold"), scans.input("datapointsToAlarm")) == (2000, 2)


def test_registrations_stopped_treats_missing_data_as_breaching(prod_graph):
    a = alarm(prod_graph, "user-registration-stopped")
    assert a.input("treatMissingData") == "breaching"
    assert a.input("namespace") == "HarborList/Business"


def test_aws_recommended_alarms_where_the_seed_is_silent(prod_graph):
    rules = {r.input("tags")["rule"] for r in catalog_alarms(prod_graph)}
    assert {
        "instance-status-check-failed",
        "lambda-concurrency-high",
        "api-client-error-rate-high",
        "dynamodb-system-errors",
        "db-cpu-high",
        "db-memory-low",
    } <= rules


def test_every_catalog_rule_is_deployed_in_prod(prod_graph):
    rules = {r.input("tags")["rule"] for r in catalog_alarms(prod_graph)}
    assert rules == {r.rule for r in catalog.RULES}


def notifying_alarms(graph):
    """Alarms people hear from: composites, and metric alarms not muted by system-down."""
    wrapped = {r.name.removesuffix("-notify") for r in graph.of_type(COMPOSITE)}
    return [r for r in catalog_alarms(graph) if r.name not in wrapped] + graph.of_type(COMPOSITE)


def test_every_notifying_alarm_sends_alarm_and_ok_to_its_severity_topic(graph):
    for a in notifying_alarms(graph):
        expected = [topic(graph, a.input("tags")["severity"])]
        assert a.input("alarmActions") == expected, a.name
        assert a.input("okActions") == expected, a.name


def test_insufficient_data_notifies_where_it_matters(prod_graph):
    memory = alarm(prod_graph, "memory-usage-high-harborlist-prod-web")
    assert memory.input("insufficientDataActions") == [topic(prod_graph, "HIGH")]
    cpu = alarm(prod_graph, "high-cpu-usage-harborlist-prod-web")
    assert cpu.input("insufficientDataActions") == []


def test_system_down_is_one_critical_page_over_its_children(prod_graph):
    down = alarm(prod_graph, "system-down")
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:harborlist-prod-{}-HarborListAPI"
    assert down.input("alarmRule") == (
        f'ALARM("{arn.format("api-health-check-failed")}") OR '
        f'(ALARM("{arn.format("api-error-rate-high")}") AND '
        f'ALARM("{arn.format("api-latency-high")}"))'
    )
    assert down.input("alarmActions") == [topic(prod_graph, "CRITICAL")]


def test_children_notify_only_through_wrappers_muted_by_system_down(prod_graph):
    children = [
        "api-error-rate-high",
        "api-latency-high",
        "response-time-degraded",
        "api-health-check-failed",
    ]
    for rule in children:
        child = alarm(prod_graph, f"{rule}-HarborListAPI")
        assert child.input("alarmActions") == [] and child.input("okActions") == []
        wrapper = alarm(prod_graph, f"{rule}-HarborListAPI-notify")
        assert wrapper.input("alarmRule") == f'ALARM("{child.outputs["arn"]}")'
        assert wrapper.input("actionsSuppressor") == {
            "alarm": "harborlist-prod-system-down",
            "waitPeriod": 120,
            "extensionPeriod": 300,
        }
        assert wrapper.input("alarmActions") == [
            topic(prod_graph, wrapper.input("tags")["severity"])
        ]


def test_health_check_watches_the_configured_url(prod_graph):
    check = prod_graph.of_type("aws:route53/healthCheck:HealthCheck")[0]
    assert check.input("fqdn") == "api.harborlist.com"
    assert check.input("resourcePath") == "/health"
    assert check.input("type") == "HTTPS"
    assert len(check.input("regions")) >= 3
    a = alarm(prod_graph, "api-health-check-failed-HarborListAPI")
    assert a.input("dimensions") == {"HealthCheckId": check.id}
    assert a.input("namespace") == "AWS/Route53"


def test_names_descriptions_and_tags(graph):
    for a in catalog_alarms(graph) + graph.of_type(COMPOSITE):
        name = a.input("name") if a.type == METRIC_ALARM else a.input("alarmName")
        tags = a.input("tags")
        assert name == a.name
        assert 1 <= len(name) <= 255
        assert name.startswith(f"harborlist-{graph.stack}-{tags['rule']}")
        assert set(tags) == {"stack", "rule", "severity", "team"}
        assert tags["stack"] == graph.stack and tags["severity"] in catalog.SEVERITIES
        description = a.input("alarmDescription")
        assert len(description) <= 1024
        assert description.endswith(
            f"Runbook: https://github.com/harborlist/harborlist-monitoring/blob/main/docs/"
            f"runbooks/{tags['rule']}.md"
        )


def test_description_says_what_is_wrong_and_the_threshold(prod_graph):
    a = alarm(prod_graph, "high-cpu-usage-harborlist-prod-web")
    assert a.input("alarmDescription").startswith(
        "[HIGH] EC2 CPU utilisation high on harborlist-prod-web. EC2 CPU utilisation is above "
        "80 % (2 of 2 periods of 5 min)."
    )


def _valid_period(p):
    return p in (10, 20, 30) or (p >= 60 and p % 60 == 0)


def test_every_alarm_within_cloudwatch_limits(graph):
    for a in catalog_alarms(graph):
        i = a.inputs
        for actions in ("alarmActions", "okActions", "insufficientDataActions"):
            assert len(i.get(actions, [])) <= 5
        assert i["treatMissingData"] in VALID_MISSING
        assert i["datapointsToAlarm"] <= i["evaluationPeriods"]
        assert not ("statistic" in i and "extendedStatistic" in i)
        anomaly = i["comparisonOperator"] in (
            "LessThanLowerThreshold",
            "GreaterThanUpperThreshold",
            "LessThanLowerOrGreaterThanUpperThreshold",
        )
        assert anomaly == ("thresholdMetricId" in i), a.name
        if "metricQueries" in i:
            queries = i["metricQueries"]
            assert not {"metricName", "namespace", "dimensions", "period", "statistic"} & set(i)
            assert len(queries) <= 10
            assert all(METRIC_ID.match(q["id"]) for q in queries)
            returned = [q["id"] for q in queries if q["returnData"]]
            if anomaly:
                # Anomaly alarms return the metric and its band; the band is the threshold.
                assert i["thresholdMetricId"] in returned and len(returned) == 2
            else:
                assert len(returned) == 1, a.name
            periods = {q["metric"]["period"] for q in queries if "metric" in q}
            assert len(periods) == 1
            period = periods.pop()
        else:
            period = i["period"]
            assert ("statistic" in i) != ("extendedStatistic" in i)
            assert len(i.get("dimensions") or {}) <= 30
        assert _valid_period(period), a.name
        limit = 86_400 if period < 3600 else 604_800
        assert period * i["evaluationPeriods"] <= limit, a.name


def test_threshold_override_in_stack_configuration_changes_the_alarm(stack_variant):
    def edit(config):
        config[f"{NS}:thresholds"]["ec2"]["cpuPercent"] = 65
        config[f"{NS}:alarms"] = {
            "high-cpu-usage": {
                "evaluationPeriods": 4,
                "datapointsToAlarm": 3,
                "severity": "CRITICAL",
            }
        }

    graph = run_stack("prod", stack_variant("prod", edit))
    a = alarm(graph, "high-cpu-usage-harborlist-prod-web")
    assert a.input("threshold") == 65
    assert a.input("evaluationPeriods") == 4
    assert a.input("datapointsToAlarm") == 3
    assert a.input("alarmActions") == [topic(graph, "CRITICAL")]
    assert a.input("tags")["severity"] == "CRITICAL"


def test_disabling_a_rule_removes_its_alarms(stack_variant):
    graph = run_stack(
        "prod",
        stack_variant(
            "prod",
            lambda c: c.update({f"{NS}:alarms": {"lambda-duration-high": {"enabled": False}}}),
        ),
    )
    assert not [
        r for r in catalog_alarms(graph) if r.input("tags")["rule"] == "lambda-duration-high"
    ]


def test_dev_and_prod_differ_as_configured(dev_graph, prod_graph):
    dev_rules = {r.input("tags")["rule"] for r in catalog_alarms(dev_graph)}
    assert not {"revenue-drop", "user-registration-stopped"} & dev_rules
    assert alarm(dev_graph, "high-cpu-usage-harborlist-dev-web").input("threshold") == 90
    disk = alarm(dev_graph, "disk-space-low-harborlist-dev-web")
    assert disk.input("alarmActions") == [topic(dev_graph, "HIGH")]
    assert len(catalog_alarms(dev_graph)) < len(catalog_alarms(prod_graph))


def test_alarms_are_grouped_in_components(prod_graph):
    groups = {r.urn: r.type for r in prod_graph.resources if not r.custom}
    parents = {groups[a.parent] for a in catalog_alarms(prod_graph)}
    assert parents == {
        "harborlist:monitoring:InfrastructureAlarms",
        "harborlist:monitoring:ApplicationAlarms",
        "harborlist:monitoring:BusinessAlarms",
    }


def test_outside_us_east_1_system_down_uses_the_api_pair(stack_variant):
    graph = run_stack(
        "prod", stack_variant("prod", lambda c: c.update({"aws:region": "eu-west-2"}))
    )
    assert not graph.of_type("aws:route53/healthCheck:HealthCheck")
    down = graph.by_name("harborlist-prod-system-down")
    assert "health-check" not in down.input("alarmRule")
    assert " AND " in down.input("alarmRule")
