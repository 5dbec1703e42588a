"""Real-browser journeys at a phone viewport: downloading my data from Me, an admin deleting a person."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from conftest import _phone_context, browser_sign_in, make_person
from models import FORMER_NAME, CheckIn, Person, Story
from test_accessibility import AXE, RULES

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS_DIR")
NOTE = "private: the caller was right and I was defensive"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def dana(north):
    dana = make_person("Dana Quill", "dana@example.com", team=north)
    CheckIn.record(
        dana,
        date(2026, 11, 17),
        {"before": "yes", "before_note": NOTE},
        None,
        datetime(2026, 11, 17),
    )
    Story.create(
        author=dana,
        member=dana,
        team=north,
        day=date(2026, 11, 11),
        title="The parcel that came back",
        situation="A parcel went astray.",
        moment="I drove it over myself.",
        customer_kind="external",
        phase="after",
    )
    return dana


def test_i_download_my_data_from_me_with_my_notes(page, live_server, dana):
    browser_sign_in(page, live_server, dana)
    page.goto(f"{live_server}/me")
    expect(page.get_by_role("heading", name="My data")).to_be_visible()
    page.get_by_role("heading", name="My data").scroll_into_view_if_needed()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "rights-me.png"))

    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data").tap()
    download = info.value

    assert re.fullmatch(
        r"one-true-customer-my-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename
    )
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["profile"]["email"] == "dana@example.com"
    assert NOTE in [c["before_note"] for c in data["check_ins"]]
    assert "password_hash" not in json.dumps(data)


def test_an_admin_exports_then_deletes_a_person_keeping_their_story(page, live_server, ada, dana):
    browser_sign_in(page, live_server, ada)
    page.goto(f"{live_server}/admin")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export Dana Quill's account and published content").tap()
    with open(info.value.path(), encoding="utf-8") as file:
        exported = json.load(file)
    assert exported["stories_told"][0]["title"] == "The parcel that came back"
    assert NOTE not in json.dumps(exported)

    page.get_by_role("link", name="Delete Dana Quill's account").tap()
    expect(page.get_by_role("heading", name="Delete Dana Quill's account?")).to_be_visible()
    page.evaluate(AXE.read_text())
    found = page.evaluate("options => axe.run(document, options)", RULES)["violations"]
    assert [v["id"] for v in found] == []
    shot(page, "rights-delete-confirm")
    if SHOTS:  # the admin's laptop too
        page.set_viewport_size({"width": 1440, "height": 900})
        shot(page, "rights-delete-confirm-laptop")
        page.set_viewport_size({"width": 390, "height": 844})

    confirm = page.get_by_label("To confirm, type Dana Quill or dana@example.com")
    confirm.fill("Dana")
    page.get_by_role("button", name="Delete Dana's account").tap()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was deleted.")
    expect(page.locator("#content-error")).to_have_text(
        "Choose what happens to what they published."
    )
    expect(page.get_by_label("To confirm, type Dana Quill or dana@example.com")).to_have_value(
        "Dana"
    )
    shot(page, "rights-delete-errors")
    assert Person.get_or_none(Person.id == dana.id) is not None

    page.get_by_role("radio", name=re.compile("^Keep them, anonymised")).check()
    page.get_by_label("To confirm, type Dana Quill or dana@example.com").fill("dana@example.com")
    page.get_by_role("button", name="Delete Dana's account").tap()

    expect(page.get_by_role("status").filter(has_text="Deleted Dana Quill")).to_contain_text(
        "Deleted Dana Quill's account"
    )
    expect(page.get_by_text("dana@example.com")).to_have_count(0)
    page.goto(f"{live_server}/stories")
    expect(page.get_by_text("The parcel that came back")).to_be_visible()
    expect(page.get_by_text(FORMER_NAME).first).to_be_visible()


def test_the_confirmation_and_refusal_pages_pass_axe_in_dark_mode(browser, live_server, ada, dana):
    context = _phone_context(browser, color_scheme="dark")
    page = context.new_page()
    try:
        browser_sign_in(page, live_server, ada)
        for path in (f"/admin/people/{dana.id}/delete", f"/admin/people/{ada.id}/delete"):
            page.goto(live_server + path)
            page.evaluate(AXE.read_text())
            found = page.evaluate("options => axe.run(document, options)", RULES)["violations"]
            assert [v["id"] for v in found] == [], path
        expect(
            page.get_by_role("heading", name="You can't delete your own account")
        ).to_be_visible()
        shot(page, "rights-self-dark")
    finally:
        context.close()
