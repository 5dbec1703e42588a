"""CSRF tokens that differ in every response (against BREACH) and still validate."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pwa.csrf import mask, unmask

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_two_responses_carry_different_token_strings_that_both_validate(as_alice):
    first = TOKEN.search(as_alice.get("/pledge").get_data(as_text=True)).group(1)
    second = TOKEN.search(as_alice.get("/pledge").get_data(as_text=True)).group(1)
    assert first != second
    for token in (first, second):
        response = as_alice.post("/pledge", data={"csrf_token": token}, csrf=False)
        assert response.status_code == 303


def test_every_response_masks_its_token_apart(as_alice):
    # BREACH needs the same secret string in many responses; each response gets its own pad
    # (its meta tag and forms share it: a repeat inside one response tells an attacker nothing).
    pages = [as_alice.get("/pledge").get_data(as_text=True) for _ in range(5)]
    per_page = [set(TOKEN.findall(page) + FIELD.findall(page)) for page in pages]
    assert all(len(tokens) == 1 for tokens in per_page)
    assert len(set.union(*per_page)) == len(pages)


def test_a_masked_token_sent_as_the_htmx_header_validates(as_alice):
    token = TOKEN.search(as_alice.get("/pledge").get_data(as_text=True)).group(1)
    response = as_alice.post("/pledge", headers={"X-CSRFToken": token}, csrf=False)
    assert response.status_code == 303


def test_a_tampered_token_is_refused(as_alice):
    token = TOKEN.search(as_alice.get("/pledge").get_data(as_text=True)).group(1)
    tampered = ("B" if token[5] == "A" else "A").join((token[:5], token[6:]))
    for bad in (tampered, token[:-4], "not a token", "%00"):
        response = as_alice.post("/pledge", data={"csrf_token": bad}, csrf=False)
        assert response.status_code == 400


def test_a_token_from_another_session_is_refused(app, as_alice, alice):
    stranger = app.test_client()
    token = TOKEN.search(stranger.get("/signin").get_data(as_text=True)).group(1)
    response = as_alice.post("/pledge", data={"csrf_token": token}, csrf=False)
    assert response.status_code == 400


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), min_size=1))
def test_unmask_undoes_mask_and_no_two_masks_are_alike(token):
    token = f"{token}.sig"
    assert unmask(mask(token)) == token
    assert mask(token) != mask(token)
