"""The outbox dispatcher: messages written with their cause leave through their channel.

Rules write :class:`~fleetline.domain.messages.Notification` rows in the transaction of
the change that caused them; this dispatcher sends them afterwards, on its own threads,
so that a slow or dead provider never blocks the live day. For each message it

1. claims it: marks it ``sending`` (one attempt more) and commits, *before* the send;
2. sends it outside any transaction, with the channel's own timeouts;
3. marks it ``sent``, or ``queued`` again with an exponential backoff and jitter after a
   transient failure, or ``parked`` after too many attempts or a permanent failure.

A crash between 1 and 3 leaves the message ``sending``; once its lease is over it is
claimed again and sent with the same idempotency handle (the email's ``Message-ID``, the
``Idempotency-Key`` header), so the receiver can drop the duplicate: nothing is lost.
A message whose channel is not configured is *recorded* (kept, not sent). While a
dispatcher holds client messages (a major incident) nothing leaves and nothing is
recorded; everything stays queued. The moves of the messages in the store are in
:mod:`fleetline.comms.outbox_rows`, the retry policy in :mod:`fleetline.comms.outbox_policy`.

Each channel has its own lane (one worker thread at a time per channel): an SMTP server
that hangs delays emails only. A provider that is down pauses its channel with a
growing backoff, and the channel's due messages wait for the pause to end without
spending attempts.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fleetline.clock import Clock
from fleetline.comms.channels.base import (
    ChannelSender,
    PermanentFailure,
    TransientFailure,
)
from fleetline.comms.outbox_policy import RetryPolicy, RoundReport
from fleetline.comms.outbox_rows import claim, give_back, postpone, record_unsent, settle
from fleetline.domain.messages import NoticeStatus, Notification
from fleetline.domain.model import Channel
from fleetline.operations.ports import UnitOfWork

log = logging.getLogger(__name__)

CLAIM_CHUNK = 20
"""Messages a lane claims in one commit before sending them one by one."""


@dataclass(slots=True)
class _Pause:
    until: datetime
    outages: int


@dataclass(slots=True)
class _Lane:
    """One channel's batch, sent on the channel's worker."""

    channel: Channel
    messages: list[Notification]
    report: RoundReport = field(default_factory=RoundReport)


class OutboxDispatcher:
    """Sends queued messages through their channels, with retries, backoff and leases.

    Parameters
    ----------
    uow_factory
        Makes the units of work; each claim and each outcome is its own transaction.
    clock
        The time of claims, retries and pauses (the simulator passes its own).
    channels
        A sender per configured channel; a message on a channel not in the mapping is
        recorded instead of sent.
    policy
        Retries, backoff and lease.
    poll_s
        Seconds between looks at the outbox when nothing wakes the dispatcher.
    batch_size
        Messages a channel's lane takes in one go.
    rng
        Randomness of the jitter (tests pass a seeded one).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        channels: Mapping[Channel, ChannelSender],
        *,
        policy: RetryPolicy | None = None,
        poll_s: float = 2.0,
        batch_size: int = 100,
        rng: random.Random | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._channels = dict(channels)
        self.policy = policy or RetryPolicy()
        self._poll_s = poll_s
        self._batch_size = batch_size
        self.after_change: list[Callable[[], None]] = []
        """Called once messages were sent, recorded or retried (the figures count them)."""
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._round_lock = threading.Lock()
        self._pauses: dict[Channel, _Pause] = {}
        self._busy: dict[Channel, Future[None]] = {}
        self._in_flight: set[str] = set()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._workers = ThreadPoolExecutor(
            max_workers=max(1, len(self._channels)), thread_name_prefix="outbox-send"
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the loop ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the dispatcher's thread."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the thread, let the sends under way finish, and close the channels."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self._workers.shutdown(wait=True, cancel_futures=True)
        for sender in self._channels.values():
            try:
                sender.close()
            except Exception:
                log.exception("closing the %s channel failed", sender.channel)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    def on_event(self, _event: Any) -> None:
        """Event handler: messages were queued or the hold changed; look now."""
        self.wake()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._round(wait_for_lanes=False)
            except Exception:
                log.exception("a look at the outbox failed")
            self._wake.wait(timeout=self._poll_s)
            self._wake.clear()

    # --- entry points for tests and the simulator -------------------------------------

    def run_once(self) -> RoundReport:
        """Take the due messages once and wait until their sends are over."""
        return self._round(wait_for_lanes=True)

    def drain(self, max_rounds: int = 1000) -> RoundReport:
        """Run rounds until one moves nothing; return the sum of what they did.

        Retries scheduled in the future stay queued: advance the clock to see them go.
        """
        total = RoundReport()
        for _ in range(max_rounds):
            report = self.run_once()
            for name in ("sent", "recorded", "retried", "parked", "postponed"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.held = report.held
            if report.moved == 0:
                break
        return total

    def counts(self) -> dict[str, int]:
        """Messages handled since start, by ``"<channel>.<outcome>"`` (e.g. ``email.sent``)."""
        with self._lock:
            return {f"{channel}.{outcome}": n for (channel, outcome), n in self._counts.items()}

    # --- one round ---------------------------------------------------------------------

    def _round(self, *, wait_for_lanes: bool) -> RoundReport:
        with self._round_lock:
            report = RoundReport()
            now = self._clock.now()
            with self._uow_factory() as uow:
                if uow.comms_settings.hold().held:
                    report.held = True
                    return report
                lease_end = now - timedelta(seconds=self.policy.lease_s)
                abandoned = [
                    n
                    for n in uow.notifications.in_status(NoticeStatus.SENDING)
                    if n.next_attempt_at is None or n.next_attempt_at <= lease_end
                ]
                due = uow.notifications.due(now, limit=self._batch_size * 10)
            by_channel: dict[Channel, list[Notification]] = {}
            with self._lock:
                for n in [*abandoned, *due]:
                    if n.id not in self._in_flight:
                        by_channel.setdefault(n.channel, []).append(n)
            lanes: list[tuple[_Lane, Future[None]]] = []
            for channel, messages in by_channel.items():
                if channel not in self._channels:
                    recorded = record_unsent(self._uow_factory, messages, now, self.policy.lease_s)
                    self._count(channel, "recorded", recorded)
                    self._changed()
                    report.recorded += recorded
                    continue
                pause = self._pauses.get(channel)
                if pause is not None and pause.until > now:
                    report.postponed += postpone(self._uow_factory, messages, pause.until)
                    continue
                running = self._busy.get(channel)
                if running is not None and not running.done():
                    report.busy_channels += (channel,)
                    continue
                lane = _Lane(channel, messages[: self._batch_size])
                with self._lock:
                    self._in_flight.update(n.id for n in lane.messages)
                future = self._workers.submit(self._send_lane, lane)
                self._busy[channel] = future
                lanes.append((lane, future))
            if wait_for_lanes and lanes:
                wait([future for _, future in lanes])
                for lane, _ in lanes:
                    for name in ("sent", "retried", "parked"):
                        setattr(report, name, getattr(report, name) + getattr(lane.report, name))
            return report

    # --- one channel's lane ------------------------------------------------------------

    def _send_lane(self, lane: _Lane) -> None:
        sender = self._channels[lane.channel]
        try:
            for start in range(0, len(lane.messages), CLAIM_CHUNK):
                chunk = lane.messages[start : start + CLAIM_CHUNK]
                claimed = claim(self._uow_factory, chunk, self._clock.now(), self.policy.lease_s)
                for index, message in enumerate(claimed):
                    if self._stopping.is_set():
                        give_back(self._uow_factory, claimed[index:], self._clock.now())
                        return
                    if not self._send_one(sender, message, lane.report):  # the channel pauses
                        give_back(self._uow_factory, claimed[index + 1 :], self._clock.now())
                        return
            if len(lane.messages) >= self._batch_size:
                self._wake.set()  # more may be waiting behind this batch
        except Exception:
            log.exception("the %s lane of the outbox failed", lane.channel)
        finally:
            with self._lock:
                self._in_flight.difference_update(n.id for n in lane.messages)
            self._changed()
            try:
                sender.close()
            except Exception:
                log.exception("closing the %s channel failed", lane.channel)

    def _changed(self) -> None:
        for hook in self.after_change:
            try:
                hook()
            except Exception:
                log.exception("a hook after the outbox's change failed")

    def _send_one(self, sender: ChannelSender, claimed: Notification, report: RoundReport) -> bool:
        """Send a claimed message and store the outcome; ``False`` when the provider is down."""
        channel = claimed.channel
        try:
            _send_guarded(sender, claimed)
        except PermanentFailure as failure:
            settle(self._uow_factory, claimed, claimed.parked(failure.reason))
            report.parked += 1
            self._count(channel, "parked")
            log.warning("message %s parked: %s", claimed.id, failure.reason)
            return True
        except TransientFailure as failure:
            now = self._clock.now()
            if claimed.attempts >= self.policy.max_attempts:
                outcome = claimed.parked(f"gave up after {claimed.attempts} attempts: {failure}")
                report.parked += 1
                self._count(channel, "parked")
            else:
                wait_for = self.policy.delay(claimed.attempts, self._rng)
                if failure.retry_after_s is not None:
                    wait_for = max(wait_for, timedelta(seconds=failure.retry_after_s))
                outcome = claimed.retry_at(now + wait_for, failure.reason)
                report.retried += 1
                self._count(channel, "retried")
            settle(self._uow_factory, claimed, outcome)
            if failure.provider_down:
                self._pause(channel, now, failure.retry_after_s)
                return False
            return True
        settle(self._uow_factory, claimed, claimed.sent(self._clock.now()))
        report.sent += 1
        self._count(channel, "sent")
        with self._lock:
            self._pauses.pop(channel, None)
        return True

    def _pause(self, channel: Channel, now: datetime, retry_after_s: float | None) -> None:
        with self._lock:
            outages = self._pauses[channel].outages + 1 if channel in self._pauses else 1
            length = self.policy.delay(outages, self._rng)
            if retry_after_s is not None:
                length = max(length, timedelta(seconds=retry_after_s))
            self._pauses[channel] = _Pause(now + length, outages)
        log.warning("the %s channel is down; paused for %s", channel, length)

    def _count(self, channel: Channel, outcome: str, n: int = 1) -> None:
        if n:
            with self._lock:
                self._counts[(channel.value, outcome)] += n


def _send_guarded(sender: ChannelSender, message: Notification) -> None:
    """Send; an unexpected error of a channel (a bug) counts as a transient failure."""
    try:
        sender.send(message)
    except (PermanentFailure, TransientFailure):
        raise
    except Exception as exc:
        log.exception("the %s channel failed unexpectedly on %s", sender.channel, message.id)
        raise TransientFailure(f"{type(exc).__name__}: {exc}") from exc
