"""Email over SMTP (``FLEETLINE_SMTP_URL``).

URL forms: ``smtp://user:pass@host:port`` (plain, port 25 by default),
``smtp://...?starttls=1`` (upgraded with STARTTLS) and ``smtps://...`` (TLS from the
start, port 465 by default). Each message is multipart (text, and HTML when the
notification has it), with ``Message-ID: <{id}@fleetline>`` and
``X-Fleetline-Notification: {id}``, so a mail system can drop a duplicate.

A connection is opened on the first send and reused for the rest of a batch; the
dispatcher closes it after each batch.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from fleetline.comms.channels.base import PermanentFailure, TransientFailure
from fleetline.domain.messages import Notification
from fleetline.domain.model import Channel

SMTP_TIMEOUT_S = 10.0
"""How long one SMTP exchange may wait for the server."""


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to reach the SMTP server, parsed from ``FLEETLINE_SMTP_URL``."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False
    """TLS from the first byte (``smtps://``)."""
    starttls: bool = False
    """Upgrade a plain connection with STARTTLS (``?starttls=1``)."""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse ``smtp://user:pass@host:port[?starttls=1]`` or ``smtps://...``.

        Raises
        ------
        ValueError
            The URL's scheme is not ``smtp`` or ``smtps``, or it names no host.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"FLEETLINE_SMTP_URL must start with smtp:// or smtps://: {url!r}")
        if not parts.hostname:
            raise ValueError(f"FLEETLINE_SMTP_URL names no host: {url!r}")
        tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            starttls=starttls and not tls,
        )


def compose(notification: Notification, sender: str) -> EmailMessage:
    """Build the email of a notification: text, HTML alternative, idempotency headers.

    Parameters
    ----------
    notification
        The message; its ``html_body`` (already escaped by the templates) becomes the
        HTML part when present.
    sender
        The ``From`` address.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.recipient
    message["Subject"] = " ".join(notification.subject.split())
    message["Date"] = format_datetime(notification.created_at)
    message["Message-ID"] = message_id(notification.id)
    message["X-Fleetline-Notification"] = notification.id
    message["X-Fleetline-Event"] = notification.kind.value
    message.set_content(notification.body)
    if notification.html_body:
        message.add_alternative(notification.html_body, subtype="html")
    return message


def message_id(notification_id: str) -> str:
    """Return the email ``Message-ID`` of a notification: the same on every attempt."""
    return f"<{notification_id}@fleetline>"


class EmailChannel:
    """Sends notifications as emails through one SMTP server.

    Parameters
    ----------
    server
        The SMTP server (see :meth:`SmtpServer.from_url`).
    sender
        The ``From`` address of every message.
    timeout_s
        How long one SMTP exchange may wait.
    """

    channel = Channel.EMAIL

    def __init__(
        self, server: SmtpServer, sender: str, *, timeout_s: float = SMTP_TIMEOUT_S
    ) -> None:
        self._server = server
        self._sender = sender
        self._timeout_s = timeout_s
        self._connection: smtplib.SMTP | None = None

    def send(self, notification: Notification) -> None:
        """Send one email; raise :class:`TransientFailure` or :class:`PermanentFailure`."""
        try:
            message = compose(notification, self._sender)
        except (ValueError, TypeError) as exc:
            raise PermanentFailure(f"the email cannot be built: {exc}") from exc
        reused = self._connection is not None
        try:
            self._deliver(message, notification.recipient)
        except (smtplib.SMTPServerDisconnected, ConnectionError) as exc:
            self.close()
            if not reused:
                raise TransientFailure(
                    f"SMTP server {self._where}: {exc}", provider_down=True
                ) from exc
            # The server dropped a connection kept from the batch: one fresh try.
            try:
                self._deliver(message, notification.recipient)
            except (smtplib.SMTPServerDisconnected, OSError) as again:
                self.close()
                raise TransientFailure(
                    f"SMTP server {self._where}: {again}", provider_down=True
                ) from again

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    @property
    def _where(self) -> str:
        return f"{self._server.host}:{self._server.port}"

    def _deliver(self, message: EmailMessage, recipient: str) -> None:
        try:
            connection = self._connect()
            connection.send_message(message, from_addr=self._sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()), (0, b""))
            raise _by_code(
                code, f"SMTP server refused {recipient}: {code} {_text(answer)}"
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            self.close()
            raise TransientFailure(
                f"SMTP server refused the sender {self._sender}: {exc.smtp_code} "
                f"{_text(exc.smtp_error)}",
                provider_down=True,
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise TransientFailure(
                f"SMTP server {self._where} refused the login: {exc.smtp_code}",
                provider_down=True,
            ) from exc
        except smtplib.SMTPServerDisconnected:
            raise
        except (smtplib.SMTPConnectError, smtplib.SMTPHeloError) as exc:
            self.close()
            raise TransientFailure(
                f"SMTP server {self._where} would not talk: {exc.smtp_code} "
                f"{_text(exc.smtp_error)}",
                provider_down=True,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise _by_code(
                exc.smtp_code, f"SMTP server {self._where}: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except ConnectionError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientFailure(
                f"SMTP server {self._where}: {exc or type(exc).__name__}", provider_down=True
            ) from exc

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        server = self._server
        connection: smtplib.SMTP
        if server.tls:
            connection = smtplib.SMTP_SSL(
                server.host,
                server.port,
                timeout=self._timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=self._timeout_s)
        try:
            connection.ehlo()
            if server.starttls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if server.username:
                connection.login(server.username, server.password or "")
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection


def _by_code(code: int, reason: str) -> TransientFailure | PermanentFailure:
    """A 4xx SMTP answer may pass (421: the server is closing); a 5xx one will not."""
    if 400 <= code < 500:
        return TransientFailure(reason, provider_down=code == 421)
    return PermanentFailure(reason)


def _text(answer: bytes | str) -> str:
    if isinstance(answer, bytes):
        return answer.decode("utf-8", "replace")
    return answer
