"""axe-core on every screen a person reaches, at the phone viewport, in light and dark mode."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import _phone_context, browser_sign_in, tap_answer
from models import Announcement, Challenge, Invite, PasswordReset, Recognition, Story
from test_stories import tell as tell_story

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TODAY = date(2026, 11, 18)  # the conftest clock's Wednesday
WEEK = date(2026, 11, 16)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci installs axe-core)")
    return AXE.read_text()


@pytest.fixture(params=["light", "dark"])
def scheme(request) -> str:
    return request.param


@pytest.fixture
def phone(browser, scheme):
    """A phone page in the colour scheme under test."""
    context = _phone_context(browser, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


class Audit:
    """Runs axe on the page as it stands and keeps what it found, screen by screen."""

    def __init__(self, page, source: str):
        self.page = page
        self.source = source
        self.found: list[str] = []

    def check(self, screen: str) -> None:
        # page.evaluate goes through the DevTools protocol, so the app's CSP does not block it.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(self.source)
        # Colours are judged as they settle, not halfway through a fade-in (a celebration's).
        self.page.evaluate(
            "() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"
        )
        result = self.page.evaluate("options => axe.run(document, options)", RULES)
        for violation in result["violations"]:
            nodes = violation["nodes"]
            targets = " | ".join(", ".join(node["target"]) for node in nodes[:3])
            # The summary's last line names the colours, or the attribute, at fault.
            why = nodes[0]["failureSummary"].splitlines()[-1].strip()
            self.found.append(
                f"{screen}: {violation['id']}: {violation['help']}"
                f" ({len(nodes)} node(s): {targets}; first: {why})"
            )

    def visit(self, url: str, screen: str | None = None) -> None:
        self.page.goto(url)
        self.check(screen or url)

    def assert_clean(self) -> None:
        assert not self.found, "axe found:\n" + "\n".join(self.found)


def tell(author, member, **changes) -> Story:
    """A published story with every part of the template filled in, so every part is audited."""
    full = {
        "impact": "I felt like I was their only client.",
        "lesson": "A worried customer shouldn't wait for Monday.",
    }
    return tell_story(author, member, **{**full, **changes})


def test_the_signed_out_screens_have_no_wcag_violations(
    phone, axe_source, live_server, north, alice, bob, ada, clock
):
    story = tell(alice, bob)
    now = clock.now().replace(tzinfo=None)
    invite = Invite.issue("nia@example.com", north, "employee", ada, now)
    reset = PasswordReset.issue(alice, ada, now)
    audit = Audit(phone, axe_source)
    for path in (
        "/signin",
        "/card",
        "/offline",
        f"/invite/{invite}",
        f"/reset/{reset}",
        f"/s/{story.share_token}",
        "/no-such-page",
        "/forgot",
    ):
        audit.visit(live_server + path, path)
    phone.get_by_label("Email").fill(alice.email)
    phone.get_by_role("button", name="Send me a reset link").tap()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.check("forgot password: sent")
    audit.assert_clean()


def test_an_employees_screens_have_no_wcag_violations(
    phone, axe_source, live_server, alice, bob, lena, clock
):
    featured = tell(bob, alice, title="The Monday Rescue")
    featured.feature(WEEK, clock.now())
    story = tell(alice, bob)
    tell(bob, bob, title="Hidden for now", hidden=True, hidden_by=lena)
    audit = Audit(phone, axe_source)
    browser_sign_in(phone, live_server, alice)
    audit.check("Today before a check-in")

    tap_answer(phone, "Before", "Yes")
    tap_answer(phone, "During", "Partly")
    phone.get_by_role("button", name="Check in").tap()
    expect(phone.get_by_role("heading", name="Checked in for today")).to_be_visible()
    audit.check("Today after a check-in")

    Challenge.begin(alice, TODAY)
    for path in (
        "/challenge",
        "/commitment",
        "/pledge",
        "/me",
        "/stories",
        "/stories/new",
        f"/stories/{story.id}",
        f"/stories/{featured.id}",
        f"/stories/{story.id}/edit",
        f"/stories/{story.id}/delete",
    ):
        audit.visit(live_server + path, path)
    audit.assert_clean()


def test_a_leads_team_and_moderation_screens_have_no_wcag_violations(
    phone, axe_source, live_server, lena, alice, bob
):
    tell(alice, bob)
    hidden = tell(bob, bob, title="Hidden for now", hidden=True, hidden_by=lena)
    audit = Audit(phone, axe_source)
    browser_sign_in(phone, live_server, lena)
    for path in ("/team", "/stories", f"/stories/{hidden.id}"):
        audit.visit(live_server + path, path)
    audit.assert_clean()


def test_the_admin_screen_has_no_wcag_violations(
    phone, axe_source, live_server, ada, lena, alice, carl, clock
):
    # Made an hour ago: the worker has given up on its email, so it is listed as not sent.
    made = clock.now().replace(tzinfo=None) - timedelta(hours=1)
    Invite.issue("nia@example.com", None, "employee", ada, made)
    audit = Audit(phone, axe_source)
    browser_sign_in(phone, live_server, ada)
    phone.goto(f"{live_server}/admin")
    expect(phone.get_by_role("heading", name="Invites not sent")).to_be_visible()
    phone.get_by_role("button", name=f"Make a reset link for {alice.name}").tap()
    expect(
        phone.get_by_role("heading", name=f"Password reset link for {alice.name}")
    ).to_be_visible()
    audit.check("/admin with a reset link made and an invite not sent")
    for path in ("/admin", "/team"):
        audit.visit(live_server + path, path)
    audit.assert_clean()


def test_axe_finds_nothing_on_the_recognition_screens(
    phone, axe_source, live_server, alice, bob, lena
):
    audit = Audit(phone, axe_source)
    browser_sign_in(phone, live_server, alice)
    audit.visit(f"{live_server}/recognise", "recognise")
    phone.get_by_role("button", name="Send the recognition").tap()
    expect(phone.get_by_role("alert")).to_be_visible()
    audit.check("recognise with errors")
    audit.visit(f"{live_server}/recognise?to={bob.id}", "recognise Bob")
    phone.get_by_label("What did they do?").fill("Took my 4:45 call.")
    phone.get_by_role("radio", name="A colleague").check()
    phone.get_by_role("button", name="Recognise Bob").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("You recognised Bob Okafor")
    phone.wait_for_timeout(600)  # the celebration has finished coming in
    audit.check("a recognition with its celebration")
    recognition = Recognition.get()
    for path in ("/recognitions", "/recognitions?scope=org", "/news", "/badges"):
        audit.visit(live_server + path)
    audit.visit(f"{live_server}/people/{bob.id}", "a colleague's profile")
    audit.visit(f"{live_server}/r/{recognition.share_token}", "public recognition")
    phone.context.clear_cookies()
    browser_sign_in(phone, live_server, lena)
    audit.visit(f"{live_server}/teams/{lena.team_id}/announcement", "announcement form")
    phone.get_by_role("button", name="Pin the announcement").tap()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("goes to Bob Okafor")
    audit.check("announcement")
    audit.visit(f"{live_server}/teams/{lena.team_id}/announcements", "past announcements")
    audit.visit(f"{live_server}/a/{Announcement.get().share_token}", "public announcement")
    audit.assert_clean()
