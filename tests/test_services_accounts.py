"""Writes on accounts go through catalogue.accounts.services: every value checked first (InvalidInput naming the
field, nothing stored), a new password and a revoked token take effect at once, on the real database and
through real HTTP."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue.accounts import queries, services
from catalogue.accounts.auth import current_account, login_required
from catalogue.accounts.models import ApiToken, Role, User
from catalogue.extensions import db
from catalogue.inputs import InvalidInput


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User)) or 0


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"email": "nobody"}, "email", "bad-email"),
        ({"email": "a b@example.org"}, "email", "bad-email"),
        ({"email": "x" * 250 + "@example.org"}, "email", "bad-email"),
        ({"password": ""}, "password", "empty-password"),
        ({"password": "short"}, "password", "short-password"),
        ({"password": "p" * 1025}, "password", "long-password"),
        ({"display_name": "   "}, "name", "bad-name"),
        ({"display_name": "n" * 201}, "name", "bad-name"),
        ({"locales": ["fr", "de"]}, "locale", "bad-locale"),
    ],
)
def test_create_user_refuses_a_bad_value_naming_it_and_stores_nothing(app, fields, field, code):
    values = {"email": "ana@example.org", "password": "secret-pass", **fields}
    email, password = values.pop("email"), values.pop("password")
    with app.test_request_context():
        with pytest.raises(InvalidInput) as refused:
            services.create_user(email, role=Role.TRANSLATOR, password=password, **values)
        assert (refused.value.field, refused.value.code) == (field, code)
    assert user_count(app) == 0


def test_create_user_stores_the_normalised_account_once(app):
    with app.test_request_context():
        user = services.create_user(
            " Ana@Example.ORG ", role=Role.TRANSLATOR, password="secret-pass", locales=["tr", "fr", "tr"]
        )
        assert (user.email, user.display_name, user.locales) == ("ana@example.org", "ana", ["tr", "fr"])
        assert queries.user_by_email("ANA@example.org") is user
        with pytest.raises(InvalidInput) as taken:
            services.create_user("ana@example.org", role=Role.ADMIN, password="other-pass")
        assert taken.value.code == "exists" and "already exists" in taken.value.reason
        assert queries.user_by_email("ana@example.org").role is Role.TRANSLATOR
    assert user_count(app) == 1


def test_a_new_password_signs_out_every_session(app, make_user, login):
    user_id = make_user("ana@example.org", "translator", locales=("fr",))
    browser = app.test_client()
    assert login(browser, "ana@example.org").status_code == 302
    assert browser.get("/translate/").status_code == 200
    with app.test_request_context():
        user = queries.user_by_id(user_id)
        assert user is not None
        with pytest.raises(InvalidInput):
            services.set_password(user, "short")
        services.set_password(user, "a-new-password")
    signed_out = browser.get("/translate/")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert login(browser, "ana@example.org", "secret-pass").status_code == 200  # The old password is refused.
    assert login(browser, "ana@example.org", "a-new-password").status_code == 302


def test_a_revoked_token_stops_working_at_once(app, make_user):
    user_id = make_user("script@example.org", "admin")
    with app.app_context():
        user = queries.user_by_id(user_id)
        assert user is not None
        raw = services.issue_api_token(user, "nightly import")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/jobs/1", headers=headers).status_code == 404  # Authenticated: no such job.
    with app.app_context():
        user = queries.user_by_id(user_id)
        assert user is not None
        [token] = queries.tokens_of(user)
        assert token.name == "nightly import"
        services.revoke_token(token)
        assert queries.tokens_of(user) == []
    assert client.get("/api/v1/jobs/1", headers=headers).status_code == 401


def test_no_token_for_a_deactivated_account_and_none_with_a_long_name(app, make_user):
    make_user("gone@example.org", "archivist", is_active=False)
    make_user("here@example.org", "archivist")
    with app.app_context():
        gone, here = queries.user_by_email("gone@example.org"), queries.user_by_email("here@example.org")
        assert gone is not None and here is not None
        with pytest.raises(InvalidInput) as inactive:
            services.issue_api_token(gone)
        assert inactive.value.code == "inactive"
        with pytest.raises(InvalidInput) as long_name:
            services.issue_api_token(here, "n" * 101)
        assert long_name.value.field == "name"
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_role_changes_take_effect_on_the_next_request(app, make_user, login):
    user_id = make_user("ana@example.org", "viewer", locales=("fr",))
    browser = app.test_client()
    login(browser, "ana@example.org")
    assert browser.get("/translate/").status_code == 403
    with app.app_context():
        user = queries.user_by_id(user_id)
        assert user is not None
        services.set_role(user, Role.TRANSLATOR)
        with pytest.raises(InvalidInput):
            services.set_locales(user, ["xx"])
        assert [u.email for u in queries.users(Role.TRANSLATOR)] == ["ana@example.org"]
    assert browser.get("/translate/").status_code == 200


def test_login_required_keeps_the_view_and_sends_visitors_to_sign_in(make_app, make_user, login):
    app = make_app()

    @app.get("/members")
    @login_required
    def members() -> str:
        return f"hello {current_account().display_name}"

    make_user("ana@example.org")  # On the test database, which both apps share.
    client = app.test_client()
    visitor = client.get("/members")
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/login?next=")
    login(client, "ana@example.org")
    assert client.get("/members").get_data(as_text=True) == "hello ana"
