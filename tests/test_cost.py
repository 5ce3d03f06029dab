"""The monthly cost estimate counts what CloudWatch bills for, from the graph."""

from __future__ import annotations

from components.cost import alarm_metric_units, monthly_cost


def test_alarm_metric_units_per_alarm_kind(prod_graph):
    def units(name):
        return alarm_metric_units(prod_graph.by_name(f"harborlist-prod-{name}").inputs)

    assert units("high-cpu-usage-harborlist-prod-web") == 1
    assert units("api-error-rate-high-HarborListAPI") == 2  # 5XXError and Count
    assert units("dynamodb-capacity-high-harborlist-listings") == 4
    assert units("revenue-drop") == 3  # the metric and both band edges


def test_prod_cost_lines_match_the_graph(prod_graph):
    lines = {line.item.split(" (")[0]: line for line in monthly_cost(prod_graph)}
    metric_alarms = prod_graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    expected_units = sum(alarm_metric_units(a.inputs) for a in metric_alarms)
    assert lines["standard alarm metrics"].quantity == expected_units
    assert lines["composite alarms"].quantity == 5
    assert lines["composite alarms"].total == 2.50
    assert lines["dashboards"].quantity == 2
    assert lines["Route 53 health checks"].quantity == 1
