"""Alerts: rules over the opinion detectors, channels (webhook, Slack, email) and the delivery outbox.

- `RULES` / `RULE_HELP`: the rule names `advocado alert add --rule` accepts;
- `CHANNELS`, `channel_kind(kind)`: channel kinds, each with typed `Params` and `masked()`;
- `run_check(db, options)`: evaluate every rule and deliver what is due (`advocado alert check`);
  `check_rules` and `deliver_due` are its two halves, for a scheduler that wants them apart.
"""

from advocado.alerts.channels import CHANNELS, AlertMessage, Channel, SendOptions, channel_kind
from advocado.alerts.errors import AlertError, DeliveryFailed, DeliveryRefused, InvalidChannel
from advocado.alerts.outbox import CheckReport, RetryPolicy, check_rules, deliver_due, run_check
from advocado.alerts.rules import RULE_HELP, RULES, Finding, evaluate

__all__ = [
    "CHANNELS", "RULES", "RULE_HELP", "AlertError", "AlertMessage", "Channel", "CheckReport", "DeliveryFailed",
    "DeliveryRefused", "Finding", "InvalidChannel", "RetryPolicy", "SendOptions", "channel_kind", "check_rules",
    "deliver_due", "evaluate", "run_check",
]
