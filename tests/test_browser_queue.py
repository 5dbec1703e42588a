"""The offline check-in queue in a real browser: kept on the phone, sent once, for the day tapped."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from test_browser_offline import controlled

from conftest import browser_sign_in, eventually, tap_answer
from models import CheckIn

pytestmark = pytest.mark.browser

WAITING = "() => otcQueue.all().then(entries => entries.length)"


@pytest.fixture
def today(page, live_server, alice, clock):
    # The phone's clock and the server's agree (the server's is the tests' fixed clock).
    page.clock.set_fixed_time(clock.now())
    browser_sign_in(page, live_server, alice)
    controlled(page)
    page.reload()
    # The page sends what waited once it has loaded; the tests' own queue starts after that.
    eventually(page, "() => window.otcLoadFlush !== undefined")
    page.evaluate("() => Promise.resolve(window.otcLoadFlush).then(() => true)")
    yield page
    page.context.set_offline(False)


def check_in_offline(page) -> None:
    page.context.set_offline(True)
    tap_answer(page, "Before", "Yes")
    tap_answer(page, "During", "Partly")
    page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("status").filter(has_text="Waiting to send")).to_be_visible()
    assert page.evaluate(WAITING) == 1
    assert CheckIn.select().count() == 0


def settled_check_ins(page, expected: int = 1):
    """The check-ins once the phone's sends have landed: the page may flush the queue by itself too."""
    for _ in range(100):
        if CheckIn.select().count() >= expected:
            break
        page.wait_for_timeout(100)
    return list(CheckIn.select())


def test_a_check_in_made_offline_waits_on_the_phone_and_is_sent_once_back_online(today, alice):
    page = today
    check_in_offline(page)
    # Not the toast for a lost submit: the check-in is kept.
    expect(page.locator("[data-toast]")).not_to_contain_text("wasn't sent")
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Checked in for today")).to_be_visible(timeout=15_000)
    expect(page.locator(".streak-number")).to_have_text("1")
    expect(page.get_by_role("status").filter(has_text="Sent")).to_be_visible()
    assert page.evaluate(WAITING) == 0
    row = CheckIn.get(CheckIn.person == alice)
    assert (row.day, row.before, row.during) == (date(2026, 11, 18), "yes", "partly")
    assert CheckIn.select().count() == 1


def test_a_check_in_queued_before_midnight_and_sent_after_counts_for_the_day_it_was_made(
    today, alice, clock
):
    page = today
    clock.set(datetime(2026, 11, 18, 22, 50, tzinfo=UTC))  # 23:50 in Berlin
    page.clock.set_fixed_time(clock.now())
    check_in_offline(page)
    clock.set(datetime(2026, 11, 18, 23, 20, tzinfo=UTC))  # 00:20 on the 19th
    page.clock.set_fixed_time(clock.now())
    page.context.set_offline(False)
    expect(page.locator("[data-queued-note]")).to_have_count(0)
    eventually(page, f"() => ({WAITING})().then(n => n === 0)")
    assert [row.day for row in settled_check_ins(page)] == [date(2026, 11, 18)]


def test_the_same_queued_check_in_sent_twice_at_once_is_one_check_in(today, alice, clock):
    page = today
    page.evaluate(
        """when => otcQueue.add({
            key: "k-twice", tappedAt: when, person: document.body.dataset.person,
            url: "/checkin", body: "before=yes&during=yes&after=yes&key=k-twice",
        })""",
        clock.now().isoformat(),
    )
    token = "() => Promise.resolve(document.querySelector('meta[name=csrf-token]').content)"
    outcomes = page.evaluate(
        f"() => Promise.all([otcQueue.flush({token}), otcQueue.flush({token})])"
    )
    assert sum(outcome["sent"] for outcome in outcomes) >= 1
    assert len(settled_check_ins(page)) == 1


def test_background_sync_drains_the_queue(today, alice, clock, live_server):
    page = today
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # the registrations arrive as events
        ours = [r for r in registrations if r["scopeURL"] == f"{live_server}/"]
        if ours:
            break
        page.wait_for_timeout(100)
    registration = ours[0]
    page.evaluate(
        """when => otcQueue.add({
            key: "k-sync", tappedAt: when, person: document.body.dataset.person,
            url: "/checkin", body: "before=yes&key=k-sync",
        })""",
        clock.now().isoformat(),
    )
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server,
            "registrationId": registration["registrationId"],
            "tag": "otc-checkins",
            "lastChance": False,
        },
    )
    eventually(page, f"() => ({WAITING})().then(n => n === 0)")
    for _ in range(50):  # the worker's answer may reach the phone before this thread sees the row
        if CheckIn.select().where(CheckIn.person == alice).exists():
            break
        page.wait_for_timeout(100)
    assert CheckIn.get(CheckIn.person == alice).before == "yes"


def test_a_queued_check_in_answered_401_stays_and_is_sent_after_the_next_sign_in(
    today, live_server, alice, clock
):
    page = today
    page.evaluate(
        """when => otcQueue.add({
            key: "k-later", tappedAt: when, person: document.body.dataset.person,
            url: "/checkin", body: "before=yes&key=k-later",
        })""",
        clock.now().isoformat(),
    )
    page.context.clear_cookies()  # the sign-in ended
    token = "() => Promise.resolve(document.querySelector('meta[name=csrf-token]').content)"
    outcome = page.evaluate(f"() => otcQueue.flush({token})")
    assert (outcome["sent"], outcome["waiting"]) == (0, 1)
    assert page.evaluate(WAITING) == 1
    browser_sign_in(page, live_server, alice)  # Today loads, and sends what waited
    eventually(page, f"() => ({WAITING})().then(n => n === 0)", 30)
    [row] = settled_check_ins(page)
    assert (row.person_id, row.before) == (alice.id, "yes")
