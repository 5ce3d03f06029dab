"""On-call as code: the PagerDuty team, schedule, escalation policy, services and integrations.

Each service (platform API, data stores, business) gets an Events API v2 integration; its
routing key is a Pulumi secret that flows only into the router's Secrets Manager secret. The
watchdog service also gets an Amazon CloudWatch integration, so alarms on the router itself
page through a path that does not depend on the router.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_pagerduty as pagerduty

from components.settings import PagerDutySettings, Secret

CLOUDWATCH_VENDOR = "Amazon CloudWatch"
CLOUDWATCH_ENDPOINT = "https://events.pagerduty.com/integration/{key}/enqueue"
# Events the router sends at "error" (HarborList HIGH) must not page at high urgency.
URGENCY_LOWERED = "event.severity matches 'error'"


@dataclass(frozen=True)
class OnCallArgs:
    prefix: str
    settings: PagerDutySettings
    api_token: Secret


class OnCall(pulumi.ComponentResource):
    """PagerDuty resources of one stack; only created where PagerDuty is enabled."""

    routing_keys: dict[str, pulumi.Output[str]]  # service key → Events API v2 routing key
    service_ids: dict[str, pulumi.Output[str]]
    cloudwatch_endpoint: pulumi.Output[str]  # for the router's watchdog topic

    def __init__(self, name: str, args: OnCallArgs, opts=None):
        super().__init__("harborlist:monitoring:OnCall", name, None, opts)
        s = args.settings
        provider = pagerduty.Provider(
            f"{args.prefix}-pagerduty",
            token=pulumi.Output.secret(args.api_token.reveal()),
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        team = pagerduty.Team(
            f"{args.prefix}-team",
            name=s.team_name,
            description=f"On-call for HarborList ({args.prefix})",
            opts=child,
        )
        schedule = pagerduty.Schedule(
            f"{args.prefix}-primary",
            name=f"{s.team_name} primary ({args.prefix})",
            time_zone=s.time_zone,
            teams=[team.id],
            layers=[
                pagerduty.ScheduleLayerArgs(
                    name=layer.name,
                    start=layer.start,
                    rotation_virtual_start=layer.rotation_virtual_start,
                    rotation_turn_length_seconds=layer.rotation_turn_length_seconds,
                    users=list(layer.users),
                )
                for layer in s.schedule_layers
            ],
            opts=child,
        )
        policy = pagerduty.EscalationPolicy(
            f"{args.prefix}-escalation",
            name=f"{s.team_name} escalation ({args.prefix})",
            num_loops=s.escalation_loops,
            teams=team.id,  # this provider version takes one team here
            rules=[
                pagerduty.EscalationPolicyRuleArgs(
                    escalation_delay_in_minutes=rule.delay_minutes,
                    targets=[
                        pagerduty.EscalationPolicyRuleTargetArgs(
                            type="schedule_reference" if kind == "schedule" else "user_reference",
                            id=schedule.id if kind == "schedule" else target,
                        )
                        for kind, target in rule.targets
                    ],
                )
                for rule in s.escalation_rules
            ],
            opts=child,
        )
        self.service_ids = {}
        self.routing_keys = {}
        services = {}
        for svc in s.services:
            service = pagerduty.Service(
                f"{args.prefix}-{svc.key}",
                name=svc.name,
                description=svc.description,
                escalation_policy=policy.id,
                acknowledgement_timeout=str(s.acknowledgement_timeout_seconds),
                auto_resolve_timeout=str(s.auto_resolve_timeout_seconds),
                alert_creation="create_alerts_and_incidents",
                # PagerDuty derives urgency from the alert's severity (critical and error: high;
                # warning and info: low); the orchestration below keeps "error" low.
                incident_urgency_rule=pagerduty.ServiceIncidentUrgencyRuleArgs(
                    type="constant", urgency="severity_based"
                ),
                opts=child,
            )
            # Urgency policy: only CRITICAL pages at high urgency. The router maps HIGH to
            # PagerDuty's "error", which severity-based urgency would page high; orchestration
            # (PagerDuty's own mechanism, applied before urgency is decided) lowers it to
            # "warning". The router's severity stays in the alert's custom_details.
            pagerduty.EventOrchestrationService(
                f"{args.prefix}-{svc.key}-urgency",
                service=service.id,
                enable_event_orchestration_for_service=True,
                sets=[
                    pagerduty.EventOrchestrationServiceSetArgs(
                        id="start",
                        rules=[
                            pagerduty.EventOrchestrationServiceSetRuleArgs(
                                label="Only CRITICAL pages at high urgency",
                                conditions=[
                                    pagerduty.EventOrchestrationServiceSetRuleConditionArgs(
                                        expression=URGENCY_LOWERED
                                    )
                                ],
                                actions=pagerduty.EventOrchestrationServiceSetRuleActionsArgs(
                                    severity="warning",
                                    annotate="HarborList HIGH alert: low urgency by policy",
                                ),
                            )
                        ],
                    )
                ],
                catch_all=pagerduty.EventOrchestrationServiceCatchAllArgs(
                    actions=pagerduty.EventOrchestrationServiceCatchAllActionsArgs()
                ),
                opts=child,
            )
            integration = pagerduty.ServiceIntegration(
                f"{args.prefix}-{svc.key}-events-v2",
                name="HarborList alert router (Events API v2)",
                service=service.id,
                type="events_api_v2_inbound_integration",
                opts=child,
            )
            services[svc.key] = service
            self.service_ids[svc.key] = service.id
            self.routing_keys[svc.key] = pulumi.Output.secret(integration.integration_key)
        # Alerts of one service within the window become one incident (the Service's own
        # alert_grouping_parameters is deprecated in favour of this resource).
        pagerduty.AlertGroupingSetting(
            f"{args.prefix}-alert-grouping",
            name=f"{args.prefix} time-based grouping",
            type="time",
            config=pagerduty.AlertGroupingSettingConfigArgs(timeout=s.alert_grouping_minutes * 60),
            services=[service.id for service in services.values()],
            opts=child,
        )
        vendor = pagerduty.get_vendor_output(
            name=CLOUDWATCH_VENDOR, opts=pulumi.InvokeOptions(parent=self, provider=provider)
        )
        watchdog = pagerduty.ServiceIntegration(
            f"{args.prefix}-router-watchdog-cloudwatch",
            name="Alert router health (CloudWatch, bypasses the router)",
            service=services["platform"].id,
            vendor=vendor.id,
            opts=child,
        )
        self.cloudwatch_endpoint = pulumi.Output.secret(
            watchdog.integration_key.apply(lambda key: CLOUDWATCH_ENDPOINT.format(key=key))
        )
        for i, window in enumerate(s.maintenance_windows):
            pagerduty.MaintenanceWindow(
                f"{args.prefix}-maintenance-{i}",
                start_time=window.start,
                end_time=window.end,
                description=window.description,
                services=[services[k].id for k in window.services],
                opts=child,
            )
        self.register_outputs({"serviceIds": self.service_ids})
