"""LimitSlot: a few uses per window counted in the database, so any app server counts alike."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import models

NOW = datetime(2026, 11, 18, 10, 0)
HOUR = timedelta(hours=1)


def test_ten_requests_at_once_get_three_uses_of_an_hour(app, alice):
    start = threading.Barrier(10)

    def take(_):
        with models.db.connection_context():
            start.wait()
            return models.LimitSlot.take(alice, "reset", NOW, 3, HOUR)

    with ThreadPoolExecutor(10) as pool:
        taken = list(pool.map(take, range(10)))
    assert taken.count(True) == 3
    assert models.LimitSlot.select().where(models.LimitSlot.person == alice).count() == 3


def test_a_use_comes_back_an_hour_after_it_was_taken(app, alice):
    for minute in range(3):
        assert models.LimitSlot.take(alice, "reset", NOW + timedelta(minutes=minute), 3, HOUR)
    assert not models.LimitSlot.take(alice, "reset", NOW + timedelta(minutes=59), 3, HOUR)
    assert models.LimitSlot.take(alice, "reset", NOW + timedelta(minutes=60), 3, HOUR)
    assert not models.LimitSlot.take(alice, "reset", NOW + timedelta(minutes=60), 3, HOUR)


def test_each_person_and_kind_counts_on_its_own(app, alice, bob):
    for _ in range(3):
        assert models.LimitSlot.take(alice, "reset", NOW, 3, HOUR)
    assert models.LimitSlot.take(bob, "reset", NOW, 3, HOUR)
    assert models.LimitSlot.take(alice, "other", NOW, 3, HOUR)
    assert not models.LimitSlot.take(alice, "reset", NOW, 3, HOUR)


def test_a_person_deleted_takes_their_slots_along(app, alice):
    models.LimitSlot.take(alice, "reset", NOW, 3, HOUR)
    models.Person.delete().where(models.Person.id == alice.id).execute()
    assert models.LimitSlot.select().count() == 0
