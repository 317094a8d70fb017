"""Notifications: enqueued with the change that causes them, delivered in the background.

A service adds the tables to its metadata (:func:`notification_tables`), mixes
:class:`NotifySettings` into its settings, renders :class:`Templates` from its package, calls
:meth:`Notifier.enqueue` in the transaction of the change and runs :meth:`Notifier.dispatcher`
(and optionally a :class:`DigestJob`) in its lifespan. A notification counts only once
delivered; the settle hook hears of every outcome exactly once.
"""

from pacbot.common.notify.addresses import is_email, owner_from_tags
from pacbot.common.notify.channels import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    DeliveryError,
    EmailChannel,
    Notification,
    Permanent,
    Retryable,
    SlackChannel,
    SmtpConfig,
    WebhookChannel,
    sign,
    verify_signature,
)
from pacbot.common.notify.digest import DigestJob
from pacbot.common.notify.notifier import (
    Dispatcher,
    DispatchPass,
    Notifier,
    Settled,
    SettleHook,
)
from pacbot.common.notify.settings import NotifySettings
from pacbot.common.notify.tables import notification_tables
from pacbot.common.notify.templates import Rendered, TemplateError, Templates

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Channel",
    "DeliveryError",
    "DigestJob",
    "DispatchPass",
    "Dispatcher",
    "EmailChannel",
    "Notification",
    "Notifier",
    "NotifySettings",
    "Permanent",
    "Rendered",
    "Retryable",
    "SettleHook",
    "Settled",
    "SlackChannel",
    "SmtpConfig",
    "TemplateError",
    "Templates",
    "WebhookChannel",
    "is_email",
    "notification_tables",
    "owner_from_tags",
    "sign",
    "verify_signature",
]
