"""Every request an alert leads to, rendered but not sent (pure).

Plans never hold secrets: the PagerDuty routing key reads ``[secret]`` and the
Slack token is not part of a body; ``deliver.py`` puts the real values in at send time. The dry
run prints plans as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alert_router import mail, pagerduty, slack, sms
from alert_router.config import Channel
from alert_router.enrich import Enriched
from alert_router.routing import KIND_EMAIL, KIND_PAGERDUTY, KIND_SLACK, KIND_SMS

SECRET = "[secret]"


@dataclass(frozen=True)
class Endpoints:
    pagerduty_url: str = pagerduty.DEFAULT_EVENTS_URL
    slack_api_url: str = slack.DEFAULT_API_URL


@dataclass(frozen=True)
class Delivery:
    """One request to one destination. ``unit`` is unique within a notification and is what
    per-channel success is recorded under (so a retry re-sends only what failed)."""

    unit: str
    channel: str  # pagerduty | slack | sms | email
    route: str  # the channel key in the routing config, e.g. slack-critical
    action: str  # trigger | resolve | acknowledge | post | update | publish | send
    method: str
    url: str | None
    body: dict[str, Any]
    target: str | None = None
    service: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "channel": self.channel,
            "route": self.route,
            "action": self.action,
            "method": self.method,
            "url": self.url,
            "body": self.body,
        }
        if self.target is not None:
            out["target"] = self.target
        return out


@dataclass(frozen=True)
class SlackRef:
    """Where an alert's Slack message lives, for ``chat.update``."""

    channel_id: str
    ts: str


def _kinds_for_state(state: str) -> tuple[str, ...]:
    # Recoveries resolve the page and turn the Slack message green; SMS and e-mail are not sent
    # again. INSUFFICIENT_DATA neither resolves nor pages: missing data is not a recovery.
    if state == "OK":
        return (KIND_PAGERDUTY, KIND_SLACK)
    if state == "INSUFFICIENT_DATA":
        return (KIND_SLACK,)
    return (KIND_PAGERDUTY, KIND_SLACK, KIND_SMS, KIND_EMAIL)


def plan(
    enriched: Enriched,
    channels: tuple[Channel, ...],
    *,
    endpoints: Endpoints,
    email_sender: str,
    slack_refs: dict[str, SlackRef] | None = None,
) -> list[Delivery]:
    """The deliveries for one alert over its routed channels, in channel order."""
    alert = enriched.alert
    wanted = _kinds_for_state(alert.state)
    refs = slack_refs or {}
    paged = any(c.kind == KIND_PAGERDUTY for c in channels)
    out: list[Delivery] = []
    for channel in channels:
        if channel.kind not in wanted:
            continue
        if channel.kind == KIND_PAGERDUTY:
            service = enriched.classification.pagerduty_service
            if alert.state == "ALARM":
                action, body = "trigger", pagerduty.trigger_event(enriched, SECRET)
            else:
                action = "resolve"
                body = pagerduty.action_event("resolve", alert.dedup_key, SECRET)
            out.append(
                Delivery(
                    channel.key,
                    KIND_PAGERDUTY,
                    channel.key,
                    action,
                    "POST",
                    endpoints.pagerduty_url,
                    body,
                    service=service,
                )
            )
        elif channel.kind == KIND_SLACK:
            for target in channel.targets:
                unit = f"{channel.key}/{target}"
                ref = refs.get(unit)
                if ref is not None and alert.state != "ALARM":
                    out.append(
                        Delivery(
                            unit,
                            KIND_SLACK,
                            channel.key,
                            "update",
                            "POST",
                            f"{endpoints.slack_api_url}/chat.update",
                            slack.update(enriched, ref.channel_id, ref.ts),
                            target=target,
                        )
                    )
                else:
                    out.append(
                        Delivery(
                            unit,
                            KIND_SLACK,
                            channel.key,
                            "post",
                            "POST",
                            f"{endpoints.slack_api_url}/chat.postMessage",
                            slack.message(enriched, target, paged=paged),
                            target=target,
                        )
                    )
        elif channel.kind == KIND_SMS:
            text = sms.text(enriched)
            for number in channel.targets:
                out.append(
                    Delivery(
                        f"{channel.key}/{number}",
                        KIND_SMS,
                        channel.key,
                        "publish",
                        "sns:Publish",
                        None,
                        {"PhoneNumber": number, "Message": text},
                        target=number,
                    )
                )
        elif channel.kind == KIND_EMAIL and channel.targets:
            body = {
                "Source": email_sender,
                "Destination": {"ToAddresses": list(channel.targets)},
                "Message": {
                    "Subject": {"Data": mail.subject(enriched), "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": mail.text_body(enriched), "Charset": "UTF-8"},
                        "Html": {"Data": mail.html_body(enriched), "Charset": "UTF-8"},
                    },
                },
            }
            out.append(
                Delivery(channel.key, KIND_EMAIL, channel.key, "send", "ses:SendEmail", None, body)
            )
    return out
