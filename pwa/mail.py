"""The one door to email (Flask-Mailman): invites and password reset links."""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.console import EmailBackend as ConsoleBackend

from push.queue import task

mail = Mail()
log = logging.getLogger(__name__)


# A message the mail server could not take is tried again on the worker, waiting 30 s, then 1, 2,
# 4 and 8 minutes: about a quarter of an hour in all (RETRY_WINDOW), then it is given up.
RETRIES = 5
RETRY_DELAY = 30
RETRY_BACKOFF = 2
RETRY_WINDOW = timedelta(seconds=sum(RETRY_DELAY * RETRY_BACKOFF**n for n in range(RETRIES)) + 60)


class MailError(Exception):
    """The mail server could not be reached or refused the message.

    permanent: the server said no for good (a 5xx reply: no such mailbox, refused as spam), so
    sending again would not help; anything else (a 4xx "try later", a timeout, no connection) may.
    """

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


class OutboxBackend(ConsoleBackend):
    """Without a mail server: every message goes to the console and to an .eml file in the outbox."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outbox = Path(current_app.config["MAIL_OUTBOX"])

    def write_message(self, message) -> None:
        super().write_message(message)
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(3)}.eml"
        (self.outbox / name).write_bytes(message.message().as_bytes())


def configured() -> bool:
    """Whether a real mail server is set up (otherwise mail goes to the console and the outbox)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def where() -> str:
    """Where mail goes on this server, in words for the page that sent it."""
    if configured():
        return "by email"
    return "to this server's console and outbox folder"


def outbox() -> str | None:
    """The outbox folder when there is no mail server, to name on the page that sent a message."""
    return None if configured() else current_app.config["MAIL_OUTBOX"]


def expiry(at: datetime, tz: str) -> str:
    """When a link stops working (a naive UTC time), in words for the zone tz: Fri 20 Nov, 10:00 (Europe/Berlin)."""
    local = at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({tz})"


def message(to: str, subject: str, template: str, **context) -> EmailMultiAlternatives:
    """A plain-text message with an HTML alternative, both from templates/mail/<template>."""
    text = render_template(f"mail/{template}.txt", **context)
    html = render_template(f"mail/{template}.html", subject=subject, **context)
    msg = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    msg.attach_alternative(html, "text/html")
    return msg


def send(msg: EmailMultiAlternatives) -> None:
    """Send now; raise MailError when the server can't be reached or refuses (never call inside a transaction)."""
    try:
        mail.get_connection().send_messages([msg])
    except smtplib.SMTPException as error:
        log.warning("mail to %s refused: %s", msg.to, error)
        raise MailError("the mail server refused it", permanent=_permanent(error)) from error
    except OSError as error:
        log.warning("mail to %s not sent: %s", msg.to, error)
        raise MailError("the mail server could not be reached") from error


def _permanent(error: smtplib.SMTPException) -> bool:
    """Whether the server's refusal is final (5xx for the message or every recipient)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def retried(function):
    """A mail task of the queue, tried again on the worker (RETRIES times, waiting longer each time).

    The task is given its huey task as `task`, so it knows when a try is its last.
    """
    options = {"retries": RETRIES, "retry_delay": RETRY_DELAY, "retry_backoff": RETRY_BACKOFF}
    return task(context=True, **options)(function)


def send_once(msg: EmailMultiAlternatives, what: str, queued) -> MailError | None:
    """Send msg from the mail task queued: None once the server took it, the MailError when it is given up.

    A refusal that may pass (no connection, a timeout, a 4xx) raises MailError while tries are
    left, so the queue runs the task again later; a 5xx, or the last try, is logged and given up.
    Once the server took the message nothing raises, so it is never sent twice.
    """
    try:
        send(msg)
    except MailError as error:
        if error.permanent or not queued.retries:
            log.warning("%s to %s given up: %s", what, msg.to, error)
            return error
        raise
    return None
