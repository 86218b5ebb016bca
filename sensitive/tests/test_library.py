"""The detectors are a plain library: importing every module loads neither Django nor an app of ours."""

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import sensitive

ROOT = Path(__file__).resolve().parents[2]
OURS = ("django", "rest_framework", "channels", "consent", "conversations", "retention", "contactcenter", "devtools")


def test_importing_and_scanning_loads_no_django_and_no_app():
    modules = sorted(
        m.name for m in pkgutil.iter_modules(sensitive.__path__, "sensitive.") if m.name != "sensitive.tests"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import sensitive; sensitive.scan('Karte 4111 1111 1111 1111, ich bin schwanger')\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({OURS!r})))\n"
    )
    # No DJANGO_SETTINGS_MODULE and no PYTHON* variables of the test run (-E): nothing can help it along.
    env = {"PATH": os.environ.get("PATH", "")}
    result = subprocess.run(
        [sys.executable, "-E", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 8, modules
