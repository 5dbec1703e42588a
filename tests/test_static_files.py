"""Static files and pages on the wire: hashed names cached for a year, brotli and gzip."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask

from pwa.static_files import IMMUTABLE, StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "pwa" / "static"
HASHED_CSS = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')


def _css_url(client) -> str:
    return HASHED_CSS.search(client.get("/signin").get_data(as_text=True)).group(1)


def test_pages_link_static_files_by_content_hashed_names(client):
    page = client.get("/signin").get_data(as_text=True)
    assert HASHED_CSS.search(page)
    assert re.search(r'src="/static/js/app\.[0-9a-f]{12}\.js"', page)
    assert re.search(r'src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', page)
    assert 'href="/static/css/app.css"' not in page


def test_a_hashed_static_file_is_immutable_for_a_year(client):
    response = client.get(_css_url(client))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.mimetype == "text/css"
    assert response.get_data() == (STATIC / "css" / "app.css").read_bytes()


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_a_static_file_travels_compressed_as_the_browser_asks(client, accept, encoding, decode):
    response = client.get(_css_url(client), headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert len(body) < (STATIC / "css" / "app.css").stat().st_size / 3
    assert decode(body) == (STATIC / "css" / "app.css").read_bytes()


def test_a_static_file_without_its_current_hash_is_served_but_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.get_data() == (STATIC / "css" / "app.css").read_bytes()


def test_a_static_file_that_is_not_there_is_a_404(client):
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    assert client.get("/static/../models.py").status_code == 404


def test_a_static_file_revalidated_by_its_etag_is_a_304(client):
    url = _css_url(client)
    first = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_an_edited_file_gets_a_new_name_while_the_app_runs(tmp_path):
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    files = StaticFiles(str(tmp_path))
    files.init_app(app)
    style = tmp_path / "site.css"
    style.write_text("body { color: red }")
    with app.test_request_context():
        from flask import url_for

        before = url_for("static", filename="site.css")
        style.write_text("body { color: blue; margin: 0 }")
        after = url_for("static", filename="site.css")
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.css", before)
    assert before != after
    with app.test_client() as client:
        assert client.get(after).headers["Cache-Control"] == IMMUTABLE
        assert client.get(before).headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("br, gzip", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_pages_travel_compressed_as_the_browser_asks(as_alice, accept, encoding, decode):
    response = as_alice.get("/", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "<h1" in decode(response.get_data()).decode()


def test_a_page_for_a_browser_that_asks_for_nothing_is_plain(as_alice):
    response = as_alice.get("/")
    assert "Content-Encoding" not in response.headers
    assert "<h1" in response.get_data(as_text=True)


def test_the_service_worker_precaches_the_names_the_pages_link(client):
    page = client.get("/card").get_data(as_text=True)
    worker = client.get("/sw.js")
    script = worker.get_data(as_text=True)
    assert worker.headers["Cache-Control"] == "no-cache"
    linked = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
    listed = set(re.findall(r'"(/static/[^"]+)"', script))
    assert linked <= listed | {u for u in linked if "apple-touch-icon" in u}
    assert all(re.search(r"\.[0-9a-f]{12}\.", url) for url in listed)
    assert re.search(r'const CACHE = "otc-shell-[0-9a-f]{12}"', script)


def test_publishing_copies_each_file_under_its_hashed_name_and_keeps_older_ones(tmp_path, runner):
    from manage import cli

    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "app.css").write_text("body { color: red; }")
    (folder / "LICENSE").write_text("no suffix, no hashed name")
    files = StaticFiles(str(folder))
    public = tmp_path / "public"

    assert files.publish(str(public)) == (1, 1)
    first = files.hashed_name("css/app.css")
    (folder / "css" / "app.css").write_text("body { color: blue; }")
    assert files.publish(str(public)) == (1, 1)
    assert files.publish(str(public)) == (1, 0)

    second = files.hashed_name("css/app.css")
    assert first != second
    assert (public / "static" / first).read_text() == "body { color: red; }"
    assert (public / "static" / second).read_text() == "body { color: blue; }"
    assert sorted(p.name for p in (public / "static" / "css").iterdir()) == sorted(
        [first.split("/")[1], second.split("/")[1]]
    )

    result = runner.invoke(cli, ["publish-static", "--to", str(tmp_path / "shipped")])
    assert result.exit_code == 0, result.output
    count = len(StaticFiles(str(STATIC)).published_names())
    assert result.output.strip() == (
        f"Published {count} static files ({count} new) to {tmp_path / 'shipped'}."
    )


def test_every_app_of_a_process_reads_and_compresses_a_file_once(tmp_path, monkeypatch):
    """Tests make an app per test, a server one per worker: none compresses a file again."""
    from pwa import static_files

    compressed = []
    real = static_files.brotli.compress
    monkeypatch.setattr(
        static_files.brotli, "compress", lambda body, **kw: compressed.append(1) or real(body, **kw)
    )
    (tmp_path / "site.css").write_text("body { color: red; margin: 0; padding: 0 }" * 20)
    first, second = StaticFiles(str(tmp_path)), StaticFiles(str(tmp_path))
    assert first.hashed_name("site.css") == second.hashed_name("site.css")
    assert not compressed  # a page that only links the file never waits for its encodings
    assert first.asset("site.css").encoded["br"] == second.asset("site.css").encoded["br"]
    assert len(compressed) == 1
