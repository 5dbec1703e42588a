"""Data rights: a person's own download, an admin's export, and deleting a person (web and shell)."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
import requests

import models
from conftest import PASSWORD, make_person, sign_in
from models import (
    FORMER_EMAIL,
    FORMER_NAME,
    Announcement,
    Badge,
    CardImage,
    Challenge,
    CheckIn,
    Commitment,
    CompanyIdentity,
    Erasure,
    Invite,
    Message,
    Notice,
    PasswordReset,
    Person,
    Pledge,
    PushPreference,
    PushSubscription,
    Reaction,
    Recognition,
    RecognitionApplause,
    SignIn,
    Story,
    StoryDraft,
)
from pwa import rights

PAST_MONDAY = date(2026, 11, 9)  # the week before the tests' Wednesday 18 November 2026
PAST_DAY = date(2026, 11, 11)
NOW = datetime(2026, 11, 18, 9, 0)
DANA_NOTE = "private: I snapped at the caller and I am not proud of it"
DANA_REFLECTION = "private reflection: what changed is how I listen"
DANA_DRAFT = "private draft: the courier who waited"
DANA_COMMITMENT = "private commitment: stop multitasking on calls"


def story(author, member, day=PAST_DAY, **fields):
    values = {
        "author": author,
        "member": member,
        "team": member.team_id,
        "day": day,
        "title": fields.pop("title", "A call that mattered"),
        "situation": "A customer waited on hold for an hour.",
        "moment": "We stayed on the line until it was solved.",
        "customer_kind": "external",
        "phase": "during",
        "share_token": models.new_token(),
        "created_at": datetime.combine(day, datetime.min.time()),
    }
    return Story.create(**{**values, **fields})


def recognition(giver, receiver, day=PAST_DAY, message="Thank you for the calm handover."):
    return Recognition.create(
        giver=giver,
        receiver=receiver,
        team=receiver.team_id,
        message=message,
        customer_kind="colleague",
        day=day,
        week=PAST_MONDAY,
        share_token=models.new_token(),
    )


@pytest.fixture
def dana(north, bob, lena):
    """A person with something in every table that can hold a person."""
    dana = make_person("Dana Quill", "dana@example.com", team=north)
    for day, note in ((PAST_DAY, DANA_NOTE), (date(2026, 11, 17), "")):
        CheckIn.record(
            dana,
            day,
            {"before": "yes", "during": "partly", "after": "yes", "before_note": note},
            f"key-{day}",
            NOW,
        )
    Challenge.create(
        person=dana,
        start=PAST_MONDAY,
        started_by=lena,
        reflection=DANA_REFLECTION,
        completed_at=NOW,
    )
    Challenge.create(person=bob, start=PAST_MONDAY, started_by=dana)
    Commitment.create(
        person=dana, week=PAST_MONDAY, behaviour=DANA_COMMITMENT, situation="calls", kept=True
    )
    Pledge.create(person=dana)
    told = story(dana, dana, title="Her own moment")
    story(dana, bob, title="About Bob, by her")
    story(dana, dana, title="A hidden one", hidden=True, hidden_by=lena)
    about = story(bob, dana, title="Bob tells of her")
    story(bob, bob, title="Bob's own", hidden=True, hidden_by=dana)
    StoryDraft.keep(dana, {"situation": DANA_DRAFT, "member": str(bob.id)}, NOW)
    StoryDraft.keep(bob, {"situation": "bob's draft", "member": str(dana.id)}, NOW)
    given = recognition(dana, bob)
    received = recognition(bob, dana, message="Thank you for staying late.")
    Reaction.create(story=about, person=dana)
    Reaction.create(story=told, person=bob)
    RecognitionApplause.create(recognition=received, person=dana)
    RecognitionApplause.create(recognition=given, person=bob)
    Notice.tell(bob, "recognised", f"recognition:{given.id}", NOW, recognition=given.id)
    Notice.tell(dana, "recognised", f"recognition:{received.id}", NOW, recognition=received.id)
    Badge.award(dana, "first-check-in", NOW)
    Notice.tell(dana, "badge", "badge:first-check-in", NOW, badge="first-check-in")
    announcement = Announcement.write(
        north, PAST_MONDAY, lena, dana, "This week's recognition goes to a calm voice.", NOW
    )
    # Dana stood in for her lead one week.
    Announcement.write(north, date(2026, 11, 2), dana, bob, "This week: Bob's patience.", NOW)
    Notice.tell(dana, "announced", "announcement:1", NOW, announcement=announcement.id)
    Notice.tell(bob, "announced", "announcement:1b", NOW, announcement=announcement.id)
    PushSubscription.create(
        person=dana,
        endpoint="https://push.example.com/dana-phone",
        p256dh="DANA-P256DH",
        auth="DANA-AUTH",
    )
    PushPreference.choose(dana, "08:30", ["reminder"], NOW)
    Message.create(person=dana, kind="reminder", day=PAST_DAY, due_at=NOW, payload="{}")
    Message.create(
        person=bob,
        kind="recognised",
        event_id=f"recognised:recognition-{given.id}",
        due_at=NOW,
        payload='{"title": "Dana Quill recognised you"}',
    )
    Message.create(
        person=bob,
        kind="team_news",
        event_id=f"team_news:announcement-{announcement.id}-{dana.id}",
        due_at=NOW,
        payload="{}",
    )
    SignIn.start(dana, NOW, "Dana's phone")
    PasswordReset.issue(dana, lena, NOW)
    PasswordReset.issue(bob, dana, NOW)
    CompanyIdentity.create(person=dana, issuer="https://id.example.com", subject="dana-sub")
    Invite.issue("dana@example.com", north, "employee", lena, NOW, name="Dana Quill")
    Invite.issue("nia@example.com", north, "employee", dana, NOW, name="Nia")
    CardImage.keep("storyhash", "portrait", b"png of Dana's story", told, NOW)
    CardImage.keep("recohash", "portrait", b"png naming Dana", None, NOW)
    return dana


def download(client) -> dict:
    response = client.get("/me/data")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data().decode("utf-8"))


# The registry of foreign keys -----------------------------------------------------------------


def test_every_foreign_key_to_a_person_is_in_the_download_and_the_deletion():
    found = {rights.link_name(model, field) for model, field in rights.person_foreign_keys()}
    listed = set(rights.PERSON_LINKS)
    assert found - listed == set(), "add these to pwa.rights.PERSON_LINKS (download and deletion)"
    assert listed - found == set(), "these are no longer foreign keys to a person"
    for name, link in rights.PERSON_LINKS.items():
        assert link.erase in ("delete", "unlink", "former", "content", "about"), name
        assert link.export or link.why_not, f"{name}: say in why_not why the download leaves it out"


def test_each_key_the_registry_names_is_in_my_download(client, dana):
    data = download(sign_in(client, dana))
    keys = {link.export for link in rights.PERSON_LINKS.values() if link.export}
    assert keys - set(data) == set()
    for key in keys:
        assert data[key], f"{key} is empty although Dana has some"


# My own download ----------------------------------------------------------------------------------


def test_my_download_holds_my_private_notes_and_everything_of_mine(client, dana, bob):
    data = download(sign_in(client, dana))

    assert data["profile"]["email"] == "dana@example.com"
    assert data["team"] == {"name": "North"}
    assert DANA_NOTE in [c["before_note"] for c in data["check_ins"]]
    assert [c["day"] for c in data["check_ins"]] == ["2026-11-11", "2026-11-17"]
    assert data["challenges"][0]["reflection"] == DANA_REFLECTION
    assert data["challenges"][0]["started_by"] == "Lena Lead"
    assert data["commitments"][0]["behaviour"] == DANA_COMMITMENT
    assert data["story_draft"]["situation"] == DANA_DRAFT
    assert {s["title"] for s in data["stories_told"]} == {
        "Her own moment",
        "About Bob, by her",
        "A hidden one",
    }
    assert [s["title"] for s in data["stories_about_me"]] == ["Bob tells of her"]
    assert data["recognitions_received"][0]["from"] == "Bob Okafor"
    assert data["recognitions_given"][0]["to"] == "Bob Okafor"
    assert data["badges"][0]["badge"] == "first-check-in"
    assert data["push_subscriptions"][0]["endpoint"] == "https://push.example.com/dana-phone"
    assert data["notification_settings"]["reminder_time"] == "08:30"
    assert data["streak"]["longest"] >= 1
    assert data["pledge"]["signed_at"]
    assert [s["user_agent"] for s in data["sign_ins"]][0] == "Dana's phone"
    assert data["company_accounts"][0]["subject"] == "dana-sub"
    assert data["invites"][0]["invited_by"] == "Lena Lead"
    assert data["password_resets"][0]["made_by"] == "Lena Lead"


def test_my_download_never_holds_secrets_or_a_colleagues_private_things(client, dana, bob):
    CheckIn.record(bob, PAST_DAY, {"before": "yes", "before_note": "bob's own secret"}, None, NOW)
    PushSubscription.create(
        person=bob, endpoint="https://push.example.com/bob-phone", p256dh="B-KEY", auth="B-AUTH"
    )
    Challenge.update(reflection="bob's reflection").where(Challenge.person == bob).execute()
    SignIn.start(bob, NOW, "Bob's laptop")
    body = sign_in(client, dana).get("/me/data").get_data(as_text=True)

    for secret in (
        dana.password_hash,
        "DANA-P256DH",
        "DANA-AUTH",
        "bob's own secret",
        "bob's draft",
        "bob-phone",
        "bob's reflection",
        "Bob's laptop",
        bob.email,
        bob.password_hash,
        *[s.token_digest for s in SignIn.select()],
        *[s.share_token for s in Story.select() if s.share_token],
        *[r.token_digest for r in PasswordReset.select()],
    ):
        assert secret not in body
    assert "password_hash" not in body and "token_digest" not in body
    # The stories about Dana Bob hid (as nobody's moderator) or that are hidden aren't shown.
    assert "Bob's own" not in body


def test_a_story_about_me_hidden_by_a_moderator_is_not_in_my_download(client, dana, bob):
    story(bob, dana, title="Hidden about Dana", hidden=True)
    assert "Hidden about Dana" not in sign_in(client, dana).get("/me/data").get_data(as_text=True)


def test_the_download_is_utf8_and_keeps_accents_and_emoji(client, dana):
    CheckIn.record(
        dana, date(2026, 11, 16), {"before": "yes", "before_note": "Ça va 🎉"}, None, NOW
    )
    response = sign_in(client, dana).get("/me/data")
    assert "Ça va 🎉".encode() in response.get_data()


def test_the_download_needs_a_sign_in(client):
    response = client.get("/me/data")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_the_me_page_offers_the_download(as_alice):
    page = as_alice.get("/me").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/me/data"[^>]*download[^>]*>Download my data</a>', page)


# The admin's export ------------------------------------------------------------------------------


def test_an_admins_export_has_the_account_and_published_content_never_notes(as_ada, dana):
    response = as_ada.get(f"/admin/people/{dana.id}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["account"]["email"] == "dana@example.com"
    assert "About Bob, by her" in [s["title"] for s in data["stories_told"]]
    assert data["recognitions_given"][0]["message"] == "Thank you for the calm handover."
    for private in (DANA_NOTE, DANA_REFLECTION, DANA_DRAFT, DANA_COMMITMENT, "DANA-AUTH"):
        assert private not in body
    assert "check_ins" not in data and "story_draft" not in data and "commitments" not in data
    assert dana.password_hash not in body


@pytest.mark.parametrize("who", ["alice", "lena"])
def test_only_admins_export_or_delete(client, request, dana, who):
    sign_in(client, request.getfixturevalue(who))
    assert client.get(f"/admin/people/{dana.id}/export").status_code == 403
    assert client.get(f"/admin/people/{dana.id}/delete").status_code == 403
    response = client.post(
        f"/admin/people/{dana.id}/delete", data={"confirm": "Dana Quill", "content": "keep"}
    )
    assert response.status_code == 403
    assert Person.get_or_none(Person.id == dana.id) is not None


def test_forged_ids_are_not_found(as_ada):
    for path in ("/admin/people/999999/export", "/admin/people/999999/delete"):
        assert as_ada.get(path).status_code == 404
    assert as_ada.post("/admin/people/999999/delete", data={"confirm": "x"}).status_code == 404
    assert as_ada.get("/admin/people/99999999999/delete").status_code == 404
    former = models.former_colleague()
    assert as_ada.get(f"/admin/people/{former.id}/delete").status_code == 404
    assert as_ada.get(f"/people/{former.id}").status_code == 404


def test_an_admin_cannot_delete_themselves_and_is_told_why(as_ada, ada):
    page = as_ada.get(f"/admin/people/{ada.id}/delete")
    assert page.status_code == 403
    assert "You can't delete your own account" in page.get_data(as_text=True)
    response = as_ada.post(
        f"/admin/people/{ada.id}/delete", data={"confirm": ada.email, "content": "keep"}
    )
    assert response.status_code == 403
    assert "another admin" in response.get_data(as_text=True)
    assert Person.get_or_none(Person.id == ada.id) is not None


def test_the_admin_page_links_export_and_delete_for_others_not_myself(as_ada, ada, dana):
    page = as_ada.get("/admin").get_data(as_text=True)
    assert f"/admin/people/{dana.id}/delete" in page
    assert f"/admin/people/{ada.id}/delete" not in page


# Deleting a person -------------------------------------------------------------------------------


def test_the_confirmation_page_says_what_goes_and_asks_for_the_name(as_ada, dana):
    page = as_ada.get(f"/admin/people/{dana.id}/delete").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "Delete Dana Quill's account?" in page
    assert "2 check-ins" in page
    assert "3 stories told and 1 recognition given" in page
    assert 'for="confirm"' in page and 'name="csrf_token"' in page
    assert "Keep them, anonymised" in page and "Delete them too" in page


def test_a_wrong_name_or_no_choice_deletes_nothing_and_keeps_what_was_typed(as_ada, dana):
    response = as_ada.post(
        f"/admin/people/{dana.id}/delete", data={"confirm": "Dana Q", "content": ""}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Dana Q"' in page
    assert "Type Dana Quill or dana@example.com exactly as shown" in page
    assert "Choose what happens to what they published." in page
    assert Person.get_or_none(Person.id == dana.id) is not None


def test_deletion_without_the_csrf_token_is_refused(as_ada, dana):
    response = as_ada.post(
        f"/admin/people/{dana.id}/delete",
        data={"confirm": "Dana Quill", "content": "keep"},
        csrf=False,
    )
    assert response.status_code == 400
    assert Person.get_or_none(Person.id == dana.id) is not None


def past_week_counts() -> dict:
    """Stories and recognitions per team of the past week, counted with plain queries."""

    def rows(sql):
        return sorted(tuple(row) for row in models.db.execute_sql(sql, ()).fetchall())

    return {
        "stories": rows(
            "SELECT team_id, COUNT(*) FROM story WHERE day >= '2026-11-09' AND day < '2026-11-16'"
            " AND hidden = FALSE GROUP BY team_id"
        ),
        "recognitions": rows(
            "SELECT team_id, COUNT(*) FROM recognition WHERE week = '2026-11-09' GROUP BY team_id"
        ),
    }


def remnants(person_id: int, email: str, name: str) -> list[str]:
    """Every place in any table that still refers to the person or holds their email or name."""
    modelled = {model._meta.table_name for model in models.MODELS}
    others = set(models.db.get_tables()) - modelled - {"migratehistory", "sqlite_sequence"}
    assert others == set(), "a table without a model: teach remnants() to search it"
    found = []
    for model in models.MODELS:
        table = model._meta.table_name
        for field in model._meta.sorted_fields:
            column = field.column_name
            if isinstance(field, models.ForeignKeyField) and field.rel_model is Person:
                sql = f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?'
                params = (person_id,)
            elif isinstance(field, models.CharField | models.TextField):
                sql = f'SELECT COUNT(*) FROM "{table}" WHERE LOWER("{column}") LIKE ? OR LOWER("{column}") LIKE ?'
                params = (f"%{email.lower()}%", f"%{name.lower()}%")
            else:
                continue
            sql = sql.replace("?", models.db.obj.param)
            if models.db.execute_sql(sql, params).fetchone()[0]:
                found.append(f"{table}.{column}")
    if Person.get_or_none(Person.id == person_id) is not None:
        found.append("person.id")
    return found


def test_keeping_published_content_anonymised_leaves_nothing_else_of_theirs(
    app, as_ada, ada, dana, bob, lena
):
    other = sign_in(app.test_client(), dana)
    before = past_week_counts()
    north_id = dana.team_id
    assert (north_id, 3) in before["stories"] and (north_id, 2) in before["recognitions"]
    told = {s.id for s in Story.select().where(Story.author == dana)}
    old_links = [s.share_token for s in Story.select().where(Story.author == dana)]
    old_links += [r.share_token for r in Recognition.select().where(Recognition.giver == dana)]

    response = as_ada.post(
        f"/admin/people/{dana.id}/delete", data={"confirm": "  dana QUILL ", "content": "keep"}
    )

    assert response.status_code == 303
    notice = as_ada.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Deleted Dana Quill&#39;s account; 3 stories and 1 recognition they published stay"
        in notice
    )
    assert remnants(dana.id, "dana@example.com", "Dana Quill") == []
    assert past_week_counts() == before
    former = Person.get(Person.email == FORMER_EMAIL)
    assert (former.name, former.active, former.password_hash) == (FORMER_NAME, False, None)
    kept = list(Story.select().where(Story.id.in_(told)))
    assert len(kept) == 3 and {s.author_id for s in kept} == {former.id}
    assert all(s.share_token is None for s in kept)
    assert Story.get(Story.title == "Bob tells of her").member_id == former.id
    assert Recognition.select().where(Recognition.giver == former.id).count() == 1
    assert Recognition.select().where(Recognition.receiver == former.id).count() == 1
    # Others' rows that named Dana stay, without her.
    assert Challenge.get(Challenge.person == bob).started_by_id == former.id
    reset = PasswordReset.get(PasswordReset.person == bob)
    assert reset.created_by_id == former.id
    assert Story.get(Story.title == "Bob's own").hidden_by_id is None
    assert Invite.get(Invite.email == "nia@example.com").created_by_id is None
    assert StoryDraft.of(bob).member == ""
    assert Reaction.select().where(Reaction.person == bob).count() == 1
    # Her name is on no card any more, and every device of hers is signed out.
    assert CardImage.select().count() == 0
    assert other.get("/").status_code == 302
    # The deletion is recorded, without who it was.
    record = Erasure.get()
    assert (record.person_id, record.by_id, record.content) == (dana.id, ada.id, "keep")
    # The old share links show nothing; the cards are drawn again with the former colleague.
    for token in old_links[:-1]:
        assert as_ada.get(f"/s/{token}").status_code == 404
    assert as_ada.get(f"/r/{old_links[-1]}").status_code == 404
    from pwa.stories import card_text

    with app.test_request_context():
        assert card_text(Story.one(min(told)), "preview").teller == FORMER_NAME
    # The story still reads "A former colleague".
    sign_in(app.test_client(), bob)
    page = sign_in(app.test_client(), bob).get(f"/stories/{min(told)}").get_data(as_text=True)
    assert FORMER_NAME in page and "Dana" not in page


def test_deleting_published_content_too_takes_their_stories_and_recognitions(as_ada, dana, bob):
    response = as_ada.post(
        f"/admin/people/{dana.id}/delete", data={"confirm": "dana@example.com", "content": "delete"}
    )

    assert response.status_code == 303
    assert remnants(dana.id, "dana@example.com", "Dana Quill") == []
    former = Person.get(Person.email == FORMER_EMAIL)
    assert Story.select().where(Story.author == former.id).count() == 0
    assert Recognition.select().where(Recognition.giver == former.id).count() == 0
    # What Bob made about her stays, his words, with her anonymised.
    assert Story.get(Story.title == "Bob tells of her").member_id == former.id
    assert Recognition.get(Recognition.giver == bob).receiver_id == former.id
    # Bob's notice of her recognition went with it, and his count of new things follows.
    assert Notice.select().where(Notice.person == bob).count() == 0
    assert Person.get_by_id(bob.id).news_unseen == 0
    assert Message.select().where(Message.person == bob).count() == 0


def test_a_deletion_never_changes_the_figures_of_a_week_that_ended_but_was_not_stored(
    as_ada, dana, north
):
    # Last week closed on Tuesday at noon; the hourly task has not stored it yet, so the dashboard
    # counts it live.
    assert models.WeekFigure.select().count() == 0
    before = last_week_row(as_ada, north)
    assert before[4] != "0"  # her check-ins count in the week's participation

    response = as_ada.post(
        f"/admin/people/{dana.id}/delete", data={"confirm": "dana@example.com", "content": "delete"}
    )

    assert response.status_code == 303
    assert Story.select().where(Story.day == PAST_DAY).count() < 3  # her stories went
    # Every figure stays (the last column, "On a streak", is a person's streak as of now: the
    # dashboard fills it only once the week is stored).
    assert last_week_row(as_ada, north)[:-1] == before[:-1]
    assert models.WeekFigure.select().where(models.WeekFigure.week == PAST_MONDAY).count() > 0


def last_week_row(client, team) -> list[str]:
    """The dashboard's CSV row of the week of PAST_MONDAY for team."""
    body = client.get(f"/dashboard/weeks.csv?team={team.id}").get_data().decode("utf-8-sig")
    return next(row for row in csv.reader(io.StringIO(body)) if row[0] == PAST_MONDAY.isoformat())


def test_a_lead_who_is_deleted_leaves_their_teams_announcements_unsigned(app, lena, dana, bob):
    announcement = Announcement.write(
        lena.team, date(2026, 10, 26), lena, bob, "This week's recognition goes to Bob.", NOW
    )
    with app.app_context():
        assert rights.erase(lena.id, "keep", by=None) is not None
    kept = Announcement.get_by_id(announcement.id)
    assert kept.lead_id is None and kept.receiver_id == bob.id


def test_two_deletions_at_once_make_one_and_neither_fails(live_server, ada, dana):
    session = requests.Session()
    page = session.get(f"{live_server}/signin").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    signed = session.post(
        f"{live_server}/signin",
        data={"email": ada.email, "password": PASSWORD, "csrf_token": csrf},
        allow_redirects=False,
    )
    assert signed.status_code == 303
    page = session.get(f"{live_server}/admin/people/{dana.id}/delete").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"confirm": "Dana Quill", "content": "keep", "csrf_token": csrf}
    barrier = threading.Barrier(3)

    def delete(_):
        barrier.wait()
        return session.post(
            f"{live_server}/admin/people/{dana.id}/delete", data=form, allow_redirects=False
        )

    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(delete, range(3)))

    assert [r.status_code for r in responses] == [303, 303, 303]
    assert Erasure.select().where(Erasure.person_id == dana.id).count() == 1
    assert Person.select().where(Person.email == FORMER_EMAIL).count() == 1
    assert {r.headers["Location"] for r in responses} == {"/admin"}
    assert Person.get_or_none(Person.id == dana.id) is None


def test_the_shell_command_deletes_with_a_one_line_summary(app, runner, dana):
    from manage import cli

    with app.app_context():
        result = runner.invoke(
            cli, ["delete-person", "dana@example.com", "--content", "keep", "--yes"]
        )
        again = runner.invoke(
            cli, ["delete-person", "dana@example.com", "--content", "keep", "--yes"]
        )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        f"Deleted Dana Quill's account; 3 stories and 1 recognition they published stay, by “{FORMER_NAME}”."
    ]
    assert remnants(dana.id, "dana@example.com", "Dana Quill") == []
    assert again.exit_code == 1 and "Nobody has the email dana@example.com" in again.output


def test_deleting_again_says_it_was_already_done(as_ada, dana):
    form = {"confirm": "Dana Quill", "content": "keep"}
    assert as_ada.post(f"/admin/people/{dana.id}/delete", data=form).status_code == 303
    again = as_ada.post(f"/admin/people/{dana.id}/delete", data=form)
    assert (again.status_code, again.headers["Location"]) == (303, "/admin")
    assert "That account was already deleted." in as_ada.get("/admin").get_data(as_text=True)
    assert as_ada.get(f"/admin/people/{dana.id}/delete").status_code == 404


def test_a_colleague_whose_password_they_reset_is_still_told_someone_did(app, client, dana, bob):
    reset = PasswordReset.get(PasswordReset.person == bob)
    assert PasswordReset.claim(reset.id, NOW)
    with app.app_context():
        rights.erase(dana.id, "keep")
    page = sign_in(client, bob).get("/").get_data(as_text=True)
    assert f"{FORMER_NAME} reset your password" in page


def test_the_shell_command_asks_first_and_a_no_deletes_nothing(app, runner, dana):
    from manage import cli

    with app.app_context():
        result = runner.invoke(
            cli, ["delete-person", "dana@example.com", "--content", "delete"], input="n\n"
        )
    assert result.exit_code == 1
    assert "Delete Dana Quill <dana@example.com> for good" in result.output
    assert Person.get_or_none(Person.id == dana.id) is not None
