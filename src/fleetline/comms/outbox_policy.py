"""The outbox's retry policy and the account of one look at the outbox."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from fleetline.domain.model import Channel


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long the outbox tries a message before parking it.

    Attributes
    ----------
    first_delay_s
        Wait after the first failure; doubled after each further one.
    max_delay_s
        The longest wait between two attempts.
    max_attempts
        Attempts before a message that keeps failing is parked for a person.
    jitter
        Each wait is stretched or shrunk at random by up to this share, so that
        messages that failed together do not retry together.
    lease_s
        How long a message may stay ``sending`` before it is taken as abandoned by a
        crashed dispatcher and claimed again.
    """

    first_delay_s: float = 30.0
    max_delay_s: float = 1800.0
    max_attempts: int = 8
    jitter: float = 0.2
    lease_s: float = 120.0

    def delay(self, failures: int, rng: random.Random) -> timedelta:
        """Return the wait after the ``failures``-th failure in a row (1 for the first)."""
        base = min(self.max_delay_s, self.first_delay_s * 2 ** max(0, failures - 1))
        return timedelta(seconds=base * (1 + rng.uniform(-self.jitter, self.jitter)))


@dataclass(slots=True)
class RoundReport:
    """What one look at the outbox did (counted per outcome)."""

    held: bool = False
    sent: int = 0
    recorded: int = 0
    retried: int = 0
    parked: int = 0
    postponed: int = 0
    """Due messages of a paused channel, moved to the pause's end without an attempt."""
    busy_channels: tuple[Channel, ...] = ()

    @property
    def moved(self) -> int:
        """How many messages changed status in the round."""
        return self.sent + self.recorded + self.retried + self.parked
