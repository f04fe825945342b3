"""A translator in a real browser edits a string; the next page shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from catalogue.accounts.models import Role, User
from catalogue.extensions import db
from tests.conftest import served

pytestmark = pytest.mark.browser


@pytest.fixture
def translator_server(translated_app):
    """The demo on its own copy of translations/, served over HTTP, with a French translator."""
    app = translated_app
    with app.app_context():
        user = User(email="fr@example.org", display_name="Élise", role=Role.TRANSLATOR, locales=["fr"])
        user.set_password("secret-pass")
        db.session.add(user)
        db.session.commit()
    with served(app) as base:
        yield base


def test_a_translator_edits_a_string_and_the_next_page_shows_it(page: Page, translator_server: str):
    base = translator_server
    page.goto(f"{base}/login?lang=fr")
    page.locator("input[name=email]").fill("fr@example.org")
    page.locator("input[name=password]").fill("secret-pass")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account-name")).to_contain_text("Élise")

    page.goto(f"{base}/translate/?lang=fr")
    expect(page.locator("main")).to_contain_text("Français")
    page.goto(f"{base}/translate/fr/messages?q=Copy+a+link")
    entry = page.locator("article.entry", has=page.locator("p.source", has_text="Copy a link to this moment"))
    entry.locator("textarea").fill("Copier le lien de cet instant")
    entry.get_by_role("button").last.click()
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(f"{base}/recordings/workshop-1-building-resilience?lang=fr")
    expect(page.locator("#copy-link")).to_have_text("Copier le lien de cet instant")

    # A translation that drops a placeholder is refused, with the reason, and the site is unchanged.
    page.goto(f"{base}/translate/fr/messages?q=Thematic+workshop")
    # Exactly this msgid (others start with the same words).
    source = page.locator("p.source", has_text=re.compile(r"^\s*Thematic workshop %\(number\)s\s*$"))
    entry = page.locator("article.entry", has=source)
    entry.locator("textarea").fill("Atelier thématique")
    entry.get_by_role("button").last.click()
    expect(page.get_by_role("alert")).to_contain_text("%(number)s")
    page.goto(f"{base}/?lang=fr")
    expect(page.locator(".kicker").first).to_contain_text("Atelier thématique 1")
