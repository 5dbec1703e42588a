"""Company sign-in against a real OpenID Connect provider (oidc-provider-mock) started by the tests."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from joserfc.jws import extract_compact
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from conftest import PASSWORD, make_person
from models import CompanyIdentity, Invite, Person
from models import PasswordReset as PasswordResetLink

# The mock provider is plain HTTP on 127.0.0.1; Authlib refuses that unless told.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
# The mock provider uses Authlib APIs that Authlib itself now marks as deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Provider:
    """oidc-provider-mock behind a WSGI layer that lets a test forge the ID token or go down."""

    def __init__(self):
        import oidc_provider_mock

        self.inner = oidc_provider_mock.app()
        self.forge = None  # claims -> a token string of the test's making
        self.down = False
        self.extra_keys: list[dict] = []
        self.requests: list[str] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request.full_path)
        if self.down:
            return Response("down", 503)(environ, start_response)
        response = Response.from_app(self.inner, environ, buffered=True)
        if request.path == "/jwks" and self.extra_keys:
            keys = json.loads(response.get_data())
            keys["keys"] += self.extra_keys
            response.set_data(json.dumps(keys))
        if request.path == "/oauth2/token" and self.forge and response.status_code == 200:
            body = json.loads(response.get_data())
            # The provider's own claims (nonce, times) as the starting point of the forgery.
            claims = json.loads(extract_compact(body["id_token"].encode()).payload)
            body["id_token"] = self.forge(claims)
            response.set_data(json.dumps(body))
        return response(environ, start_response)

    def set_user(self, sub: str, claims: dict) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def provider_server():
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_port}"
    yield provider
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def provider(provider_server):
    provider_server.forge = None
    provider_server.down = False
    provider_server.extra_keys = []
    provider_server.requests.clear()
    return provider_server


@pytest.fixture
def app_config(provider_server):
    return {
        "OIDC_ISSUER": provider_server.url,
        "OIDC_CLIENT_ID": "one-true-customer",
        "OIDC_CLIENT_SECRET": "test-client-secret",
        "OIDC_PROVIDER_NAME": "Acme ID",
        "OIDC_ALLOWED_DOMAINS": "acme.example",
    }


def start(client):
    """Press "Sign in with Acme ID": the app sends the browser to the provider."""
    response = client.post("/signin/company")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def approve(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as sub; return the app's callback path with code and state."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    parts = urlsplit(response.headers["Location"])
    return f"{parts.path}?{parts.query}"


def company_sign_in(client, provider, sub: str, claims: dict):
    provider.set_user(sub, claims)
    return client.get(approve(start(client), sub))


def test_the_sign_in_page_offers_the_company_account(client):
    page = client.get("/signin").get_data(as_text=True)
    assert "Sign in with Acme ID" in page
    assert page.count("<h1") == 1


def test_the_request_to_the_provider_carries_state_nonce_and_pkce(client, provider):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split() and "email" in query["scope"][0].split()
    assert any(r.startswith("/.well-known/openid-configuration") for r in provider.requests)


def test_a_verified_email_signs_in_the_matching_account_and_links_it(client, provider, alice):
    response = company_sign_in(
        client, provider, "alice-1", {"email": "Alice@Example.com", "email_verified": True}
    )
    assert (response.status_code, response.location) == (303, "/")
    assert 'value="Alice Martin"' in client.get("/me").get_data(as_text=True)
    link = CompanyIdentity.get()
    assert (link.person_id, link.issuer, link.subject) == (alice.id, provider.url, "alice-1")


def test_a_linked_account_survives_an_email_change_at_the_provider(app, provider, alice):
    first = app.test_client()
    company_sign_in(first, provider, "alice-1", {"email": alice.email, "email_verified": True})
    later = app.test_client()
    response = company_sign_in(
        later, provider, "alice-1", {"email": "alice.martin@acme.example", "email_verified": True}
    )
    assert response.status_code == 303
    assert 'value="Alice Martin"' in later.get("/me").get_data(as_text=True)
    assert Person.select().count() == 1


def test_a_new_provider_account_with_a_taken_email_is_not_let_in(app, provider, alice):
    company_sign_in(
        app.test_client(), provider, "alice-1", {"email": alice.email, "email_verified": True}
    )
    intruder = app.test_client()
    response = company_sign_in(
        intruder, provider, "someone-else", {"email": alice.email, "email_verified": True}
    )
    assert response.status_code == 403
    assert "linked to a different company account" in response.get_data(as_text=True)
    assert intruder.get("/").status_code == 302
    assert CompanyIdentity.select().count() == 1


def test_a_pending_invite_becomes_an_account_at_company_sign_in(
    client, provider, north, ada, clock
):
    Invite.issue("nia@example.com", north, "lead", ada, clock.now().replace(tzinfo=None), "Nia")
    response = company_sign_in(
        client, provider, "nia-7", {"email": "nia@example.com", "email_verified": True}
    )
    assert response.status_code == 303
    nia = Person.by_email("nia@example.com")
    assert (nia.name, nia.team_id, nia.role, nia.password_hash) == ("Nia", north.id, "lead", None)
    assert Invite.get().used_at is not None
    assert CompanyIdentity.get().person_id == nia.id


def test_anyone_from_an_allowed_domain_joins_as_an_employee_without_a_team(client, provider):
    response = company_sign_in(
        client,
        provider,
        "omar-3",
        {"email": "omar@acme.example", "email_verified": True, "name": "Omar Haddad"},
    )
    assert response.status_code == 303
    omar = Person.by_email("omar@acme.example")
    assert (omar.name, omar.role, omar.team_id) == ("Omar Haddad", "employee", None)
    for path in ("/", "/stories", "/challenge", "/me"):
        assert client.get(path).status_code == 200, path


def test_an_unknown_email_is_refused_and_nothing_is_made(client, provider, alice):
    response = company_sign_in(
        client, provider, "x-1", {"email": "stranger@elsewhere.example", "email_verified": True}
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "no account or invite for stranger@elsewhere.example" in page
    assert "Back to sign in" in page and page.count("<h1") == 1
    assert (Person.select().count(), CompanyIdentity.select().count()) == (1, 0)


def test_an_unverified_email_is_refused(client, provider, alice):
    response = company_sign_in(
        client, provider, "alice-1", {"email": alice.email, "email_verified": False}
    )
    assert response.status_code == 403
    assert "confirmed" in response.get_data(as_text=True)
    response = company_sign_in(client, provider, "alice-2", {"email": alice.email})
    assert response.status_code == 403
    assert CompanyIdentity.select().count() == 0


def test_an_email_without_the_verified_claim_is_trusted_when_configured(app, provider, alice):
    app.config["OIDC_TRUST_UNVERIFIED_EMAIL"] = True
    client = app.test_client()
    response = company_sign_in(client, provider, "entra-oid-1", {"email": alice.email})
    assert response.status_code == 303
    # An explicit "not verified" stays refused.
    response = company_sign_in(
        app.test_client(),
        provider,
        "entra-oid-2",
        {"email": "x@acme.example", "email_verified": False},
    )
    assert response.status_code == 403


def test_a_replayed_or_forged_state_is_refused(client, provider, alice):
    provider.set_user("alice-1", {"email": alice.email, "email_verified": True})
    callback = approve(start(client), "alice-1")
    assert client.get(callback).status_code == 303
    client.post("/signout")
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "old or was already used" in replay.get_data(as_text=True)
    start(client)
    forged = client.get("/signin/company/callback?code=abc&state=forged")
    assert forged.status_code == 400
    assert client.get("/").status_code == 302


def test_a_provider_that_says_no_is_a_clear_page(client, provider):
    start(client)
    response = client.get("/signin/company/callback?error=access_denied&state=x")
    assert response.status_code in (400, 403)
    assert "Acme ID" in response.get_data(as_text=True) or "Start again" in response.get_data(
        as_text=True
    )


def forged_token(key: RSAKey, **changes):
    def forge(claims: dict) -> str:
        claims = {**claims, **changes}
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    return forge


@pytest.fixture
def test_key():
    return RSAKey.generate_key(2048, parameters={"kid": "test-key"})


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-app"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"iss": "https://evil.example"},
        {"nonce": "not-the-one-we-sent"},
    ],
    ids=["another audience", "expired", "another issuer", "wrong nonce"],
)
def test_an_id_token_that_fails_its_checks_is_refused(client, provider, alice, test_key, changes):
    provider.extra_keys = [test_key.as_dict(private=False)]
    provider.forge = forged_token(test_key, **changes)
    response = company_sign_in(
        client, provider, "alice-1", {"email": alice.email, "email_verified": True}
    )
    assert response.status_code == 400
    assert "didn&#39;t pass our checks" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert CompanyIdentity.select().count() == 0


def test_a_good_token_of_our_own_making_is_accepted_so_the_refusals_mean_something(
    client, provider, alice, test_key
):
    provider.extra_keys = [test_key.as_dict(private=False)]
    provider.forge = forged_token(test_key)
    response = company_sign_in(
        client, provider, "alice-1", {"email": alice.email, "email_verified": True}
    )
    assert response.status_code == 303


def test_a_wrongly_signed_id_token_is_refused(client, provider, alice, test_key):
    provider.forge = forged_token(test_key)  # its key is not among the provider's
    response = company_sign_in(
        client, provider, "alice-1", {"email": alice.email, "email_verified": True}
    )
    assert response.status_code == 400
    assert CompanyIdentity.select().count() == 0


def test_a_provider_that_is_down_is_a_clear_page(client, provider):
    provider.down = True
    response = client.post("/signin/company")
    assert response.status_code == 502
    assert "couldn&#39;t reach Acme ID" in response.get_data(as_text=True)


def test_a_provider_that_goes_down_mid_sign_in_is_a_clear_page(client, provider, alice):
    provider.set_user("alice-1", {"email": alice.email, "email_verified": True})
    callback = approve(start(client), "alice-1")
    provider.down = True
    response = client.get(callback)
    assert response.status_code in (400, 502)
    assert CompanyIdentity.select().count() == 0


def test_a_provider_that_cannot_be_reached_at_all_is_a_clear_page(database_url, clock):
    from pwa import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CLOCK": clock,
            "WTF_CSRF_ENABLED": False,
            "OIDC_ISSUER": f"http://127.0.0.1:{port}",
            "OIDC_CLIENT_ID": "x",
            "OIDC_CLIENT_SECRET": "y",
        }
    )
    response = app.test_client().post("/signin/company")
    assert response.status_code == 502


def test_a_provider_that_never_answers_is_a_clear_page_in_time(database_url, clock):
    from pwa import create_app

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    try:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "CLOCK": clock,
                "WTF_CSRF_ENABLED": False,
                "OIDC_ISSUER": f"http://127.0.0.1:{silent.getsockname()[1]}",
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
                "OIDC_TIMEOUT": 1,
            }
        )
        started = time.monotonic()
        response = app.test_client().post("/signin/company")
        assert response.status_code == 502
        assert time.monotonic() - started < 5
    finally:
        silent.close()


def test_signing_out_says_it_does_not_sign_out_of_the_provider(client, provider, alice):
    company_sign_in(client, provider, "alice-1", {"email": alice.email, "email_verified": True})
    response = client.post("/signout")
    page = client.get(response.location).get_data(as_text=True)
    assert "signed out of One True Customer" in page and "still signed in at Acme ID" in page


def test_with_passwords_off_only_the_provider_signs_in(app, client, alice, lena, north):
    app.config["PASSWORD_SIGN_IN"] = False
    page = client.get("/signin").get_data(as_text=True)
    assert "Sign in with Acme ID" in page and 'name="password"' not in page
    assert "Forgot your password?" not in page
    response = client.post("/signin", data={"email": alice.email, "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/forgot").status_code == 404
    assert client.get("/").status_code == 302


def test_an_inactive_linked_person_is_refused(client, provider, north):
    gone = make_person("Gone", "gone@example.com", team=north)
    company_sign_in(client, provider, "gone-1", {"email": gone.email, "email_verified": True})
    client.post("/signout")
    Person.update(active=False).where(Person.id == gone.id).execute()
    response = company_sign_in(
        client, provider, "gone-1", {"email": gone.email, "email_verified": True}
    )
    assert response.status_code == 403
    assert "no longer sign in" in response.get_data(as_text=True)


def test_four_company_sign_ins_at_once_on_one_invite_make_one_account(
    live_server, provider, north, ada, clock
):
    Invite.issue("nia@example.com", north, "employee", ada, clock.now().replace(tzinfo=None))
    provider.set_user("nia-7", {"email": "nia@example.com", "email_verified": True})
    callbacks = []
    for _ in range(4):
        session = requests.Session()
        page = session.get(f"{live_server}/signin").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        started = session.post(
            f"{live_server}/signin/company", data={"csrf_token": token}, allow_redirects=False
        )
        callbacks.append((session, approve(started.headers["Location"], "nia-7")))

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda job: job[0].get(f"{live_server}{job[1]}", allow_redirects=False),
                callbacks,
            )
        )

    assert [r.status_code for r in responses] == [303] * 4, [r.text[:200] for r in responses]
    assert Person.select().where(Person.email == "nia@example.com").count() == 1
    assert CompanyIdentity.select().count() == 1
    assert Invite.get().used_at is not None


def test_with_passwords_off_an_invite_is_accepted_through_the_provider(
    app, client, provider, north, ada, clock, alice, lena
):
    app.config["PASSWORD_SIGN_IN"] = False
    token = Invite.issue(
        "nia@example.com", north, "employee", ada, clock.now().replace(tzinfo=None)
    )
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "Sign in with Acme ID" in page and 'name="password"' not in page
    response = client.post(
        f"/invite/{token}",
        data={"name": "Nia", "password": "x" * 12, "again": "x" * 12, "tz": "UTC"},
    )
    assert response.status_code == 403
    assert Person.by_email("nia@example.com") is None
    reset = PasswordResetLink.issue(alice, lena, clock.now().replace(tzinfo=None))
    assert client.get(f"/reset/{reset}").status_code == 404
    response = company_sign_in(
        client, provider, "nia-7", {"email": "nia@example.com", "email_verified": True}
    )
    assert response.status_code == 303
    assert Person.by_email("nia@example.com").password_hash is None
