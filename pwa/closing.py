"""The dashboard's periodic task on the push queue: store the figures of each week that closed.

Kept apart from pwa.dashboard so that only the worker (manage.py worker) imports the queue.
"""

from __future__ import annotations

from huey import crontab

from push.queue import periodic
from pwa import dashboard


@periodic(crontab(minute="43"))
def close_weeks_task() -> int:
    """Every hour: store the figures of the weeks that closed (a week closes on Tuesday at noon UTC)."""
    return len(dashboard.close_weeks())
