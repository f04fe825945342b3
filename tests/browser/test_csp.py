"""Chromium enforces our Content-Security-Policy and reports nothing it had to block on our pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from catalogue.accounts.models import Role, User
from catalogue.extensions import db

pytestmark = pytest.mark.browser

SLUG = "workshop-1-building-resilience"


def test_pages_work_under_the_policy_and_nothing_is_blocked(page: Page, live_server: str, demo_app):
    with demo_app.app_context():
        admin = User(email="admin@example.org", display_name="Ada", role=Role.ADMIN)
        admin.set_password("secret-pass")
        db.session.add(admin)
        db.session.commit()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto(f"{live_server}/recordings/{SLUG}?lang=fr&subs=fr")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    page.wait_for_function("() => document.querySelector('[data-transcript]').dataset.state === 'ready'")
    # The messages come from the JSON block: the transcript's status line is in French.
    page.locator("#transcript-search").fill("zzzz-nothing")
    expect(page.locator(".transcript-status")).to_contain_text("Aucune ligne")
    # The policy is really in force: an injected inline script does not run.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true';"
        " document.body.append(s); }"
    )
    assert page.evaluate("() => window.__ran === undefined")
    assert any("script-src" in text for text in violations)
    violations.clear()

    page.goto(f"{live_server}/login?lang=fr")
    page.locator("input[name=email]").fill("admin@example.org")
    page.locator("input[name=password]").fill("secret-pass")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account-name")).to_contain_text("Ada")
    for path in ("/translate/", "/archive/", "/search?q=resilience", "/"):
        page.goto(f"{live_server}{path}")
    assert violations == []
