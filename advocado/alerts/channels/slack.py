"""Slack channel: a message to a Slack incoming webhook."""

from __future__ import annotations

import json

from pydantic import SecretStr, field_validator

from advocado.alerts.channels._http import check_url, post
from advocado.alerts.channels.base import AlertMessage, Channel, ChannelParams, SendOptions


class SlackParams(ChannelParams):
    url: SecretStr
    """The incoming-webhook URL (https://hooks.slack.com/services/...): anyone who has it can post."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        check_url(value.get_secret_value())
        return value


def slack_text(message: AlertMessage) -> str:
    # Slack reads <, > and & as markup in `text`; mention text is untrusted, so escape them.
    escaped = message.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    title = message.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"*{title}*\n{escaped}"


class Slack(Channel):
    """Post the alert to a Slack incoming webhook URL."""

    kind = "slack"
    Params = SlackParams

    async def send(self, message: AlertMessage, params: SlackParams, options: SendOptions) -> None:
        body = json.dumps({"text": slack_text(message), "unfurl_links": False}).encode()
        await post(params.url.get_secret_value(), body, {"Content-Type": "application/json"}, options)
