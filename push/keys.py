"""VAPID keys: made once, read from the environment (or, on the embedded default, the instance folder)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KEY_FILE = "vapid.json"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate() -> dict[str, str]:
    """A new VAPID key pair: the raw private key and the public point, both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"VAPID_PRIVATE_KEY": _b64(private), "VAPID_PUBLIC_KEY": _b64(public)}


def write(instance_path: str, keys: dict[str, str]) -> Path:
    """Keep keys in the instance folder, readable by this user only."""
    path = Path(instance_path) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(keys, file)
    return path


def configure(app) -> None:
    """Set the VAPID config: the environment first, else the instance file, else none (push is off)."""
    config = app.config
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT"):
        config.setdefault(name, os.environ.get(name, ""))
    hosts = os.environ.get("PUSH_SERVICE_HOSTS", "")
    config.setdefault("PUSH_SERVICE_HOSTS", tuple(h for h in hosts.split(",") if h.strip()))
    if not config["VAPID_PRIVATE_KEY"]:
        path = Path(app.instance_path) / KEY_FILE
        if path.is_file():
            stored = json.loads(path.read_text())
            config["VAPID_PRIVATE_KEY"] = stored.get("VAPID_PRIVATE_KEY", "")
            config["VAPID_PUBLIC_KEY"] = stored.get("VAPID_PUBLIC_KEY", "")
