"""The lead's team page and the admin page: participation without notes, invites, resets."""

from __future__ import annotations

import html
import re
from datetime import date

from markupsafe import escape

from conftest import make_person, sign_in
from game.indicators import FEWER, PARTICIPATION_HOW
from models import Challenge, CheckIn, Invite, PasswordReset, Person, Team


def test_a_lead_sees_participation_but_never_notes(as_lena, alice, bob):
    CheckIn.create(
        person=alice,
        day=date(2026, 11, 17),
        before="yes",
        before_note="Rehearsed the apology twice",
    )
    CheckIn.create(person=alice, day=date(2026, 11, 18), before="yes")
    page = as_lena.get("/team").get_data(as_text=True)
    assert "<h1>North</h1>" in page
    assert "1 of 3 checked in this week" in page
    assert "Rehearsed the apology" not in page


def test_the_team_page_shows_participation_as_the_dashboard_computes_it(as_lena, alice, bob, lena):
    """The team's figure is the dashboard's (work days so far this week), said in the same words."""
    for day in (16, 17, 18):  # Monday to Wednesday: Alice all three, Bob one; 9 work days
        CheckIn.create(person=alice, day=date(2026, 11, day), before="yes")
    CheckIn.create(person=bob, day=date(2026, 11, 16), before="yes")
    CheckIn.create(person=bob, day=date(2026, 11, 9), before="yes")  # last week: not counted
    page = as_lena.get("/team").get_data(as_text=True)
    assert "Check-in participation this week:</span> <strong>44%</strong>" in page  # 4 of 9
    assert str(escape(PARTICIPATION_HOW)) in page
    dashboard = as_lena.get("/dashboard").get_data(as_text=True)
    assert '<span class="dash-value">44%</span>' in dashboard


def test_the_team_page_says_only_who_took_part_never_how_often(as_lena, alice, bob):
    """Of each member: whether they checked in this week, not on how many days or which."""
    for day in (16, 17, 18):
        CheckIn.create(person=alice, day=date(2026, 11, day), before="yes")
    page = as_lena.get("/team").get_data(as_text=True)
    members = page.split('id="members-heading"', 1)[1].split("</ul>", 1)[0]
    alice_row = members.split("Alice Martin", 1)[1].split("</li>", 1)[0]
    bob_row = members.split("Bob Okafor", 1)[1].split("</li>", 1)[0]
    assert "Checked in this week" in alice_row and "No check-in yet this week" in bob_row
    assert not re.search(r"\d+ (check-in )?days?", members)
    for day in ("Mon", "Tue", "16 Nov", "17 Nov"):
        assert day not in members


def test_a_team_of_fewer_than_three_shows_no_participation_figure(client, carl, south):
    lead = make_person("Sam South", "sam@example.com", role="lead", team=south)
    CheckIn.create(person=carl, day=date(2026, 11, 16), before="yes")
    page = sign_in(client, lead).get("/team").get_data(as_text=True)
    assert f'<strong class="dash-few">{FEWER}</strong>' in page


def test_an_employee_cannot_open_the_team_page(as_alice):
    assert as_alice.get("/team").status_code == 403


def test_the_team_page_links_its_lead_to_this_weeks_announcement(as_lena, lena, bob):
    link = f'href="/teams/{lena.team_id}/announcement">'
    write = link + "Write this week's announcement</a>"
    assert write in as_lena.get("/team").get_data(as_text=True)
    assert as_lena.get(f"/teams/{lena.team_id}/announcement").status_code == 200
    text = "This week's One True Customer recognition goes to Bob Okafor."
    as_lena.post(f"/teams/{lena.team_id}/announcement", data={"receiver": bob.id, "text": text})
    page = as_lena.get("/team").get_data(as_text=True)
    assert "it goes to Bob Okafor" in page
    assert link + "Edit this week's announcement</a>" in page


def test_an_admin_gets_the_announcement_link_of_any_team_an_employee_never(
    client, ada, alice, south
):
    sign_in(client, ada)
    page = client.get(f"/team?team={south.id}").get_data(as_text=True)
    assert f'href="/teams/{south.id}/announcement"' in page
    client.post("/signout")
    sign_in(client, alice)
    assert client.get("/team").status_code == 403
    assert "/announcement" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/teams/{alice.team_id}/announcement").status_code == 403


def test_a_lead_sees_only_their_own_team(as_lena, south, carl):
    assert as_lena.get(f"/team?team={south.id}").status_code == 403
    assert as_lena.post(f"/team/{south.id}/challenge").status_code == 403
    assert Challenge.select().count() == 0


def test_the_team_challenge_keeps_those_part_way_through_unless_asked(as_lena, alice, bob, clock):
    from datetime import date as day

    Challenge.create(person=alice, start=day(2026, 11, 10))
    as_lena.post(f"/team/{alice.team_id}/challenge")
    assert Challenge.current_for(alice).start == day(2026, 11, 10)
    assert Challenge.current_for(bob).start == day(2026, 11, 18)
    page = as_lena.get(f"/team?team={alice.team_id}").get_data(as_text=True)
    assert "Also restart it for the 1 person part-way through" in page
    as_lena.post(f"/team/{alice.team_id}/challenge", data={"restart_running": "1"})
    assert Challenge.current_for(alice).start == day(2026, 11, 18)


def test_a_lead_starts_the_challenge_for_the_whole_team(as_lena, alice, bob, lena, carl):
    response = as_lena.post(f"/team/{alice.team_id}/challenge")
    assert response.status_code == 303
    started = {c.person_id for c in Challenge.select()}
    assert started == {alice.id, bob.id, lena.id}
    page = (
        sign_in(as_lena.application.test_client(), alice).get("/challenge").get_data(as_text=True)
    )
    assert "by Lena Lead for the team" in page


def test_a_lead_invites_someone_to_their_team(as_lena, north, outbox):
    from push.queue import huey

    huey.flush()
    response = as_lena.post(
        f"/team/{north.id}/invite", data={"email": "Nia@Example.com", "name": "Nia"}
    )
    assert response.status_code == 303
    # The request queued its email for a worker and sent nothing itself.
    assert huey.pending_count() == 1 and not list(outbox.glob("*.eml"))
    assert response.location == f"/team?team={north.id}"
    page = as_lena.get(response.location).get_data(as_text=True)
    assert "Invite link for Nia" in page and "/invite/" in page
    # Shown once: a reload doesn't show it (or make another).
    assert "Invite link" not in as_lena.get(response.location).get_data(as_text=True)
    invite = Invite.get()
    assert (invite.email, invite.team_id, invite.role) == ("nia@example.com", north.id, "employee")


def test_a_lead_sees_who_they_invited_in_words_without_a_server_path(as_lena, north, outbox):
    made = as_lena.post(
        f"/team/{north.id}/invite", data={"email": "nia@example.com", "name": "Nia"}
    )
    page = html.unescape(as_lena.get(made.location).get_data(as_text=True))
    assert "No email went out: this app has no mail server set up yet." in page
    assert str(outbox) not in page and "outbox" not in page
    waiting = page.split('id="waiting-heading"')[1].split("</section>")[0]
    assert "Nia" in waiting and "nia@example.com · invited Wed 18 Nov" in waiting
    assert 'Cancel<span class="visually-hidden"> the invite to nia@example.com' in waiting
    # Still listed after the one-time link is gone from the page.
    assert "nia@example.com" in as_lena.get(made.location).get_data(as_text=True)


def test_a_lead_cancels_an_invite_and_its_link_stops(app, as_lena, north, south):
    made = as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    (link,) = re.findall(
        r"/invite/[A-Za-z0-9_\-]+", as_lena.get(made.location).get_data(as_text=True)
    )
    invite = Invite.get()
    other_lead = sign_in(app.test_client(), make_person("Sam", "sam@example.com", "lead", south))
    assert other_lead.post(f"/invites/{invite.id}/cancel").status_code == 403
    assert as_lena.post("/invites/9999/cancel").status_code == 404

    response = as_lena.post(f"/invites/{invite.id}/cancel")

    assert response.status_code == 303 and response.location == f"/team?team={north.id}"
    page = as_lena.get(response.location).get_data(as_text=True)
    assert (
        "The invite to nia@example.com is cancelled" in page and 'id="waiting-heading"' not in page
    )
    assert "nia@example.com" not in app.test_client().get(link).get_data(as_text=True)
    assert Invite.get_by_id(invite.id).used_at is None  # cancelled, not accepted


def cookies_sent(app, *responses) -> list[dict]:
    """The session cookie of each response that set one, decoded as anyone holding it could."""
    serializer = app.session_interface.get_signing_serializer(app)
    found = []
    for response in responses:
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if name == app.config["SESSION_COOKIE_NAME"] and value:
                found.append(serializer.loads(value))
    return found


def test_a_just_made_link_never_travels_in_the_cookie_and_is_shown_once(
    app, as_lena, as_ada, north, alice, outbox
):
    made = as_lena.post(f"/team/{north.id}/invite", data={"email": "nia@example.com"})
    shown = as_lena.get(made.location)
    page = shown.get_data(as_text=True)
    (link,) = re.findall(r"https?://[^\s\"'<>]+/invite/[A-Za-z0-9_\-]+", page)
    reset = as_ada.post(f"/people/{alice.id}/reset", data={"from": "admin"})
    reset_shown = as_ada.get(reset.location)
    (reset_link,) = set(
        re.findall(
            r"https?://[^\s\"'<>]+/reset/[A-Za-z0-9_\-]+", reset_shown.get_data(as_text=True)
        )
    )
    again = as_lena.get(made.location), as_ada.get(reset.location)

    for cookie in cookies_sent(app, made, shown, reset, reset_shown, *again):
        text = repr(cookie)
        assert "made_link" not in cookie and "/invite/" not in text and "/reset/" not in text
    for client in (as_lena, as_ada):
        with client.session_transaction() as cookie:
            assert "made_link" not in cookie
    tokens = (link.rsplit("/", 1)[1], reset_link.rsplit("/", 1)[1])
    for cookie in cookies_sent(app, made, shown, reset, reset_shown, *again):
        assert not any(token in repr(cookie) for token in tokens)
    assert all("/invite/" not in r.get_data(as_text=True) for r in again[:1])
    assert "/reset/" not in again[1].get_data(as_text=True)
    assert as_lena.get(link.replace("http://localhost", "")).status_code == 200


def test_a_bad_invite_email_comes_back_with_the_text_kept(as_lena, north, alice):
    response = as_lena.post(
        f"/team/{north.id}/invite", data={"email": "not an email", "name": "Typed name"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter an email address" in page and 'value="Typed name"' in page
    response = as_lena.post(f"/team/{north.id}/invite", data={"email": alice.email})
    assert "already has an account" in response.get_data(as_text=True)
    assert Invite.select().count() == 0


def test_without_mail_a_lead_makes_no_reset_links(as_lena, alice, north):
    page = as_lena.get(f"/team?team={north.id}").get_data(as_text=True)
    assert "Make a reset link" not in page and "Send a reset link" not in page
    assert "only an admin can make a reset link" in page
    assert as_lena.post(f"/people/{alice.id}/reset").status_code == 403
    assert PasswordReset.select().count() == 0


def test_without_mail_an_admin_makes_a_reset_link_shown_to_them_alone(
    as_ada, alice, outbox, queue_at_once
):
    response = as_ada.post(f"/people/{alice.id}/reset", data={"from": "admin"})
    assert response.status_code == 303
    page = as_ada.get(response.location).get_data(as_text=True)
    assert "Password reset link for Alice Martin" in page and "/reset/" in page
    assert str(outbox) not in page  # the server's folder is in the log, not on the page
    assert "/reset/" not in as_ada.get(response.location).get_data(as_text=True)
    # The worker wrote the very link shown to the outbox.
    (saved,) = outbox.glob("*.eml")
    (shown,) = set(re.findall(r"/reset/[A-Za-z0-9_\-]+", page))
    assert shown in saved.read_text()
    assert as_ada.post("/people/9999/reset").status_code == 404
    assert PasswordReset.get().created_by_id is not None


def test_team_names_beyond_a_to_z_are_the_same_whatever_their_capitals(as_ada):
    assert as_ada.post("/admin/teams", data={"name": "Ølsen Ärzte"}).status_code == 303
    response = as_ada.post("/admin/teams", data={"name": "ØLSEN ÄRZTE"})
    assert response.status_code == 422
    assert "There is already a team called Ølsen Ärzte" in response.get_data(as_text=True)
    assert Team.select().where(Team.name.startswith("Ø")).count() == 1


def test_an_employee_cannot_make_reset_links(as_alice, bob):
    assert as_alice.post(f"/people/{bob.id}/reset").status_code == 403


def test_an_admin_creates_teams_and_invites_with_any_role(as_ada, north):
    as_ada.post("/admin/teams", data={"name": "West"})
    assert Team.get_or_none(Team.name == "West") is not None
    response = as_ada.post("/admin/teams", data={"name": "north"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a team called North" in page
    assert 'value="north"' in page  # what was typed stays in the field
    response = as_ada.post(
        "/admin/invites", data={"email": "lead@example.com", "team": str(north.id), "role": "lead"}
    )
    assert response.status_code == 303
    assert "/invite/" in as_ada.get(response.location).get_data(as_text=True)
    assert Invite.get().role == "lead"


def test_an_admin_invite_refuses_an_unknown_team_or_role(as_ada):
    response = as_ada.post(
        "/admin/invites", data={"email": "x@example.com", "team": "999", "role": "king"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Pick a team from the list" in page and "Pick a role from the list" in page


def test_an_admin_sees_any_team(as_ada, south, carl):
    page = as_ada.get(f"/team?team={south.id}").get_data(as_text=True)
    assert "<h1>South</h1>" in page
    assert "Carl Jensen" in page


def test_only_admins_open_the_admin_page(as_lena):
    assert as_lena.get("/admin").status_code == 403
    assert as_lena.post("/admin/teams", data={"name": "X"}).status_code == 403


def test_an_admin_moves_a_person_changes_their_role_or_stops_their_sign_in(
    as_ada, app, alice, south
):
    other = sign_in(app.test_client(), alice)
    response = as_ada.post(
        f"/admin/people/{alice.id}", data={"team": str(south.id), "role": "lead", "active": "1"}
    )
    assert response.status_code == 303
    person = Person.get_by_id(alice.id)
    assert (person.team_id, person.role, person.active) == (south.id, "lead", True)
    assert "Saved Alice Martin" in as_ada.get("/admin").get_data(as_text=True)
    as_ada.post(f"/admin/people/{alice.id}", data={"team": str(south.id), "role": "lead"})
    assert Person.get_by_id(alice.id).active is False
    assert other.get("/").status_code == 302


def test_an_admin_cannot_lock_themselves_out_or_pick_unknown_values(as_ada, ada, alice):
    as_ada.post(f"/admin/people/{ada.id}", data={"team": "", "role": "employee", "active": "1"})
    assert Person.get_by_id(ada.id).role == "admin"
    assert "remove your own admin rights" in as_ada.get("/admin").get_data(as_text=True)
    as_ada.post(
        f"/admin/people/{alice.id}", data={"team": "999", "role": "employee", "active": "1"}
    )
    assert Person.get_by_id(alice.id).team_id == alice.team_id
    assert as_ada.post("/admin/people/9999", data={"role": "employee"}).status_code == 404


def test_a_lead_cannot_change_people(as_lena, alice):
    assert (
        as_lena.post(f"/admin/people/{alice.id}", data={"role": "admin", "active": "1"}).status_code
        == 403
    )


def test_ids_too_large_for_the_database_are_simply_not_found(as_ada, north):
    huge = "99999999999999999999999"
    for url in (f"/people/{huge}/reset", f"/admin/people/{huge}", f"/team/{huge}/challenge"):
        assert as_ada.post(url, data={"role": "employee"}).status_code == 404, url
    assert as_ada.post(f"/commitment/{huge}/review", data={"kept": "yes"}).status_code == 404
    assert as_ada.post("/people/0/reset").status_code == 404


def test_a_team_number_too_large_for_the_database_is_an_unknown_team(as_ada, alice):
    huge = "99999999999999999999999"
    response = as_ada.post(
        "/admin/invites", data={"email": "x@example.com", "team": huge, "role": "employee"}
    )
    assert response.status_code == 422
    assert "Pick a team from the list" in response.get_data(as_text=True)
    as_ada.post(f"/admin/people/{alice.id}", data={"team": huge, "role": "employee", "active": "1"})
    assert Person.get_by_id(alice.id).team_id == alice.team_id


def test_without_mail_the_person_is_told_after_an_admin_reset_their_password(
    app, as_ada, alice, outbox
):
    as_ada.post(f"/people/{alice.id}/reset", data={"from": "admin"})
    link = re.search(
        r'value="https?://[^/"]+(/reset/[^"]+)"', as_ada.get("/admin").get_data(as_text=True)
    )
    holder = app.test_client()
    holder.post(link.group(1), data={"password": "handed on pw1", "again": "handed on pw1"})
    alice_phone = app.test_client()
    alice_phone.post("/signin", data={"email": alice.email, "password": "handed on pw1"})
    assert "Ada Admin reset your password on Wed 18 Nov" in alice_phone.get("/").get_data(
        as_text=True
    )


def test_an_admin_makes_reset_links_for_leads_and_admins_but_not_the_inactive(
    as_ada, lena, bob, app
):
    other_admin = make_person("Ann Admin", "ann@example.com", role="admin")
    for target in (lena, other_admin):
        assert as_ada.post(f"/people/{target.id}/reset").status_code == 303
    Person.update(active=False).where(Person.id == bob.id).execute()
    assert as_ada.post(f"/people/{bob.id}/reset").status_code == 403
    page = as_ada.get("/admin").get_data(as_text=True)
    assert 'reset link<span class="visually-hidden"> for Bob Okafor' not in page
    assert PasswordReset.select().count() == 2


def test_a_post_to_a_team_that_does_not_exist_changes_no_team(as_ada, north, alice):
    missing = 2147483647
    response = as_ada.post(f"/team/{missing}/invite", data={"email": "nia@example.com"})
    assert response.status_code == 404
    assert as_ada.post(f"/team/{missing}/challenge").status_code == 404
    assert Invite.select().count() == 0 and Challenge.select().count() == 0


def test_odd_team_numbers_in_the_query_are_unknown_teams(as_ada, north):
    for asked in ("²", "٣", "１", "-1", "0", "-99999999999999999999", "9223372036854775808", "1e3"):
        assert as_ada.get("/team", query_string={"team": asked}).status_code == 404, asked
    assert as_ada.get("/team", query_string={"team": ""}).status_code == 200


def test_a_superscript_team_in_admin_forms_is_an_unknown_team(as_ada, alice):
    response = as_ada.post(
        "/admin/invites", data={"email": "x@example.com", "team": "²", "role": "employee"}
    )
    assert response.status_code == 422
    assert "Pick a team from the list" in response.get_data(as_text=True)
    response = as_ada.post(
        f"/admin/people/{alice.id}", data={"team": "²", "role": "employee", "active": "1"}
    )
    assert response.status_code == 303
    assert Person.get_by_id(alice.id).team_id == alice.team_id


def test_an_invite_with_a_name_too_long_is_refused_with_what_was_typed(as_lena, north):
    name = "Nia " + "N" * 90
    response = as_lena.post(
        f"/team/{north.id}/invite", data={"email": "nia@example.com", "name": name}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The name is 94 characters; 80 at most, please." in page and f'value="{name}"' in page
    assert 'data-maxlength="80"' in page
    assert Invite.select().count() == 0
