"""The push channel's sender: each claimed message to each of its person's devices, a bounded pool at once."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask import current_app

from models import Message, PushPreference, PushSubscription
from push import outbox
from push.service import Notification, PushError, Settings, send

log = logging.getLogger(__name__)
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(size: int) -> ThreadPoolExecutor:
    # Kept between batches, so each thread's connection to the push service stays open.
    with _pools_lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="push")
        return _pools[size]


def _try(settings: Settings, subscription: PushSubscription, note: Notification):
    try:
        send(subscription, note, settings)
    except PushError as error:
        return error
    except Exception as error:
        # An error of ours must not stop the pass with rows still claimed: log it, retry later.
        log.exception("push to subscription %s failed", subscription.id)
        return PushError(f"{type(error).__name__}: {error}", permanent=False)
    return None


@outbox.sender("push")
def deliver(rows: list[Message], now: datetime) -> dict[int, outbox.Outcome]:
    """Send these claimed push rows to every device of their people; say what became of each."""
    settings = Settings.from_config(current_app.config)
    people = {row.person_id for row in rows}
    devices = PushSubscription.of_people(people)
    wanted = {
        p.person_id: p.wanted
        for p in PushPreference.select().where(PushPreference.person.in_(list(people)))
    }
    outcomes: dict[int, outbox.Outcome] = {}
    jobs = []
    for row in rows:
        if row.kind not in wanted.get(row.person_id, frozenset(PushPreference().wanted)):
            outcomes[row.id] = outbox.Outcome("skipped", error="turned off since")
            continue
        targets = [d for d in devices.get(row.person_id, []) if d.id not in row.delivered]
        if not devices.get(row.person_id):
            outcomes[row.id] = outbox.Outcome("dropped", error="no device")
            continue
        note = Notification.from_json(row.payload)
        jobs.extend((row, device, note) for device in targets)
    pool = _pool(int(current_app.config.get("PUSH_CONCURRENCY", 64)))
    results = list(pool.map(lambda job: _try(settings, job[1], job[2]), jobs))
    reached: dict[int, set[int]] = {row.id: set(row.delivered) for row in rows}
    retry: dict[int, PushError] = {}
    failed: dict[int, PushError] = {}
    gone: list[int] = []
    for (row, device, _), error in zip(jobs, results, strict=True):
        if error is None:
            reached[row.id].add(device.id)
        elif error.permanent:
            gone.append(device.id)
        elif error.retryable:
            retry[row.id] = error
        else:
            failed[row.id] = error
    if gone:
        PushSubscription.delete().where(PushSubscription.id.in_(gone)).execute()
    naive = now.replace(tzinfo=None)
    for row in rows:
        if row.id in outcomes:
            continue
        if row.id in retry:
            error = retry[row.id]
            wait = outbox.backoff(row.attempts, error.retry_after)
            outcomes[row.id] = outbox.Outcome(
                "retry",
                retry_at=naive + wait,
                delivered=frozenset(reached[row.id]),
                error=str(error),
            )
        elif reached[row.id]:
            outcomes[row.id] = outbox.Outcome("sent")
        elif row.id in failed:
            outcomes[row.id] = outbox.Outcome("failed", error=str(failed[row.id]))
        else:
            outcomes[row.id] = outbox.Outcome("dropped", error="every device is gone")
    ok = [device.id for (row, device, _), error in zip(jobs, results, strict=True) if error is None]
    for start in range(0, len(ok), 500):
        PushSubscription.update(last_sent_at=naive).where(
            PushSubscription.id.in_(ok[start : start + 500])
        ).execute()
    return outcomes
