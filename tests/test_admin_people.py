"""The admin's people list: a table searched, sorted and paged, by plain links or htmx."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from bench.statements import Statements
from conftest import make_person
from models import Person, PersonSummary


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def names(page: str) -> list[str]:
    """The names in the table's rows, in order."""
    return re.findall(r'<th scope="row" data-label="Name"><span class="person-name">([^<]+)', page)


def checked_in(person: Person, day: date) -> None:
    PersonSummary.insert(person=person, last_day=day).on_conflict(
        conflict_target=[PersonSummary.person], update={PersonSummary.last_day: day}
    ).execute()


@pytest.fixture
def people(ada, alice, bob, lena, carl):
    """Five people on two teams (and none), with their last check-ins."""
    checked_in(alice, date(2026, 11, 17))
    checked_in(bob, date(2026, 11, 2))
    checked_in(carl, date(2026, 11, 18))
    return {p.name: p for p in (ada, alice, bob, lena, carl)}


def test_the_table_shows_each_persons_team_role_and_last_check_in(as_ada, people):
    page = page_of(as_ada.get("/admin"))
    assert page.count("<h1>") == 1
    assert names(page) == ["Ada Admin", "Alice Martin", "Bob Okafor", "Carl Jensen", "Lena Lead"]
    row = re.search(rf'<tr id="person-{people["Alice Martin"].id}">.*?</tr>', page, re.S)
    cells = re.sub(r"<[^>]+>", "|", row.group(0))
    assert "alice@example.com" in cells and "North" in cells and "employee" in cells
    assert '<time datetime="2026-11-17">Tue 17 Nov</time>' in row.group(0)
    assert "Never" in re.search(
        rf'<tr id="person-{people["Lena Lead"].id}">.*?</tr>', page, re.S
    ).group(0)
    assert "<strong>1–5</strong> of 5 people · sorted by Name" in page
    assert '<th scope="col" aria-sort="ascending">' in page


def test_search_finds_names_and_emails_whatever_the_case(as_ada, people):
    assert names(page_of(as_ada.get("/admin?q=ALICE"))) == ["Alice Martin"]
    assert names(page_of(as_ada.get("/admin?q=okafor"))) == ["Bob Okafor"]
    assert names(page_of(as_ada.get("/admin?q=lena@example"))) == ["Lena Lead"]
    page = page_of(as_ada.get("/admin?q=example.com"))
    assert len(names(page)) == 5 and "of 5 people matching “example.com”" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ølsen", ["Jens Ølsen"]),
        ("ØLSEN", ["Jens Ølsen"]),
        ("Jens Ø", ["Jens Ølsen"]),
        ("zoë", ["Zoë Ødegård"]),
        ("ØDEGÅRD", ["Zoë Ødegård"]),
    ],
)
def test_search_knows_the_case_of_every_letter_not_only_a_to_z(as_ada, people, query, expected):
    make_person("Jens Ølsen", "jens@example.com")
    make_person("Zoë Ødegård", "zoe@example.com")
    assert names(page_of(as_ada.get(f"/admin?q={query}"))) == expected


def test_wildcards_in_a_search_are_meant_literally(as_ada, people):
    make_person("Dee 100% Sure", "dee@example.com")
    make_person("Under_Score", "under@example.com")
    assert names(page_of(as_ada.get("/admin?q=%25"))) == ["Dee 100% Sure"]
    assert names(page_of(as_ada.get("/admin?q=_"))) == ["Under_Score"]
    assert names(page_of(as_ada.get("/admin?q=!"))) == []
    page = page_of(as_ada.get("/admin?q=nobody-like-this"))
    assert "Nobody's name or email holds “nobody-like-this”." in page
    assert "Nobody matching" in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ada Admin", "Alice Martin", "Bob Okafor", "Carl Jensen", "Lena Lead"]),
        ("-name", ["Lena Lead", "Carl Jensen", "Bob Okafor", "Alice Martin", "Ada Admin"]),
        # By team name, people on no team last either way, by name within a team.
        ("team", ["Alice Martin", "Bob Okafor", "Lena Lead", "Carl Jensen", "Ada Admin"]),
        ("-team", ["Carl Jensen", "Alice Martin", "Bob Okafor", "Lena Lead", "Ada Admin"]),
        ("role", ["Ada Admin", "Lena Lead", "Alice Martin", "Bob Okafor", "Carl Jensen"]),
        ("-role", ["Alice Martin", "Bob Okafor", "Carl Jensen", "Lena Lead", "Ada Admin"]),
        # Never checked in is longest ago.
        ("last", ["Ada Admin", "Lena Lead", "Bob Okafor", "Alice Martin", "Carl Jensen"]),
        ("-last", ["Carl Jensen", "Alice Martin", "Bob Okafor", "Ada Admin", "Lena Lead"]),
    ],
)
def test_the_table_sorts_by_each_column_both_ways(as_ada, people, sort, expected):
    assert names(page_of(as_ada.get(f"/admin?sort={sort}"))) == expected


def test_a_sort_that_is_not_offered_falls_back_to_names(as_ada, people):
    by_name = names(page_of(as_ada.get("/admin")))
    for sort in ("email", "password_hash", "-", "name;DROP TABLE person", "--name", "id"):
        response = as_ada.get("/admin", query_string={"sort": sort})
        assert response.status_code == 200
        assert names(page_of(response)) == by_name, sort


def test_a_sort_header_links_to_the_other_direction_keeping_the_search(as_ada, people):
    page = page_of(as_ada.get("/admin?q=example&sort=team"))
    assert 'href="/admin?q=example&sort=-team"' in page
    assert 'href="/admin?q=example&sort=role"' in page
    assert 'hx-get="/admin?q=example&sort=-team" hx-target="#people-table"' in page
    assert '<input type="hidden" name="sort" value="team" form="people-search">' in page


@pytest.fixture
def crowd(ada, north):
    """Sixty people more, so the list has three pages of 25."""
    for n in range(60):
        make_person(f"Person {n:02d}", f"person{n:02d}@example.com", team=north)


def test_pages_of_25_say_honestly_which_people_they_show(as_ada, crowd):
    first = page_of(as_ada.get("/admin"))
    assert len(names(first)) == 25
    assert "<strong>1–25</strong> of 61 people" in first and "Page 1 of 3" in first
    assert 'rel="next" href="/admin?page=2#people-table"' in first
    assert 'rel="prev"' not in first
    last = page_of(as_ada.get("/admin?page=3"))
    assert len(names(last)) == 11
    assert "<strong>51–61</strong> of 61 people" in last and "Page 3 of 3" in last
    assert 'rel="prev" href="/admin?page=2#people-table"' in last and 'rel="next"' not in last
    everyone = set()
    for n in (1, 2, 3):
        everyone |= set(names(page_of(as_ada.get(f"/admin?page={n}"))))
    assert len(everyone) == 61


def test_a_page_beyond_the_last_or_not_a_number_shows_one_that_exists(as_ada, crowd):
    assert "Page 3 of 3" in page_of(as_ada.get("/admin?page=99"))
    for odd in ("0", "-1", "abc", "²", "1e3", "99999999999999999999999", "9" * 5000):
        response = as_ada.get("/admin", query_string={"page": odd})
        assert response.status_code == 200, odd
        assert len(names(page_of(response))) in (25, 11), odd
    filtered = page_of(as_ada.get("/admin?q=Person 0&page=3"))
    assert "<strong>1–10</strong> of 10 people" in filtered and "Page 1 of 1" not in filtered


def test_an_htmx_request_gets_the_table_alone(as_ada, crowd):
    response = as_ada.htmx("GET", "/admin?q=person&sort=-name&page=2")
    body = page_of(response)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="people-table"')
    assert "HX-Request" in response.headers["Vary"]
    assert names(body)[0] == "Person 34"
    # A boosted navigation (a plain link with JavaScript on) still gets the whole page.
    boosted = as_ada.htmx("GET", "/admin?page=2", headers={"HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_the_list_reads_the_same_statements_for_five_people_or_sixty(app, as_ada, people):
    with Statements() as few:
        as_ada.get("/admin")
    for n in range(60):
        make_person(
            f"Person {n:02d}", f"person{n:02d}@example.com", team=people["Alice Martin"].team
        )
    with Statements() as many:
        as_ada.get("/admin?sort=-last&q=person")
    assert len(many.data) == len(few.data), [sql for _, sql in many.data]
    # The sign-in, the teams, invites not sent, the count and the page (and a reset's check).
    assert len(few.data) <= 7, [sql for _, sql in few.data]


def test_saving_a_person_comes_back_to_the_same_place_in_the_list(as_ada, crowd, north):
    person = Person.get(Person.name == "Person 20")
    response = as_ada.post(
        f"/admin/people/{person.id}",
        data={
            "team": str(north.id),
            "role": "lead",
            "active": "1",
            "q": "person",
            "sort": "-name",
            "page": "2",
        },
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/admin?q=person&sort=-name&page=2#person-{person.id}")
    page = page_of(as_ada.get(response.location))
    assert "Saved Person 20: lead, North." in page
    assert "Person 20" in names(page)
    assert Person.get_by_id(person.id).role == "lead"


def test_each_row_keeps_its_reset_and_change_actions_labelled_by_name(as_ada, people):
    page = page_of(as_ada.get("/admin?sort=role&page=1"))
    alice = people["Alice Martin"]
    assert 'Make a reset link<span class="visually-hidden"> for Alice Martin</span>' in page
    assert 'Change<span class="visually-hidden"> team or role of Alice Martin</span>' in page
    # The form itself comes when a row is opened (with JavaScript) or as a page of its own.
    assert f'hx-get="/admin/people/{alice.id}/edit?sort=role"' in page
    assert f'<a href="/admin/people/{alice.id}/edit?sort=role">Change Alice Martin\'s team' in page
    assert f'label for="team-{alice.id}"' not in page


def test_a_persons_change_form_is_a_page_or_a_fragment_that_remembers_the_list(
    as_ada, people, north
):
    alice = people["Alice Martin"]
    page = page_of(as_ada.get(f"/admin/people/{alice.id}/edit?q=al&sort=-last&page=2"))
    assert "<h1>Alice Martin</h1>" in page
    assert f'<label for="team-{alice.id}">Team</label>' in page
    assert f'<option value="{north.id}" selected>North</option>' in page
    assert '<input type="hidden" name="q" value="al">' in page
    assert '<input type="hidden" name="sort" value="-last">' in page
    assert 'href="/admin?q=al&sort=-last&page=2">← Back to the people list' in page
    response = as_ada.htmx("GET", f"/admin/people/{alice.id}/edit?sort=team")
    body = page_of(response)
    assert "<html" not in body and body.startswith(f'<form id="person-form-{alice.id}"')
    assert "HX-Request" in response.headers["Vary"]
    assert as_ada.get("/admin/people/9999/edit").status_code == 404


def test_only_an_admin_opens_a_persons_change_form(app, lena, alice):
    from conftest import sign_in

    lead = sign_in(app.test_client(), lena)
    assert lead.get(f"/admin/people/{alice.id}/edit").status_code == 403


def test_a_search_for_a_word_like_name_is_kept_in_the_links(as_ada, people):
    make_person("Nameless Nina", "nina@example.com")
    page = page_of(as_ada.get("/admin?q=name&page=1"))
    assert names(page) == ["Nameless Nina"]
    assert 'href="/admin?q=name&sort=-name"' in page


def test_the_people_come_before_the_set_up_forms_unless_one_was_refused(as_ada, people):
    """On a phone the search and the list are what an admin comes for; a refused form stays in sight."""
    page = as_ada.get("/admin").get_data(as_text=True)
    assert page.index('id="people-q"') < page.index("New team name") < page.index("Invite someone")
    refused = as_ada.post(
        "/admin/teams", data={"name": "", "csrf_token": as_ada.csrf_token()}
    ).get_data(as_text=True)
    assert "Give the team a name." in refused
    assert refused.index("New team name") < refused.index('id="people-q"')
