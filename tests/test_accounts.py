"""Accounts: passwords, the `users` commands, signing in and out with CSRF on, roles for pages and API tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Blueprint, jsonify
from sqlalchemy import select

from catalogue.accounts.auth import api_user, csrf, role_required
from catalogue.accounts.models import ApiToken, Role, User, hash_token
from catalogue.accounts.services import issue_token, user_for_token
from catalogue.accounts.views import safe_next
from catalogue.extensions import db


def _user(app, email):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


def _token_for(app, email, name=""):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        raw = issue_token(user, name=name)
        db.session.commit()
        return raw


# --- the model -------------------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_scrypt(app):
    user = User(email="  Ana@Example.ORG ", display_name="Ana", role=Role.VIEWER)
    user.set_password("secret-pass")
    assert user.password_hash.startswith("scrypt:") and "secret-pass" not in user.password_hash
    assert user.check_password("secret-pass")
    assert not user.check_password("secret-pasS")
    assert not user.check_password("")
    assert user.email == "ana@example.org"


def test_roles_and_locales(app, make_user):
    make_user("t@example.org", "translator", locales=("fr",))
    make_user("a@example.org", "admin")
    make_user("r@example.org", "archivist")
    translator, admin, archivist = (_user(app, e) for e in ("t@example.org", "a@example.org", "r@example.org"))
    assert translator.role is Role.TRANSLATOR and translator.locales == ["fr"]
    assert translator.has_role(Role.TRANSLATOR) and translator.has_role("translator", "archivist")
    assert not translator.has_role(Role.ARCHIVIST)
    assert admin.has_role(Role.ARCHIVIST) and admin.has_role(Role.TRANSLATOR)
    assert translator.can_edit_locale("fr") and not translator.can_edit_locale("tr")
    assert admin.can_edit_locale("tr")
    assert not archivist.can_edit_locale("fr")
    assert translator.is_active and translator.created_at.tzinfo is not None


# --- `flask users create` --------------------------------------------------------------------------------------


def test_users_create_with_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", " Ana@Example.org", "--role", "translator", "--locale", "fr", "--locale", "tr",
              "--name", "Ana Ö.", "--password-stdin"],
        input="secret-pass\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = _user(app, "ana@example.org")
    assert user.display_name == "Ana Ö." and user.role is Role.TRANSLATOR and user.locales == ["fr", "tr"]
    assert user.check_password("secret-pass") and not user.check_password("secret-pass\n")


def test_users_create_with_password_from_a_prompt(app, runner):
    result = runner.invoke(
        args=["users", "create", "bob@example.org", "--role", "archivist"], input="long-enough\nlong-enough\n"
    )
    assert result.exit_code == 0, result.output
    assert "long-enough" not in result.output  # the prompt hides what is typed
    user = _user(app, "bob@example.org")
    assert user.role is Role.ARCHIVIST and user.display_name == "bob" and user.check_password("long-enough")


def test_users_create_prompt_needs_the_same_password_twice(app, runner):
    result = runner.invoke(
        args=["users", "create", "bob@example.org", "--role", "viewer"], input="long-enough\nother\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _user(app, "bob@example.org") is None


@pytest.mark.parametrize(("given", "message"), [("short\n", "shorter than 8"), ("\n", "empty"), ("", "empty")])
def test_users_create_refuses_short_or_empty_passwords(app, runner, given, message):
    result = runner.invoke(
        args=["users", "create", "bob@example.org", "--role", "viewer", "--password-stdin"], input=given
    )
    assert result.exit_code == 1
    assert message in result.output
    assert _user(app, "bob@example.org") is None


def test_users_create_refuses_a_duplicate_email(app, runner, make_user):
    make_user("ana@example.org", "viewer", password="first-password")
    result = runner.invoke(
        args=["users", "create", "ANA@example.org", "--role", "admin", "--password-stdin"], input="secret-pass\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    user = _user(app, "ana@example.org")
    assert user.role is Role.VIEWER and user.check_password("first-password")


def test_users_create_only_accepts_interface_locales_and_known_roles(app, runner):
    bad_locale = runner.invoke(
        args=["users", "create", "t@example.org", "--role", "translator", "--locale", "de", "--password-stdin"],
        input="secret-pass\n",
    )
    assert bad_locale.exit_code != 0 and "de is not an interface locale" in bad_locale.output
    bad_role = runner.invoke(
        args=["users", "create", "t@example.org", "--role", "owner", "--password-stdin"], input="secret-pass\n"
    )
    assert bad_role.exit_code != 0
    not_an_email = runner.invoke(
        args=["users", "create", "nobody", "--role", "viewer", "--password-stdin"], input="secret-pass\n"
    )
    assert not_an_email.exit_code == 1
    assert _user(app, "t@example.org") is None


# --- `flask users token` and token lookup ----------------------------------------------------------------------


def test_users_token_prints_the_token_last_and_stores_only_its_hash(app, runner, make_user):
    make_user("ana@example.org", "archivist")
    result = runner.invoke(args=["users", "token", "Ana@example.org", "--name", "upload script"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"cat_[A-Za-z0-9_-]{43}", raw)
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert token.token_hash == hash_token(raw) and raw not in token.token_hash
        assert token.name == "upload script" and token.last_used_at is None
        user = user_for_token(raw)
        assert user is not None and user.email == "ana@example.org"
        assert db.session.scalars(select(ApiToken)).one().last_used_at is not None
        assert user_for_token(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
        assert user_for_token("cat_" + "x" * 43) is None
        assert user_for_token("") is None and user_for_token(None) is None


def test_users_token_for_an_unknown_email_fails(runner):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account for nobody@example.org" in result.output


def test_tokens_of_inactive_users_do_not_work_and_last_use_is_stamped_once_a_minute(app, make_user):
    make_user("ana@example.org", "archivist")
    raw = _token_for(app, "ana@example.org")
    with app.app_context():
        assert user_for_token(raw) is not None
        token = db.session.scalars(select(ApiToken)).one()
        first = token.last_used_at
        assert user_for_token(raw) is not None
        db.session.refresh(token)
        assert token.last_used_at == first  # not rewritten within the minute
        token.last_used_at = datetime.now(UTC) - timedelta(minutes=5)
        db.session.commit()
        assert user_for_token(raw) is not None
        db.session.refresh(token)
        assert token.last_used_at > first - timedelta(seconds=1)
        token.user.is_active = False
        db.session.commit()
        assert user_for_token(raw) is None


def test_deleting_a_user_deletes_their_tokens(app, make_user):
    make_user("ana@example.org", "archivist")
    _token_for(app, "ana@example.org")
    with app.app_context():
        db.session.delete(db.session.scalars(select(User)).one())
        db.session.commit()
        assert db.session.scalars(select(ApiToken)).all() == []


# --- signing in and out ----------------------------------------------------------------------------------------


def test_login_page_has_a_labelled_form_with_a_csrf_token(app, read_csrf_token):
    page = app.test_client().get("/login?lang=fr").get_data(as_text=True)
    assert read_csrf_token(page)
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert '<label for="email">' in page and '<label for="password">' in page
    assert '<html lang="fr">' in page


def test_login_succeeds_with_the_right_password(app, make_user, login):
    make_user("ana@example.org", "archivist", display_name="Ana Archivist")
    client = app.test_client()
    response = login(client, " ANA@example.org ", "secret-pass")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Ana Archivist" in page
    assert 'role="status"' in page and "Welcome, Ana Archivist." in page
    assert "Sign out" in page


@pytest.mark.parametrize(("email", "password"), [("ana@example.org", "wrong-pass"), ("bob@example.org", "secret-pass")])
def test_login_fails_with_one_message_for_a_wrong_email_or_password(app, make_user, login, email, password):
    make_user("ana@example.org", "archivist")
    client = app.test_client()
    response = login(client, email, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Email or password is wrong." in page
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_an_inactive_account_cannot_sign_in(app, make_user, login):
    make_user("ana@example.org", "archivist", is_active=False)
    response = login(app.test_client(), "ana@example.org", "secret-pass")
    assert "Email or password is wrong." in response.get_data(as_text=True)


def test_empty_fields_are_reported_next_to_them(app, login):
    page = login(app.test_client(), "", "").get_data(as_text=True)
    assert 'aria-describedby="email-errors"' in page and "Enter your email address." in page
    assert "Enter your password." in page


def test_login_without_the_csrf_token_is_refused(app, make_user):
    make_user("ana@example.org", "archivist")
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": "ana@example.org", "password": "secret-pass"})
    assert response.status_code == 400
    assert "This form has expired or came from another site." in response.get_data(as_text=True)
    assert "Signed in as" not in client.get("/").get_data(as_text=True)
    forged = client.post("/login", data={"email": "ana@example.org", "password": "secret-pass", "csrf_token": "x"})
    assert forged.status_code == 400


def test_login_redirects_to_next_only_on_this_site(app, make_user, read_csrf_token):
    make_user("ana@example.org", "archivist")
    for target, expected in [
        ("/recordings/x?t=3", "/recordings/x?t=3"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        client = app.test_client()
        page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": "ana@example.org", "password": "secret-pass", "csrf_token": read_csrf_token(page)},
        )
        assert response.headers["Location"] == expected, target


def test_safe_next():
    assert safe_next("/a/b?c=d#e") == "/a/b?c=d#e"
    for unsafe in (None, "", "a/b", "//x.example", "/\\x.example", "/\t/x.example", "http://x.example/"):
        assert safe_next(unsafe) is None, unsafe


def test_logout_needs_a_post_with_the_csrf_token(app, make_user, login, read_csrf_token):
    make_user("ana@example.org", "archivist", display_name="Ana")
    client = app.test_client()
    login(client, "ana@example.org", "secret-pass")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Ana" in page
    response = client.post("/logout", data={"csrf_token": read_csrf_token(page)})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as" not in page and "You have signed out." in page and ">Sign in</a>" in page


def test_remember_me_sets_a_long_lived_cookie(app, make_user, login):
    make_user("ana@example.org", "archivist")
    client = app.test_client()
    login(client, "ana@example.org", "secret-pass", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_the_header_escapes_the_display_name(app, make_user, login):
    make_user("x@example.org", "viewer", display_name="<script>alert(1)</script>")
    client = app.test_client()
    login(client, "x@example.org", "secret-pass")
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "Signed in as &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_signed_in_users_preferred_locale_comes_after_lang_and_cookie(app, make_user, login):
    make_user("ana@example.org", "translator", preferred_locale="fr")
    client = app.test_client()
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    login(client, "ana@example.org", "secret-pass")
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    # The preference beats Accept-Language ...
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    # ... and ?lang (remembered in the cookie) beats the preference.
    assert '<html lang="tr">' in client.get("/?lang=tr").get_data(as_text=True)
    assert '<html lang="tr">' in client.get("/").get_data(as_text=True)


# --- roles on pages and on the API -----------------------------------------------------------------------------


@pytest.fixture
def guarded_app(app, make_app):
    """A fresh app (same database) with test-only routes guarded by role_required and api_user."""
    guarded = make_app()
    pages = Blueprint("guarded", __name__)

    @pages.route("/guarded/archive")
    @role_required(Role.ARCHIVIST)
    def archive():
        return "archive room"

    @pages.route("/guarded/anyone")
    @role_required()
    def anyone():
        return "members only"

    api = Blueprint("guarded_api", __name__)

    @api.route("/upload")
    def upload():
        user = api_user(Role.ARCHIVIST)
        return jsonify({"email": user.email})

    guarded.register_blueprint(pages)
    guarded.register_blueprint(api, url_prefix="/api/test")
    return guarded


def test_role_required_sends_anonymous_visitors_to_sign_in(guarded_app):
    client = guarded_app.test_client()
    response = client.get("/guarded/archive")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fguarded%2Farchive"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="status"' in page and "Please sign in to see this page." in page
    assert 'action="/login?next=/guarded/archive"' in page


def test_role_required_refuses_the_wrong_role_and_admits_the_right_one(guarded_app, make_user, login):
    make_user("v@example.org", "viewer")
    make_user("r@example.org", "archivist")
    make_user("a@example.org", "admin")
    viewer = guarded_app.test_client()
    login(viewer, "v@example.org")
    assert viewer.get("/guarded/archive").status_code == 403
    assert viewer.get("/guarded/anyone").get_data(as_text=True) == "members only"
    for email in ("r@example.org", "a@example.org"):
        client = guarded_app.test_client()
        login(client, email)
        response = client.get("/guarded/archive")
        assert response.status_code == 200 and response.get_data(as_text=True) == "archive room"


def _assert_api_error(response, status, code):
    assert response.status_code == status
    body = response.get_json()
    assert body["errors"][0]["line"] is None and body["errors"][0]["code"] == code
    assert body["errors"][0]["message"]


def test_api_user_needs_a_bearer_token(guarded_app, make_user, login):
    make_user("r@example.org", "archivist")
    client = guarded_app.test_client()
    response = client.get("/api/test/upload")
    _assert_api_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # A signed-in session is not an API credential.
    login(client, "r@example.org")
    _assert_api_error(client.get("/api/test/upload"), 401, "unauthorized")
    basic = client.get("/api/test/upload", headers={"Authorization": "Basic cjpzZWNyZXQtcGFzcw=="})
    _assert_api_error(basic, 401, "unauthorized")


def test_api_user_refuses_a_bad_token(guarded_app):
    response = guarded_app.test_client().get("/api/test/upload", headers={"Authorization": "Bearer cat_nope"})
    _assert_api_error(response, 401, "unauthorized")
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and re.search(r'error="?invalid_token"?', challenge)


def test_api_user_checks_the_role(guarded_app, make_user):
    make_user("v@example.org", "viewer")
    make_user("r@example.org", "archivist")
    viewer = _token_for(guarded_app, "v@example.org")
    archivist = _token_for(guarded_app, "r@example.org")
    client = guarded_app.test_client()
    _assert_api_error(client.get("/api/test/upload", headers={"Authorization": f"Bearer {viewer}"}), 403, "forbidden")
    response = client.get("/api/test/upload", headers={"Authorization": f"Bearer {archivist}"})
    assert response.status_code == 200 and response.get_json() == {"email": "r@example.org"}


def test_the_json_api_is_exempt_from_csrf_and_pages_are_not(app):
    with app.test_request_context("/api/v1/recordings"):
        assert csrf._is_exempt()
    with app.test_request_context("/login", method="POST"):
        assert not csrf._is_exempt()
