"""The router's one Secrets Manager secret, read once per container and cached. Values are
never logged: ``Secrets`` hides them in its repr."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class SecretsUnavailable(RuntimeError):
    """The secret could not be read or is not the documented JSON."""


@dataclass(frozen=True)
class Secrets:
    slack_bot_token: str = field(repr=False)
    slack_signing_secret: str = field(repr=False)
    pagerduty_routing_keys: dict[str, str] = field(repr=False)

    @classmethod
    def from_json(cls, text: str) -> Secrets:
        try:
            data = json.loads(text)
            return cls(
                slack_bot_token=str(data.get("slackBotToken", "")),
                slack_signing_secret=str(data.get("slackSigningSecret", "")),
                pagerduty_routing_keys={
                    str(k): str(v) for k, v in (data.get("pagerdutyRoutingKeys") or {}).items()
                },
            )
        except (ValueError, AttributeError, TypeError) as exc:
            # The exception text could contain the secret: never chain it.
            raise SecretsUnavailable(
                f"secret is not the documented JSON ({type(exc).__name__})"
            ) from None


class SecretsCache:
    """Reads the secret on first use, then serves it from memory for the container's life."""

    def __init__(self, secret_id: str, client_factory: Callable[[], Any]) -> None:
        self._secret_id = secret_id
        self._client_factory = client_factory
        self._value: Secrets | None = None

    def get(self) -> Secrets:
        if self._value is None:
            try:
                answer = self._client_factory().get_secret_value(SecretId=self._secret_id)
            except Exception as exc:
                raise SecretsUnavailable(f"cannot read secret: {type(exc).__name__}") from None
            self._value = Secrets.from_json(answer.get("SecretString") or "")
        return self._value
