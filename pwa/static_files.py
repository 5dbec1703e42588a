"""Static files by content: hashed URLs cached for a year, compressed once with brotli and gzip."""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import os
import re
import threading
from dataclasses import dataclass

import brotli
from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

from pwa.web import pure_url_default

IMMUTABLE = "public, max-age=31536000, immutable"
# A URL without the current hash (an old page, a hand-typed path) still works, but is revalidated.
REVALIDATE = "no-cache"
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
ENCODINGS = ("br", "gzip")


@dataclass(frozen=True)
class Asset:
    """One static file as served: its content hash, its bytes, and its smaller encodings."""

    digest: str
    mimetype: str
    body: bytes

    @functools.cached_property
    def encoded(self) -> dict[str, bytes]:
        """Its brotli and gzip encodings that are smaller than it: made when first served.

        Once per file and version per process, so the slowest, smallest settings are worth it;
        a page that only links the file (its hashed name) never waits for them.
        """
        encoded: dict[str, bytes] = {}
        if self.mimetype.startswith(TEXT_TYPES):
            for encoding, data in (
                ("br", brotli.compress(self.body, quality=11)),
                ("gzip", gzip.compress(self.body, compresslevel=9, mtime=0)),
            ):
                if len(data) < len(self.body):
                    encoded[encoding] = data
        return encoded


# Every app of a process shares what it read of a folder (tests make an app per test; a server,
# one per worker): keyed by the file's path, checked against its size and mtime.
_ASSETS: dict[str, tuple[tuple[int, int], Asset]] = {}
_ASSETS_GUARD = threading.Lock()


class StaticFiles:
    """The app's static folder behind content-hashed names (`css/app.1a2b3c4d5e6f.css`)."""

    def __init__(self, folder: str):
        self.folder = folder

    def init_app(self, app: Flask) -> None:
        """Serve the static endpoint from here and make `url_for('static', ...)` hash its names."""
        app.extensions["static_files"] = self
        app.view_functions["static"] = self.view
        app.url_defaults(self._hash_filename)

    def asset(self, filename: str) -> Asset | None:
        """The file as served, or None when there is no such file."""
        path = safe_join(self.folder, filename)
        if path is None or not os.path.isfile(path):
            return None
        # Checked against the file's size and mtime, so an edited file gets a new hash while the
        # app runs; one entry per file, however often it changes.
        stat = os.stat(path)
        key = (stat.st_mtime_ns, stat.st_size)
        cached = _ASSETS.get(path)
        if cached and cached[0] == key:
            return cached[1]
        with _ASSETS_GUARD:
            cached = _ASSETS.get(path)
            if cached and cached[0] == key:
                return cached[1]
            with open(path, "rb") as file:
                body = file.read()
            asset = _asset(filename, body)
            _ASSETS[path] = (key, asset)
            return asset

    def hashed_name(self, filename: str) -> str:
        """`css/app.css` → `css/app.<hash>.css` (the name unchanged when there is no such file)."""
        asset = self.asset(filename)
        if asset is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        if not dot or "/" in suffix:
            return filename  # no suffix to keep: served under its plain name
        return f"{stem}.{asset.digest}.{suffix}"

    def published_names(self) -> list[tuple[str, str]]:
        """(name, hashed name) of every file in the folder that has a hashed name."""
        found = []
        for here, folders, files in os.walk(self.folder):
            folders[:] = sorted(f for f in folders if not f.startswith("."))
            for file in sorted(files):
                if file.startswith("."):
                    continue
                name = os.path.relpath(os.path.join(here, file), self.folder).replace(os.sep, "/")
                hashed = self.hashed_name(name)
                if hashed != name:
                    found.append((name, hashed))
        return found

    def publish(self, target: str) -> tuple[int, int]:
        """Copy each file to target/static/<hashed name> for nginx; (files, of them new).

        Copies from earlier releases are kept: a page still open from before gets its own files.
        A copy is written whole, then renamed into place, so nginx never sends half of one.
        """
        new = 0
        names = self.published_names()
        for name, hashed in names:
            path = os.path.join(target, "static", *hashed.split("/"))
            if os.path.exists(path):
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            partial = f"{path}.{os.getpid()}.partial"
            with open(partial, "wb") as file:
                file.write(self.asset(name).body)
            os.replace(partial, path)
            new += 1
        return len(names), new

    def view(self, filename: str) -> Response:
        """Send a static file: immutable under its current hash, revalidated under any other name."""
        name, asked = _split(filename)
        asset = self.asset(name) if asked else None
        if asset is None:
            name, asked = filename, None
            asset = self.asset(name) or abort(404)
        encoding = request.accept_encodings.best_match(list(asset.encoded))
        body = asset.encoded[encoding] if encoding else asset.body
        response = Response(body, mimetype=asset.mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{asset.digest}-{encoding or 'identity'}")
        response.headers["Cache-Control"] = IMMUTABLE if asked == asset.digest else REVALIDATE
        return response.make_conditional(request)

    @pure_url_default  # a file's hash changes only with its content (kept URLs: pwa/web.py)
    def _hash_filename(self, endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = self.hashed_name(values["filename"])


def _split(filename: str) -> tuple[str, str | None]:
    """`css/app.<hash>.css` → (`css/app.css`, hash); any other name → (name, None)."""
    match = HASHED.match(filename)
    if match is None:
        return filename, None
    return match["stem"] + match["suffix"], match["digest"]


def _asset(filename: str, body: bytes) -> Asset:
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Asset(hashlib.sha256(body).hexdigest()[:12], mimetype, body)
