"""Company sign-in through OpenID Connect, with Authlib's Flask client (code flow, PKCE, nonce)."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from joserfc.errors import JoseError

from models import CompanyIdentity, Invite, Person
from pwa import clock
from pwa.account import _safe_next, _start_session
from pwa.web import clean_text, external_url, normal_email, render

bp = Blueprint("company", __name__)
log = logging.getLogger(__name__)


def enabled(app: Flask) -> bool:
    """Whether issuer, client id and secret are all configured."""
    config = app.config
    return bool(config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"])


def init_app(app: Flask) -> None:
    """Register the provider (discovered from its issuer on first use) when configured."""
    name = app.config["OIDC_PROVIDER_NAME"] if enabled(app) else None
    app.jinja_env.globals["company"] = name
    if not name:
        return
    oauth = OAuth(app)
    oauth.register(
        "company",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            # A provider that accepts the connection but never answers is down, not a hung worker.
            "default_timeout": app.config["OIDC_TIMEOUT"],
        },
    )
    app.extensions["company_oauth"] = oauth


def _client():
    oauth = current_app.extensions.get("company_oauth")
    if oauth is None:
        return None
    return oauth.create_client("company")


def _refused(message: str, status: int = 403):
    """A clear page for a sign-in that didn't work; nothing was made or changed."""
    return render(
        "account/company_refused.html",
        status=status,
        message=message,
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    )


@bp.route("/signin/company", methods=["POST"])
def start():
    """Send the person to the provider to sign in (state, nonce and PKCE kept in the session)."""
    client = _client()
    if client is None:
        return _refused("Company sign-in isn't set up here.", 404)
    session["company_next"] = _safe_next(request.form.get("next"))
    try:
        return client.authorize_redirect(external_url("company.callback"))
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        log.warning("provider discovery failed: %s", error)
        return _refused(_unreachable(), 502)


def _unreachable() -> str:
    name = current_app.config["OIDC_PROVIDER_NAME"]
    return f"We couldn't reach {name} just now. Try again in a minute."


@bp.route("/signin/company/callback")
def callback():
    """Check the provider's answer and ID token, then sign in the person it names."""
    client = _client()
    if client is None:
        return _refused("Company sign-in isn't set up here.", 404)
    name = current_app.config["OIDC_PROVIDER_NAME"]
    try:
        token = client.authorize_access_token()
    except MismatchingStateError:
        return _refused("This sign-in link is old or was already used. Start again.", 400)
    except OAuthError as error:
        log.info("provider refused: %s", error)
        return _refused(f"{name} didn't sign you in. Start again, or ask your admin.", 403)
    except requests.RequestException as error:
        log.warning("provider token request failed: %s", error)
        return _refused(_unreachable(), 502)
    except (AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError) as error:
        log.warning("provider ID token refused: %s", error)
        return _refused(f"{name}'s answer didn't pass our checks, so nobody was signed in.", 400)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub") or not claims.get("iss"):
        return _refused(f"{name}'s answer didn't pass our checks, so nobody was signed in.", 400)
    person, message = _person_for(claims)
    if person is None:
        return _refused(message)
    next_url = session.get("company_next") or url_for("today.index")
    _start_session(person)
    return redirect(next_url, code=303)


def _verified_email(claims) -> tuple[str | None, str]:
    """The provider's email for this person if it vouches for it, or None and why not."""
    name = current_app.config["OIDC_PROVIDER_NAME"]
    email, error = normal_email(claims.get("email"))
    if error:
        return None, f"{name} didn't tell us your email address, so we can't find your account."
    verified = claims.get("email_verified")
    # Entra ID sends no email_verified at all: trusted only where the deployment says so.
    if verified is True or (verified is None and current_app.config["OIDC_TRUST_UNVERIFIED_EMAIL"]):
        return email, ""
    return None, f"{name} hasn't confirmed that {email} is yours, so we can't sign you in with it."


def _allowed_domain(email: str) -> bool:
    domains = {
        d.strip().lower().lstrip("@")
        for d in current_app.config["OIDC_ALLOWED_DOMAINS"].split(",")
        if d.strip()
    }
    return email.rsplit("@", 1)[1] in domains


def _person_for(claims) -> tuple[Person | None, str]:
    """Who signs in: the linked account, else one matched by verified email (then linked)."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    person = CompanyIdentity.person_for(issuer, subject)
    if person is None:
        person, why = _match(claims, issuer, subject)
        if person is None:
            # A sign-in of the same provider account at the same moment may have just linked it.
            person = CompanyIdentity.person_for(issuer, subject)
            if person is None:
                return None, why
    if not person.active:
        return None, "Your account can no longer sign in. Ask your admin."
    return person, ""


def _match(claims, issuer: str, subject: str) -> tuple[Person | None, str]:
    """A person for a provider account not linked yet: by verified email, invite or domain."""
    email, why = _verified_email(claims)
    if email is None:
        return None, why
    now = clock.naive_now()
    person = Person.by_email(email)
    if person is not None:
        if not person.active:
            return None, "Your account can no longer sign in. Ask your admin."
        if CompanyIdentity.linked(person, issuer):
            # Another account at the provider already signs in as this person: never let a second in.
            return None, f"The account for {email} is linked to a different company account."
        found = CompanyIdentity.link(person, issuer, subject, now)
    elif (invite := Invite.pending_for(email, now)) is not None:
        found = CompanyIdentity.join_by_invite(
            invite, _name(claims, invite.name, email), issuer, subject, now
        )
    elif _allowed_domain(email):
        found = CompanyIdentity.join_by_domain(
            email, _name(claims, "", email), issuer, subject, now
        )
    else:
        return (
            None,
            f"There's no account or invite for {email} here. Ask your team lead for an invite.",
        )
    if found is None:
        return None, "Someone else signed in with these details at the same moment. Try again."
    return found, ""


def _name(claims, invited_name: str, email: str) -> str:
    """A display name: the invite's, the provider's, or the address before the @."""
    return (invited_name or clean_text(claims.get("name")) or email.split("@")[0])[:80]
