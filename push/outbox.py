"""Message rows sent at most once, for any channel: claim with a lease, hand to the channel's sender, settle.

A channel (push here; mail for the weekly digest) registers one sender with `@sender("mail")`. The
sender gets the rows it holds and answers an Outcome for each; `run_due` writes those back. A row
stays claimed only while its lease lasts, so a sender that dies mid-batch leaves rows that the next
pass picks up: the one possible repeat is a message sent but not yet marked sent when that happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models import Message

LEASE = timedelta(minutes=5)
BATCH = 500
MAX_ATTEMPTS = 6
KEEP = timedelta(days=30)  # settled rows are kept this long (what was sent, for a look back)


@dataclass(frozen=True)
class Outcome:
    """What became of one row: sent, skipped, dropped, failed, or retry at retry_at."""

    state: str
    retry_at: datetime | None = None
    delivered: frozenset[int] = field(default_factory=frozenset)
    error: str = ""


Sender = Callable[[list[Message], datetime], dict[int, Outcome]]
SENDERS: dict[str, Sender] = {}


def sender(channel: str):
    """Register the function that delivers a channel's claimed rows."""

    def register(function: Sender) -> Sender:
        SENDERS[channel] = function
        return function

    return register


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait before the next try: what the service asked for, else doubling from 30 s."""
    if retry_after is not None:
        return timedelta(seconds=min(max(retry_after, 1.0), 6 * 3600))
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def run_due(now: Callable[[], datetime], channels=None, batch: int = BATCH) -> dict[str, int]:
    """Send every due row of these channels (all registered ones by default); count the outcomes."""
    counts: dict[str, int] = {}
    counts["dropped"] = Message.drop_expired(now())
    Message.forget_settled(now() - KEEP)
    for channel in list(SENDERS) if channels is None else channels:
        send = SENDERS[channel]
        # Rows put back for a retry are due later, so each pass ends; the bound is a safety net.
        for _ in range(10_000):
            started = now()
            rows = Message.claim(channel, started, LEASE, batch)
            if not rows:
                break
            outcomes = send(rows, started)
            _settle(rows, outcomes, now(), counts)
            if len(rows) < batch:
                break
    return counts


def _settle(rows: list[Message], outcomes: dict[int, Outcome], now: datetime, counts) -> None:
    by_state: dict[tuple[str, str], list[Message]] = {}
    for row in rows:
        outcome = outcomes.get(row.id) or Outcome("failed", error="the sender gave no outcome")
        if outcome.state == "retry":
            if row.attempts >= MAX_ATTEMPTS:
                outcome = Outcome("failed", error=outcome.error or "too many tries")
            else:
                row.retry_at(
                    outcome.retry_at or now + backoff(row.attempts),
                    set(outcome.delivered),
                    outcome.error,
                )
                counts["retry"] = counts.get("retry", 0) + 1
                continue
        by_state.setdefault((outcome.state, outcome.error), []).append(row)
    for (state, error), group in by_state.items():
        counts[state] = counts.get(state, 0) + Message.settle(group, state, now, error)
