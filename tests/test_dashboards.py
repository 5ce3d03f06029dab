"""Dashboards: the seed's widgets, CloudWatch's body rules, thresholds from the catalog."""

from __future__ import annotations

import re

from components.offline import run_stack

NS = "harborlist-monitoring"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def bodies(graph):
    return {d.name: d.json_input("dashboardBody") for d in graph.of_type(DASHBOARD)}


def titles(body):
    return [w["properties"].get("title") for w in body["widgets"]]


def test_prod_has_executive_and_operations_dashboards_dev_only_operations(prod_graph, dev_graph):
    assert set(bodies(prod_graph)) == {"harborlist-prod-executive", "harborlist-prod-operations"}
    assert set(bodies(dev_graph)) == {"harborlist-dev-operations"}
    assert prod_graph.output("dashboardUrls") == {
        p: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards/dashboard/harborlist-prod-{p}"
        for p in ("executive", "operations")
    }


def test_executive_widgets_as_in_the_design(prod_graph):
    body = bodies(prod_graph)["harborlist-prod-executive"]
    assert titles(body)[:4] == [
        "Revenue Streams",
        "Active Users",
        "Platform Usage",
        "Conversion Rates (daily)",
    ]
    revenue = body["widgets"][0]["properties"]
    assert [m[3] for m in revenue["metrics"]] == ["Platform", "Commission", "Subscription"]
    assert revenue["period"] == 3600 and revenue["stat"] == "Sum"
    users = body["widgets"][1]["properties"]
    assert [m[3] for m in users["metrics"]] == ["Daily", "Weekly", "Monthly"]
    assert users["period"] == 86400


def test_conversion_rates_are_metric_math_over_the_funnel(prod_graph):
    body = bodies(prod_graph)["harborlist-prod-executive"]
    widget = next(w for w in body["widgets"] if w["properties"]["title"].startswith("Conversion"))
    rows = widget["properties"]["metrics"]
    expressions = [r[0]["expression"] for r in rows if isinstance(r[0], dict)]
    assert expressions == [
        "100 * listings / registrations",
        "100 * contacts / listings",
        "100 * contacts / registrations",
    ]
    counted = {r[1]: r[2]["id"] for r in rows if isinstance(r[0], str)}
    assert counted == {
        "UserRegistrations": "registrations",
        "ListingCreations": "listings",
        "ContactRequests": "contacts",
    }


def test_operations_response_times_axis_and_threshold_lines(prod_graph):
    body = bodies(prod_graph)["harborlist-prod-operations"]
    props = body["widgets"][0]["properties"]
    assert props["title"] == "Response Times (ms)"
    assert props["yAxis"] == {"left": {"min": 0, "max": 2000}}
    lines = {a["label"]: a["value"] for a in props["annotations"]["horizontal"]}
    assert lines == {"api-latency-high (1000)": 1000, "response-time-degraded (2000)": 2000}


def test_threshold_lines_follow_stack_configuration(stack_variant):
    graph = run_stack(
        "prod",
        stack_variant("prod", lambda c: c[f"{NS}:thresholds"]["apiGateway"].update(latencyMs=750)),
    )
    props = bodies(graph)["harborlist-prod-operations"]["widgets"][0]["properties"]
    assert {"label": "api-latency-high (750)", "value": 750, "color": "#ff7f0e"} in props[
        "annotations"
    ]["horizontal"]


def test_every_dashboard_has_an_alarm_status_widget_of_real_alarms(graph):
    alarm_arns = {
        r.outputs["arn"]
        for r in graph.resources
        if r.type.startswith("aws:cloudwatch/") and "Alarm" in r.type
    }
    for name, body in bodies(graph).items():
        status = [w for w in body["widgets"] if w["type"] == "alarm"]
        assert status, name
        for w in status:
            assert set(w["properties"]["alarms"]) <= alarm_arns
            assert 1 <= len(w["properties"]["alarms"]) <= 100


def test_dashboards_within_cloudwatch_limits(graph):
    for name, body in bodies(graph).items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name)
        widgets = body["widgets"]
        assert len(widgets) <= 500
        cells = set()
        total_metrics = 0
        for w in widgets:
            assert 0 <= w["x"] <= 23 and 1 <= w["width"] <= 24 and w["x"] + w["width"] <= 24
            assert (w["width"], w["height"]) == (12, 6)
            for dx in range(w["width"]):
                for dy in range(w["height"]):
                    cell = (w["x"] + dx, w["y"] + dy)
                    assert cell not in cells, f"{name}: widgets overlap at {cell}"
                    cells.add(cell)
            props = w["properties"]
            if w["type"] == "metric":
                metrics = props["metrics"]
                assert 1 <= len(metrics) <= 500
                total_metrics += len(metrics)
                assert props["period"] % 60 == 0
                assert props["region"] == "us-east-1"
                first = metrics[0]
                assert first[0] not in (".", "..."), "'.'/'...' never in the first row"
                ids = [r[-1]["id"] for r in metrics if isinstance(r[-1], dict) and "id" in r[-1]]
                assert all(re.fullmatch(r"[a-z][a-zA-Z0-9_]*", i) for i in ids)
                assert len(ids) == len(set(ids))
        assert total_metrics <= 2500


def test_dashboards_in_two_columns_of_twelve(prod_graph):
    body = bodies(prod_graph)["harborlist-prod-operations"]
    assert [(w["x"], w["y"]) for w in body["widgets"][:4]] == [(0, 0), (12, 0), (0, 6), (12, 6)]
