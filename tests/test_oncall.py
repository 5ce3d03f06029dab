"""PagerDuty as code: what prod creates from configuration, and a dev stack without it."""

from __future__ import annotations

import json

from components.routing_config import build_routing_config

PD = "pagerduty:index/"


def by_type(graph, name):
    return graph.of_type(f"{PD}{name}")


def test_prod_creates_team_schedule_escalation_and_a_service_per_area(prod_graph, prod_settings):
    (team,) = by_type(prod_graph, "team:Team")
    assert team.input("name") == "HarborList Platform"
    (schedule,) = by_type(prod_graph, "schedule:Schedule")
    layer = schedule.input("layers")[0]
    assert layer["users"] == ["PHL0001", "PHL0002", "PHL0003", "PHL0004"]
    assert layer["rotationTurnLengthSeconds"] == 604800
    assert layer["start"] == "2026-12-07T09:00:00-05:00"
    assert schedule.input("timeZone") == "America/New_York"
    (policy,) = by_type(prod_graph, "escalationPolicy:EscalationPolicy")
    assert policy.input("numLoops") == 2
    rules = policy.input("rules")
    assert [r["escalationDelayInMinutes"] for r in rules] == [15, 30]
    assert rules[0]["targets"] == [{"type": "schedule_reference", "id": schedule.id}]
    assert rules[1]["targets"] == [{"type": "user_reference", "id": "PHL0009"}]
    services = {
        s.name.removeprefix("harborlist-prod-"): s for s in by_type(prod_graph, "service:Service")
    }
    assert set(services) == {"platform", "data", "business"}
    for service in services.values():
        assert service.input("escalationPolicy") == policy.id
        assert service.input("acknowledgementTimeout") == "1800"
        assert service.input("autoResolveTimeout") == "14400"
        assert service.input("incidentUrgencyRule") == {
            "type": "constant",
            "urgency": "severity_based",
        }
    (grouping,) = by_type(prod_graph, "alertGroupingSetting:AlertGroupingSetting")
    assert grouping.input("type") == "time"
    assert grouping.input("config") == {"timeout": 300}
    assert sorted(grouping.input("services")) == sorted(s.id for s in services.values())


def test_each_service_has_an_events_v2_integration(prod_graph):
    services = {s.id for s in by_type(prod_graph, "service:Service")}
    integrations = [
        i
        for i in by_type(prod_graph, "serviceIntegration:ServiceIntegration")
        if i.inputs.get("type") == "events_api_v2_inbound_integration"
    ]
    assert {i.input("service") for i in integrations} == services


def test_routing_keys_flow_as_secrets_into_the_router_secret(prod_graph):
    integrations = {
        i.input("service"): i
        for i in by_type(prod_graph, "serviceIntegration:ServiceIntegration")
        if i.inputs.get("type") == "events_api_v2_inbound_integration"
    }
    services = {
        s.name.removeprefix("harborlist-prod-"): s.id
        for s in by_type(prod_graph, "service:Service")
    }
    version = prod_graph.by_name("harborlist-prod-alert-router-secret-value")
    assert type(version.inputs["secretString"]).__name__ == "SecretInput"
    document = json.loads(version.input("secretString"))
    assert document["pagerdutyRoutingKeys"] == {
        key: integrations[service_id].outputs["integrationKey"].value
        for key, service_id in services.items()
    }


def test_maintenance_window_from_configuration(prod_graph):
    (window,) = by_type(prod_graph, "maintenanceWindow:MaintenanceWindow")
    data = prod_graph.by_name("harborlist-prod-data")
    assert window.input("services") == [data.id]
    assert window.input("startTime") == "2027-01-10T02:00:00-05:00"


def test_provider_token_is_a_secret(prod_graph):
    (provider,) = prod_graph.of_type("pulumi:providers:pagerduty")
    assert type(provider.inputs["token"]).__name__ == "SecretInput"


def test_dev_has_no_pagerduty_and_routes_critical_to_slack_and_email(dev_graph, dev_settings):
    assert not [
        r
        for r in dev_graph.resources
        if r.type.startswith("pagerduty:") or r.type == "pulumi:providers:pagerduty"
    ]
    config = build_routing_config(dev_settings)
    assert config["pagerduty"]["enabled"] is False
    assert config["severityChannels"]["CRITICAL"] == ["slack-critical", "email-leads"]
    assert "pagerduty" not in config["channels"]
    assert all("pagerduty" not in (r["channels"] or []) for r in config["rules"].values())
    secret = json.loads(
        dev_graph.by_name("harborlist-dev-alert-router-secret-value").input("secretString")
    )
    assert secret["pagerdutyRoutingKeys"] == {}
    assert dev_graph.output("pagerdutyServiceIds") == {}


def test_dev_preview_says_pagerduty_is_off(capsys):
    from components import preview

    assert preview.main(["--stack", "dev"]) == 0
    assert (
        "note: PagerDuty is off for this stack: nobody is paged; CRITICAL alerts go to "
        "slack-critical, email-leads"
    ) in capsys.readouterr().out


def test_prod_routes_critical_to_pagerduty(prod_settings):
    config = build_routing_config(prod_settings)
    assert config["severityChannels"]["CRITICAL"][0] == "pagerduty"
    assert config["rules"]["disk-space-low"]["channels"] == [
        "slack-critical",
        "pagerduty",
        "sms-oncall",
    ]
    assert config["rules"]["db-storage-low"]["pagerdutyService"] == "data"


def test_only_critical_pages_at_high_urgency(prod_graph):
    services = {s.id for s in by_type(prod_graph, "service:Service")}
    orchestrations = by_type(prod_graph, "eventOrchestrationService:EventOrchestrationService")
    assert {o.input("service") for o in orchestrations} == services
    for o in orchestrations:
        assert o.input("enableEventOrchestrationForService") is True
        (start,) = o.input("sets")
        (rule,) = start["rules"]
        assert rule["conditions"] == [{"expression": "event.severity matches 'error'"}]
        assert rule["actions"]["severity"] == "warning"
    # critical stays critical: severity-based urgency pages it high; warning and info are low.
    for service in by_type(prod_graph, "service:Service"):
        assert service.input("incidentUrgencyRule")["urgency"] == "severity_based"
