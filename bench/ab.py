"""Today from two checkouts side by side, with wrk in turns: is one commit faster than another?

    git worktree add --detach /tmp/before HEAD~1     # the commit to compare with
    ln -s "$PWD/.venv" /tmp/before/ && cp -r pwa/static/vendor /tmp/before/pwa/static/
    .venv/bin/python bench/ab.py /tmp/before .                      # on bench/today.py's PostgreSQL
    .venv/bin/python bench/ab.py /tmp/before . --database sqlite:////tmp/bench.db --seconds 40

A change of a few percent is lost in the swings of a shared two-core host between two `make bench`
runs. Here both checkouts serve the same database at once (gunicorn as in `bench/today.py`), one
person's Today is asked of each in turns with wrk, and the second's requests per second are printed
as a multiple of the first's, with the turn-by-turn range: run it both ways round before believing it.
The database must hold `bench/today.py`'s data (a `make bench` leaves it in PostgreSQL's `otc_bench`);
the person is its last employee, with a new sign-in.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.today import (  # noqa: E402
    POSTGRES_URL,
    SECRET_KEY,
    Person,
    Server,
    session_cookie,
    wrk,
    wrk_in_turns,
)


def signed_in_cookie(url: str) -> str:
    """A session cookie for the database's last employee, signed with the servers' secret key."""
    import models
    from pwa import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        employee = (
            models.Person.select()
            .where(models.Person.role == "employee")
            .order_by(models.Person.id.desc())
            .get()
        )
        token = models.SignIn.start(employee, datetime.now(UTC).replace(tzinfo=None))
    models.db.close()
    return session_cookie(app, token)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="the checkout to compare with")
    parser.add_argument("second", help="the checkout measured as a multiple of the first")
    parser.add_argument("--database", default=POSTGRES_URL)
    parser.add_argument("--seconds", type=float, default=40, help="under wrk, for each")
    args = parser.parse_args()
    cookie = signed_in_cookie(args.database)
    with tempfile.TemporaryDirectory(prefix="otc-ab-") as logs:
        servers = [
            Server(
                "pwa:create_app()",
                args.database,
                os.path.join(logs, f"{n}.log"),
                root=os.path.abspath(root),
            )
            for n, root in enumerate((args.first, args.second))
        ]
        try:
            person = Person(cookie)
            for server in servers:
                person.prime(server.url)  # the first Today: templates, statements, the zone seen
                if wrk(server.url, person.session.cookies.get("session"), 2) is None:
                    raise SystemExit("wrk is not installed: sudo apt-get install wrk")
            second, first = wrk_in_turns(
                servers[1].url, servers[0].url, person.session.cookies.get("session"), args.seconds
            )
        finally:
            for server in servers:
                server.stop()
    print(f"{args.first}: {first[0]:.0f} req/s; {args.second}: {second[0]:.0f} req/s")
    print(f"second / first: {second[0] / first[0]:.3f} ({first[1].split('; ')[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
