"""One demo site per test module for the viewer's browser tests (accessibility, layout, the player's keyboard).

Loading the demo and signing in once per module, rather than once per test, keeps these page-by-page checks
quick: each module builds its own app on the test database (SQLite in a temporary folder, or PostgreSQL), serves
it over real HTTP on loopback, and closes its connections when the module ends, before the next module resets
the database.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page

from catalogue import create_app, pagecache
from catalogue.accounts.models import Role, User
from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from tests.conftest import TEST_DATABASE_URL, create_schema, reset_database, served

PASSWORD = "secret-pass"
SLUG = "workshop-1-building-resilience"
# Who signs in for the signed-in pages: an administrator sees the archive and translates French and Turkish.
STAFF = {"email": "staff@example.org", "name": "Ayşe Yılmaz", "role": Role.ADMIN, "locales": ["fr", "tr"]}

AXE_VERSION = "4.14.1"  # Pinned: a new axe release may add rules; update it on purpose, with the fixes.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@dataclass
class Site:
    url: str
    app: Flask
    staff_state: dict[str, Any] = field(default_factory=dict)

    def context(self, browser: Browser, width: int, height: int = 900, *, signed_in: bool = False) -> BrowserContext:
        """A fresh browser context at this viewport size, signed in as the staff account when asked."""
        options: dict[str, Any] = {"viewport": {"width": width, "height": height}}
        if signed_in:
            options["storage_state"] = self.staff_state
        return browser.new_context(**options)


def build_app(folder: Path, *, video: bool = False) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{folder / 'catalogue.sqlite'}",
        "CATALOGUE_MEDIA_DIR": str(folder / "media"),
        "CATALOGUE_QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite'}",
        "CATALOGUE_DEMO_VIDEO": video,
        # Sign-ins of several tests from one address must not trip the limiter.
        "CATALOGUE_LOGIN_LIMIT_ADDRESS": "1000 per minute",
        "CATALOGUE_LOGIN_LIMIT_ACCOUNT": "1000 per minute",
    }
    app = create_app(config)
    with app.app_context():
        reset_database()
        create_schema()
        load_demo()
        user = User(email=STAFF["email"], display_name=STAFF["name"], role=STAFF["role"], locales=STAFF["locales"])
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return app


def sign_in(browser: Browser, url: str) -> dict[str, Any]:
    """Sign in through the real form once; the cookies are reused by every signed-in context."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/login?lang=en")
    page.locator("input[name=email]").fill(STAFF["email"])
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".account-name")
    state = context.storage_state()
    context.close()
    return state


def serve_site(browser: Browser, folder: Path, *, video: bool = False) -> Iterator[Site]:
    app = build_app(folder, video=video)
    with served(app) as base:
        site = Site(base, app)
        site.staff_state = sign_in(browser, site.url)
        yield site
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        pagecache.dispose(app)


def wait_for_player(page: Page) -> None:
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")


# --- axe-core, from npm, pinned, installed outside the repository -----------------------------------------------


def axe_cache() -> Path:
    base = os.environ.get("CATALOGUE_TEST_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "catalogue-tests" / f"axe-core-{AXE_VERSION}"


def axe_source() -> str:
    """axe.min.js of the pinned release, installed with npm into a cache folder on first use."""
    prefix = axe_cache()
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"axe-core@{AXE_VERSION}"]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
        except FileNotFoundError:
            pytest.fail("npm is missing: install Debian's npm (the accessibility tests install axe-core with it).")
        except subprocess.CalledProcessError as error:
            pytest.fail(f"npm could not install axe-core {AXE_VERSION}: {error.stderr[-2000:]}")
    return script.read_text(encoding="utf-8")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (WCAG 2.2 A/AA and best practice), each with its nodes."""
    return page.evaluate(
        """async (tags) => {
          const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary })),
          }));
        }""",
        AXE_TAGS,
    )
