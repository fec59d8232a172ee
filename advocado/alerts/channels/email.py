"""Email channel: the alert as a plain-text email over SMTP (STARTTLS, TLS or, on trusted networks, plain)."""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from advocado.alerts.channels.base import AlertMessage, Channel, ChannelParams, SendOptions
from advocado.alerts.errors import DeliveryFailed, DeliveryRefused
from collectors import check_addresses
from collectors.errors import AddressRefused


class EmailParams(ChannelParams):
    host: str
    port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if "@" not in value or any(c in value for c in "\r\n"):
            raise ValueError("the sender must be one email address")
        return value

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        for address in value:
            if "@" not in address or any(c in address for c in "\r\n,"):
                raise ValueError(f"not one email address: {address!r}")
        return value


def _guarded_socket(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    """Resolve once, refuse special-purpose addresses (the collectors' guard), connect to the checked address."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not allow_private:
        check_addresses(host, addresses)
    return socket.create_connection((str(addresses[0]), port), timeout)


class _GuardedSMTP(smtplib.SMTP):
    allow_private = False

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:  # type: ignore[override]
        return _guarded_socket(host, port, timeout, self.allow_private)


class _GuardedSMTPSSL(smtplib.SMTP_SSL):
    allow_private = False

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:  # type: ignore[override]
        raw = _guarded_socket(host, port, timeout, self.allow_private)
        return self.context.wrap_socket(raw, server_hostname=host)  # type: ignore[attr-defined]


def build_email(message: AlertMessage, params: EmailParams) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = f"[Advocado] {message.title}"[:200].replace("\r", " ").replace("\n", " ")
    email["From"] = params.sender
    email["To"] = ", ".join(params.recipients)
    email["Date"] = formatdate(message.created_at.timestamp())
    email["Message-ID"] = make_msgid(idstring=message.key.replace("..", "-"))
    email["X-Advocado-Delivery"] = message.key
    email.set_content(f"{message.text}\n\nBrand: {message.brand}\nRule: {message.rule}\nWindow: {message.window}\n")
    return email


class Email(Channel):
    """Send the alert as a plain-text email through an SMTP server."""

    kind = "email"
    Params = EmailParams

    async def send(self, message: AlertMessage, params: EmailParams, options: SendOptions) -> None:
        await asyncio.to_thread(self._send, build_email(message, params), params, options)

    def _send(self, email: EmailMessage, params: EmailParams, options: SendOptions) -> None:
        factory: Any = _GuardedSMTPSSL if params.security == "tls" else _GuardedSMTP
        kwargs: dict[str, Any] = {"timeout": options.timeout}
        if params.security == "tls":
            kwargs["context"] = ssl.create_default_context()
        try:
            client = factory(**kwargs)
            client.allow_private = options.allow_private_networks
            with client:
                client.connect(params.host, params.port)
                if params.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if params.username and params.password:
                    client.login(params.username, params.password.get_secret_value())
                client.send_message(email)
        except AddressRefused as error:
            raise DeliveryRefused(str(error)) from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPNotSupportedError) as error:
            raise DeliveryRefused(f"the SMTP server refused: {error}") from None
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise DeliveryFailed(f"the SMTP server answered {error.smtp_code} (try later)") from None
            raise DeliveryRefused(f"the SMTP server answered {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"SMTP connection failed: {error or type(error).__name__}") from None
