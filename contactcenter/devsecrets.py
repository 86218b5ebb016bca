"""Development-only secrets kept in ``var/`` (git-ignored).

Used by settings when DEBUG is on, so ``make run`` works with no environment
and a restart can still read what it encrypted before. Never used in
production: there the secrets come from the environment and have no default.
"""

import base64
import json
import os
import secrets
from pathlib import Path


def dev_secret(var_dir: Path, name: str, *, nbytes: int) -> str:
    var_dir.mkdir(exist_ok=True)
    path = var_dir / "dev-secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if name not in stored:
        stored[name] = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
    return stored[name]
