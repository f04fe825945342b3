"""The wheel works on its own: built from this checkout, installed into a fresh virtualenv, and run from a folder
that is not the checkout, as `pip install .` and a deployment would (config.py, translations/, migrations/ and the
demo travel with it).

Nothing is downloaded: the wheel is built with the virtualenv's own setuptools (--no-build-isolation --no-index),
and the fresh virtualenv reads the dependencies from this one's site-packages through a .pth file, which does not
load this checkout's editable install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

# What the build needs of the checkout; caches, the virtualenv, tests and local data stay behind.
LEFT_OUT = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "instance", "test-artifacts", "build", "*.egg-info", "tests", "benchmarks"
)


@dataclass(frozen=True)
class Installed:
    python: Path
    elsewhere: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run the fresh virtualenv's Python in a folder that is not the checkout."""
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.elsewhere,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def flask(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "flask", "--app", "catalogue", *args, **env)


def pip(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built from a copy of the checkout (the checkout gets no build/ folder) and installed into a new
    virtualenv under a temporary folder."""
    setuptools = tuple(int(part) for part in version("setuptools").split(".")[:2])
    if setuptools < (70, 1):
        pytest.fail("setuptools>=70.1 builds the wheel offline: `pip install -e '.[dev]'` installs it.")
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=LEFT_OUT)
    pip("wheel", "--no-index", "--no-deps", "--no-build-isolation", "--wheel-dir", str(root / "wheels"), str(source))
    (wheel,) = (root / "wheels").glob("catalogue-*.whl")

    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # A plain path line: this virtualenv's libraries, without running its .pth files (the editable install's).
    (site_packages / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip("--python", str(python), "install", "--no-index", "--no-deps", str(wheel))

    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CATALOGUE_", "FLASK_", "PYTHON")) and name not in {"DATABASE_URL", "VIRTUAL_ENV"}
    }
    # The demo's videos are not packaged (ffmpeg: seconds); its audio files and posters are copied.
    env["CATALOGUE_DEMO_VIDEO"] = "0"
    return Installed(python=python, elsewhere=elsewhere, env=env)


def test_the_installed_modules_are_the_wheels_not_the_checkouts(installed: Installed):
    result = installed.run("-c", "import catalogue, config; print(catalogue.__file__); print(config.__file__)")
    assert result.returncode == 0, result.stderr
    package, config = (Path(line) for line in result.stdout.split())
    venv = installed.python.parent.parent
    assert package.is_relative_to(venv) and config.is_relative_to(venv)


def test_flask_lists_the_catalogue_commands_from_any_folder(installed: Installed):
    result = installed.flask("--help")
    # `flask --help` exits 0 even when the app fails to load: the commands and a clean stderr are the proof.
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    commands = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"db", "demo", "users", "subtitles", "translations", "media", "jobs"} <= commands


def test_the_shipped_catalogues_pass_the_translation_checks(installed: Installed):
    result = installed.run("-c", "import config; print(config.Config.CATALOGUE_TRANSLATIONS_DIR)")
    assert result.returncode == 0, result.stderr
    # The default folder is the wheel's copy of translations/, with every file the checkout has.
    shipped = Path(result.stdout.strip())
    assert shipped.is_relative_to(installed.python.parent.parent)
    source = PROJECT_ROOT / "translations"
    assert files(source) and files(source) <= files(shipped)
    result = installed.flask("translations", "check")
    assert result.returncode == 0, result.stdout + result.stderr


def files(folder: Path) -> set[Path]:
    """The files under `folder`, relative to it; lock files and other hidden files left out."""
    return {path.relative_to(folder) for path in folder.rglob("*") if path.is_file() and not path.name.startswith(".")}


def test_the_installed_app_migrates_loads_the_demo_and_serves_translated_pages(installed: Installed):
    # The default database: a SQLite file in the installed app's instance folder, created by the migrations.
    for command in (("db", "upgrade"), ("demo", "load")):
        result = installed.flask(*command)
        assert result.returncode == 0, result.stdout + result.stderr
    script = textwrap.dedent(
        """
        import json
        from catalogue import create_app

        app = create_app()
        client = app.test_client()
        home = client.get("/?lang=fr")
        css = client.get("/static/css/site.css")
        print(json.dumps({
            "instance": app.instance_path,
            "home": [home.status_code, home.get_data(as_text=True)],
            "css": [css.status_code, css.mimetype],
        }))
        """
    )
    result = installed.run("-c", script)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.splitlines()[-1])
    # The database and the media live in the installed app's instance folder, not in site-packages.
    instance = Path(answer["instance"])
    assert instance.is_relative_to(installed.python.parent.parent) and "site-packages" not in instance.parts
    assert (instance / "catalogue.sqlite").is_file()
    assert {path.suffix for path in (instance / "media" / "demo").iterdir()} >= {".opus", ".svg"}
    status, page = answer["home"]
    assert status == 200
    # The interface (messages.mo) and the catalogue's own texts (content.mo) in French, from the wheel's catalogues.
    assert '<html lang="fr"' in page and "<h1>Enregistrements</h1>" in page
    assert "Renforcer la résilience des villes" in page
    assert answer["css"] == [200, "text/css"]
