"""A real browser at a phone viewport: tell a story with a draft that survives, publish, applaud, share."""

from __future__ import annotations

import os
import re
import time
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import browser_sign_in, eventually
from models import Reaction, Story, StoryDraft
from test_stories import tell

pytestmark = pytest.mark.browser


def test_tell_a_story_keep_the_draft_publish_applaud_and_share(page, live_server, alice, bob):
    browser_sign_in(page, live_server, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("North's stories")
    page.get_by_role("link", name="Share a story").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share a One True Customer moment")

    page.get_by_label("Team member").select_option(label="Bob Okafor · North")
    page.get_by_label("Title (optional)").fill("The Saturday Call")
    page.get_by_label("The situation").fill("A question about closing costs on a Saturday.")
    page.get_by_label("The One True Customer moment").fill("Bob called back within the hour.")
    page.get_by_label("The impact (optional)").fill("I felt like their only client.")
    page.get_by_role("group", name="Who was the customer?").get_by_role(
        "radio", name="External customer"
    ).tap()
    page.get_by_role("group", name=re.compile("Daily Filter")).get_by_role(
        "radio", name="During"
    ).tap()
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    assert StoryDraft.get(StoryDraft.person == alice).phase == "during"

    # The draft lives on the server: a reload (or a closed tab) brings it back.
    page.reload()
    expect(page.get_by_text("Your draft from")).to_be_visible()
    expect(page.get_by_label("The One True Customer moment")).to_have_value(
        "Bob called back within the hour."
    )
    expect(page.get_by_label("Team member")).to_have_value(str(bob.id))
    expect(page.get_by_role("radio", name="During")).to_be_checked()
    expect(page.get_by_role("radio", name="External customer")).to_be_checked()

    page.get_by_role("button", name="Publish story").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Saturday Call")
    expect(page.get_by_text("Your story is on the feed")).to_be_visible()
    story = Story.get()
    assert (story.member_id, story.phase, story.customer_kind) == (bob.id, "during", "external")
    assert StoryDraft.select().count() == 0

    page.get_by_role("link", name="All stories").tap()
    expect(page.get_by_role("link", name="The Saturday Call")).to_be_visible()
    page.get_by_role("link", name="The Saturday Call").tap()

    applaud = page.get_by_role("button", name="Applaud")
    expect(applaud).to_have_attribute("aria-pressed", "false")
    applaud.tap()
    expect(page.get_by_role("button", name="Applaud")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("You applauded.")).to_be_visible()
    assert Reaction.select().count() == 1

    # Desktop Chromium has no share sheet: no Share button, Download card and Copy link instead.
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_hidden()
    download = page.get_by_role("link", name="Download card")
    expect(download).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    # Tapping it saves the portrait PNG; the story page stays as it was (hx-boost must not take it).
    with page.expect_download() as saved:
        download.tap()
    card = saved.value
    assert card.suggested_filename == f"one-true-customer-story-{story.id}.png"
    assert re.fullmatch(rf"{live_server}/cards/{story.id}/portrait-[0-9a-f]{{16}}\.png", card.url)
    assert Image.open(card.path()).size == (1080, 1350)
    expect(page.get_by_role("heading", level=1)).to_have_text("The Saturday Call")
    assert page.url == f"{live_server}/stories/{story.id}"
    preview = page.get_by_role("img", name=re.compile("^The story's card"))
    expect(preview).to_be_visible()
    assert (
        preview.evaluate("img => img.complete && img.naturalWidth") == 480
    )  # the WebP shown on the page; the PNG above is what is shared


def test_without_javascript_a_story_is_published_and_shared_by_download(
    nojs_page, live_server, alice
):
    page = nojs_page
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    page.get_by_label("The situation").fill("A call on a Saturday.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved")).to_be_visible()
    page.get_by_label("The One True Customer moment").fill("She called back at once.")
    page.get_by_role("button", name="Publish story").click()
    expect(page.get_by_text("Tap External customer or Colleague.")).to_be_visible()
    expect(page.get_by_label("The situation")).to_have_value("A call on a Saturday.")
    page.get_by_role("radio", name="External customer").check()
    page.get_by_role("radio", name="After").check()
    page.get_by_role("button", name="Publish story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("She called back at once.")
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Download card")).to_be_visible()
    page.get_by_role("button", name="Applaud").click()
    expect(page.get_by_text("You applauded.")).to_be_visible()


def test_without_javascript_discarding_asks_at_an_address_that_reloads(
    nojs_page, live_server, alice
):
    page = nojs_page
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    page.get_by_label("The situation").fill("A call on a Saturday.")
    page.get_by_role("button", name="Save draft").click()
    documents = []
    page.on("request", lambda r: r.is_navigation_request() and documents.append(r.method))
    page.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discard your draft?")
    assert page.url == f"{live_server}/stories/draft/discard"
    assert documents == ["POST", "GET"]  # post, redirect, get: a reload sends nothing again
    page.reload()
    expect(page.get_by_text("“A call on a Saturday.”")).to_be_visible()
    assert documents == ["POST", "GET", "GET"]
    page.get_by_role("button", name="Yes, discard it").click()
    expect(page.get_by_text("Draft discarded.")).to_be_visible()
    assert page.url == f"{live_server}/stories/new"
    assert StoryDraft.select().count() == 0


def test_discarding_with_javascript_asks_at_an_address_that_reloads(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    page.get_by_label("The situation").fill("A call on a Saturday.")
    page.get_by_role("button", name="Save draft").tap()
    page.get_by_role("button", name="Discard draft").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discard your draft?")
    assert page.url == f"{live_server}/stories/draft/discard"
    page.get_by_role("link", name="Keep writing").tap()
    expect(page.get_by_label("The situation")).to_have_value("A call on a Saturday.")


def test_the_feed_loads_older_stories_as_the_reader_scrolls(page, live_server, alice):
    for n in range(1, 14):
        Story.create(
            author=alice,
            member=alice,
            team=alice.team_id,
            day=date(2026, 11, 18),
            title=f"Story number {n:02d}",
            situation="Then.",
            moment="Now.",
            customer_kind="external",
            phase="during",
        )
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories")
    expect(page.get_by_role("link", name="Story number 13")).to_be_visible()
    expect(page.get_by_role("link", name="Story number 01")).to_have_count(0)
    page.get_by_role("link", name="More stories").scroll_into_view_if_needed()
    expect(page.get_by_role("link", name="Story number 01")).to_be_visible()
    expect(page.get_by_role("link", name="More stories")).to_have_count(0)
    assert page.url == f"{live_server}/stories"


PHONE_SHARE_SHEET = """
window.__shared = null;
navigator.canShare = (data) => !!data;
navigator.share = async (data) => {
  const files = await Promise.all((data.files || []).map(async (f) => {
    const bytes = new Uint8Array(await f.arrayBuffer());
    return [f.name, f.type, f.size, Array.from(bytes.slice(0, 4))];
  }));
  window.__shared = {title: data.title, url: data.url, files};
};
"""


def share_tapped(page, share) -> dict:
    """Tap a card's Share button once its card is fetched: what the share sheet was handed."""
    expect(share).to_be_visible()
    # The card is fetched before the tap; a cold render can take a while on a busy machine.
    expect(share).to_have_attribute("data-card-ready", "true", timeout=15_000)
    page.evaluate("window.__shared = null")
    share.tap()
    # Polled from here: wait_for_function would eval a string in the page, which the CSP forbids.
    eventually(
        page, "() => window.__shared !== null", what="the share sheet was never handed a card"
    )
    return page.evaluate("window.__shared")


def test_on_a_phone_share_hands_the_card_png_to_the_share_sheet(page, live_server, alice, bob):
    page.context.add_init_script(PHONE_SHARE_SHEET)
    browser_sign_in(page, live_server, alice)
    story = tell(alice, bob)
    page.goto(f"{live_server}/stories/{story.id}")
    shared = share_tapped(page, page.get_by_role("button", name="Share", exact=True))
    assert shared["title"] == "The Saturday Call"
    assert "/s/" in shared["url"]
    [(name, kind, size, magic)] = shared["files"]
    assert (name, kind) == (f"one-true-customer-story-{story.id}.png", "image/png")
    assert size > 10_000 and magic == [137, 80, 78, 71]


def test_while_the_card_is_drawn_its_place_says_so_and_the_card_takes_it_without_a_shift(
    page, live_server, alice, bob, tmp_path
):
    browser_sign_in(page, live_server, alice)
    story = tell(alice, bob)
    held = []
    # The card's first drawing is slow under load: hold its answer until the place is checked.
    page.route(
        re.compile(r"/cards/\d+/portrait-[0-9a-f]{16}\.webp$"), lambda route: held.append(route)
    )
    page.goto(f"{live_server}/stories/{story.id}")
    frame = page.locator(".card-frame")
    frame.scroll_into_view_if_needed()
    expect(page.get_by_text("Drawing the card…")).to_be_visible()
    box = frame.bounding_box()
    assert box["width"] > 150 and abs(box["height"] - box["width"] * 600 / 480) < 2
    download = page.get_by_role("link", name="Download card").bounding_box()
    page.screenshot(path=tmp_path / "drawing.png")

    assert held, "the card was never asked for"
    held[0].continue_()
    preview = page.get_by_role("img", name=re.compile("^The story's card"))
    eventually(page, "() => document.querySelector('.card-preview').naturalWidth === 480")
    page.screenshot(path=tmp_path / "drawn.png")
    # The card covers the words, in the same place: nothing below it moved.
    assert frame.bounding_box() == box
    assert page.get_by_role("link", name="Download card").bounding_box() == download
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", middle) == "IMG"
    expect(preview).to_be_visible()


def test_a_card_that_could_not_be_drawn_says_so_in_its_place(page, live_server, alice, bob):
    browser_sign_in(page, live_server, alice)
    story = tell(alice, bob)
    page.route(
        re.compile(r"/cards/\d+/portrait-[0-9a-f]{16}\.webp$"),
        lambda route: route.fulfill(status=503, body="busy"),
    )
    page.goto(f"{live_server}/stories/{story.id}")
    page.locator(".card-frame").scroll_into_view_if_needed()
    expect(page.get_by_text("The card couldn't be drawn just now.")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^The story's card"))).to_have_count(0)
    expect(page.get_by_role("link", name="Download card")).to_be_visible()


def wait_for_draft(person, moment: str, seconds: float = 5.0) -> StoryDraft | None:
    """The person's draft once the server holds this moment (a beacon may land a moment later)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        draft = StoryDraft.get_or_none(StoryDraft.person == person)
        if draft is not None and draft.moment == moment:
            return draft
        time.sleep(0.05)
    return None


def test_a_draft_typed_and_closed_at_once_is_back_in_a_new_page(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    moment = "Bob called back within the hour."
    page.get_by_label("The One True Customer moment").press_sequentially(moment, delay=15)
    page.wait_for_timeout(100)  # far less than the autosave's pause
    page.close()
    assert wait_for_draft(alice, moment) is not None
    later = page.context.new_page()
    later.goto(f"{live_server}/stories/new")
    expect(later.get_by_text("Your draft from")).to_be_visible()
    expect(later.get_by_label("The One True Customer moment")).to_have_value(moment)


def test_a_draft_typed_then_left_for_another_app_is_kept(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    # Only the flush may save it: htmx's own autosave is held back.
    page.route(
        "**/stories/draft",
        lambda route: route.abort() if "hx-request" in route.request.headers else route.continue_(),
    )
    page.get_by_label("The situation").press_sequentially("A call on Saturday.", delay=15)
    page.wait_for_timeout(100)
    page.evaluate(
        """() => {
          Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
          document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    # The page stays open, so Playwright's routing has to run while the beacon is on its way.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not StoryDraft.get_or_none(
        situation="A call on Saturday."
    ):
        page.wait_for_timeout(50)
    assert StoryDraft.get(StoryDraft.person == alice).situation == "A call on Saturday."


def test_leaving_the_form_by_a_tab_at_once_keeps_the_draft(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    moment = "She stayed on the line."
    page.get_by_label("The One True Customer moment").press_sequentially(moment, delay=15)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").tap()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Today")
    ).to_have_attribute("aria-current", "page")
    assert wait_for_draft(alice, moment) is not None


def test_a_published_story_leaves_no_draft_behind_when_the_page_closes(page, live_server, alice):
    browser_sign_in(page, live_server, alice)
    page.goto(f"{live_server}/stories/new")
    page.get_by_label("The situation").fill("A call on Saturday.")
    page.get_by_label("The One True Customer moment").press_sequentially("Called back.", delay=15)
    page.get_by_role("radio", name="External customer").tap()
    page.get_by_role("radio", name="After").tap()
    page.get_by_role("button", name="Publish story").tap()
    expect(page.get_by_text("Your story is on the feed")).to_be_visible()
    page.close()
    time.sleep(0.5)
    assert Story.select().count() == 1
    assert StoryDraft.select().count() == 0


def test_the_public_share_page_shows_the_title_once_on_the_card(page, live_server, alice, bob):
    story = tell(alice, bob)
    page.goto(f"{live_server}/s/{story.share_token}")
    heading = page.get_by_role("heading", level=1, name="The Saturday Call")
    expect(heading).to_have_count(1)
    box = heading.bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1)  # for screen readers only
    card = page.get_by_role("img", name=re.compile("^Story card: "))
    expect(card).to_be_visible()
    loaded = "() => document.querySelector('img.public-card').naturalWidth > 0"
    eventually(page, loaded, 15, "the card never loaded")
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS_DIR"], "public-share.png"))
