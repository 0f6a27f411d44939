"""The channels on their own: SMTP URLs, the email's shape, HTTP answers sorted into
"retry" and "park", webhook signatures, the retry policy's waits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fleetline.clock import FixedClock
from fleetline.comms.channels.base import PermanentFailure, TransientFailure, http_failure
from fleetline.comms.channels.email import SmtpServer, compose
from fleetline.comms.channels.sms import SmsChannel
from fleetline.comms.channels.webhook import (
    WebhookChannel,
    WebhookReceivers,
    sign,
    verify_signature,
)
from fleetline.comms.outbox_policy import RetryPolicy
from fleetline.domain.messages import NoticeKind, Notification
from fleetline.domain.model import Channel

PUBLIC = WebhookReceivers(resolve=lambda host: ["93.184.216.34"])
"""Every client host resolves to a public address (no resolver in unit tests)."""

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def notice(channel: Channel = Channel.EMAIL, recipient: str = "anna@example.li") -> Notification:
    return Notification(
        id="ntf_1",
        order_id="o1",
        client_id="c1",
        kind=NoticeKind.DELIVERED,
        channel=channel,
        recipient=recipient,
        subject="Delivered\r\nBcc: everyone@example.li",
        body="Your order was delivered at 10:12.",
        html_body="<p>Your order was delivered at 10:12.</p>",
        dedupe_key="o1:delivered",
        created_at=T0,
        cause_at=T0,
        not_before=T0,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.li", SmtpServer("mail.example.li", 25)),
        (
            "smtp://ops%40co:p%3Ass@mail.example.li:2525?starttls=1",
            SmtpServer("mail.example.li", 2525, "ops@co", "p:ss", starttls=True),
        ),
        ("smtps://u:p@mail.example.li", SmtpServer("mail.example.li", 465, "u", "p", tls=True)),
    ],
)
def test_smtp_urls_name_host_port_login_and_encryption(url: str, expected: SmtpServer) -> None:
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.li", "smtp://", "mail.example.li:25"])
def test_an_smtp_url_that_is_not_one_is_refused_with_the_setting_named(url: str) -> None:
    with pytest.raises(ValueError, match="FLEETLINE_SMTP_URL"):
        SmtpServer.from_url(url)


def test_a_subject_cannot_smuggle_headers_into_the_email() -> None:
    """A line break in a subject stays inside the Subject; no Bcc appears."""
    email = compose(notice(), "ops@fleetline.test")
    assert email["Bcc"] is None
    assert email["Subject"] == "Delivered Bcc: everyone@example.li"
    assert email["Message-ID"] == "<ntf_1@fleetline>"
    assert email.get_body(preferencelist=("html",)) is not None


@pytest.mark.parametrize(
    ("status", "kind", "provider_down"),
    [
        (500, TransientFailure, False),
        (502, TransientFailure, False),
        (503, TransientFailure, True),
        (429, TransientFailure, True),
        (408, TransientFailure, False),
        (400, PermanentFailure, None),
        (401, PermanentFailure, None),
        (404, PermanentFailure, None),
        (410, PermanentFailure, None),
    ],
)
def test_http_answers_are_retried_or_parked(
    status: int, kind: type[Exception], provider_down: bool | None
) -> None:
    failure = http_failure(status, "SMS provider")
    assert isinstance(failure, kind)
    assert f"HTTP {status}" in failure.reason
    if isinstance(failure, TransientFailure):
        assert failure.provider_down is provider_down


def test_a_receivers_overload_does_not_pause_the_other_receivers() -> None:
    failure = http_failure(503, "webhook", "120", shared_provider=False)
    assert isinstance(failure, TransientFailure)
    assert not failure.provider_down
    assert failure.retry_after_s == 120


def test_an_sms_provider_that_does_not_answer_is_a_provider_outage() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    channel = SmsChannel("http://sms.invalid/api", transport=httpx.MockTransport(unreachable))
    with pytest.raises(TransientFailure) as raised:
        channel.send(notice(Channel.SMS, "+423 7901234"))
    assert raised.value.provider_down


def test_a_webhook_address_that_is_not_a_url_is_parked_without_a_request() -> None:
    calls: list[httpx.Request] = []
    channel = WebhookChannel(
        "secret",
        FixedClock(T0),
        transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200)),
    )
    with pytest.raises(PermanentFailure, match="not an http"):
        channel.send(notice(Channel.WEBHOOK, "ftp://client.example.li/hook"))
    assert calls == []


def test_the_webhook_secret_is_asked_for_once_on_the_first_send() -> None:
    asked: list[int] = []
    seen: list[httpx.Request] = []

    def secret() -> str:
        asked.append(1)
        return "late-secret"

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    channel = WebhookChannel(
        secret, FixedClock(T0), transport=httpx.MockTransport(receive), receivers=PUBLIC
    )
    assert asked == []
    for _ in range(2):
        channel.send(notice(Channel.WEBHOOK, "https://client.example.li/hook"))
    assert len(asked) == 1
    assert all(
        verify_signature("late-secret", r.headers["X-Fleetline-Signature"], r.content) for r in seen
    )


def test_a_signature_checks_the_secret_the_body_and_the_time() -> None:
    body = b'{"id":"ntf_1","kind":"delay"}'
    stamp = int(T0.timestamp())
    header = sign("s3cret", stamp, body)
    assert header.startswith(f"t={stamp},v1=")
    assert verify_signature("s3cret", header, body, now=T0 + timedelta(seconds=60))
    assert not verify_signature("other", header, body, now=T0)
    assert not verify_signature("s3cret", header, body.replace(b"delay", b"delivered"), now=T0)
    assert not verify_signature("s3cret", header, body, now=T0 + timedelta(minutes=10))
    assert not verify_signature("s3cret", "v1=deadbeef", body)
    assert not verify_signature("s3cret", "t=soon,v1=deadbeef", body)


def test_retry_waits_double_up_to_the_cap_with_bounded_jitter() -> None:
    policy = RetryPolicy(first_delay_s=30, max_delay_s=1800, jitter=0.2)
    rng = random.Random(7)
    waits = [policy.delay(n, rng).total_seconds() for n in range(1, 10)]
    for n, wait in enumerate(waits, start=1):
        nominal = min(1800, 30 * 2 ** (n - 1))
        assert 0.8 * nominal <= wait <= 1.2 * nominal
    assert max(waits) <= 1800 * 1.2


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
        "0.0.0.0",
        "224.0.0.1",
    ],
)
def test_a_webhook_to_an_internal_address_is_refused_before_any_request(address: str) -> None:
    """Loopback, private, link-local (the cloud metadata service), shared, unique-local,
    unspecified and multicast addresses are refused as a permanent failure, so the
    message is parked and nothing is sent."""
    calls: list[httpx.Request] = []
    channel = WebhookChannel(
        "secret",
        FixedClock(T0),
        transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200)),
        receivers=WebhookReceivers(resolve=lambda host: [address]),
    )
    with pytest.raises(PermanentFailure, match="not a public address"):
        channel.send(notice(Channel.WEBHOOK, "https://hooks.client.example/in"))
    assert calls == []


def test_an_allowed_network_receives_and_a_name_that_does_not_resolve_is_retried() -> None:
    """An administrator's allowed network (an on-premise receiver) gets its webhooks; a
    host whose name does not resolve now is a transient failure, tried again later."""
    calls: list[httpx.Request] = []
    allowed = WebhookReceivers.from_setting("10.20.0.0/24, 192.168.7.9")
    channel = WebhookChannel(
        "secret",
        FixedClock(T0),
        transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200)),
        receivers=WebhookReceivers(allowed.allowed, resolve=lambda host: ["10.20.0.5"]),
    )
    channel.send(notice(Channel.WEBHOOK, "https://erp.client.local/in"))
    assert len(calls) == 1

    def unknown(host: str) -> list[str]:
        raise OSError("Name or service not known")

    silent = WebhookChannel("secret", FixedClock(T0), receivers=WebhookReceivers(resolve=unknown))
    with pytest.raises(TransientFailure, match="does not resolve"):
        silent.send(notice(Channel.WEBHOOK, "https://gone.client.example/in"))
    with pytest.raises(ValueError, match="not a network"):
        WebhookReceivers.from_setting("10.0.0.0/8, intranet")
