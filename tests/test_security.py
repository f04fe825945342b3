"""Security defaults (design.md §9): sign-in throttling, headers, cookies, sessions that end on the server,
redirects that stay on this site, and no production start with the development SECRET_KEY."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from catalogue.security import CONTENT_SECURITY_POLICY, is_safe_local_path
from config import DEV_SECRET_KEY
from tests.conftest import PROJECT_ROOT, api_token, csrf_token_from
from tests.factories import make_audio_track, make_recording, make_subtitles

SLUG = "workshop-1-building-resilience"
FRENCH_THROTTLE = "Trop de tentatives de connexion échouées"


def post_login(client: FlaskClient, email: str, password: str, query: str = "", **extra: str):
    page = client.get(f"/login{query}").get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": csrf_token_from(page), **extra}
    return client.post(f"/login{query}", data=data)


def from_address(app, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# --- sign-in throttling ----------------------------------------------------------------------------------------


def test_wrong_passwords_then_even_the_right_one_gets_429_in_the_visitors_language(app, make_user):
    make_user("ana@example.org", "archivist")
    client = app.test_client()
    for _ in range(5):  # CATALOGUE_LOGIN_LIMIT_ACCOUNT: 5 failures per 15 minutes
        response = post_login(client, "ana@example.org", "wrong", "?lang=fr")
        assert response.status_code == 200 and 'id="login-error"' in response.get_data(as_text=True)
    # Spelled differently, the address is still the same account.
    response = post_login(app.test_client(), "  ANA@example.org ", "secret-pass", "?lang=fr")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert FRENCH_THROTTLE in page and 'name="password"' in page
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    assert "Signed in as" not in app.test_client().get("/").get_data(as_text=True)


def test_successful_sign_ins_are_never_counted(app, make_user):
    make_user("ana@example.org", "archivist")
    for _ in range(8):
        assert post_login(app.test_client(), "ana@example.org", "secret-pass").status_code == 302
    for _ in range(4):
        assert post_login(app.test_client(), "ana@example.org", "wrong").status_code == 200
    assert post_login(app.test_client(), "ana@example.org", "secret-pass").status_code == 302


def test_another_account_from_the_same_address_until_the_address_limit(make_app, make_user):
    app = make_app(CATALOGUE_LOGIN_LIMIT_ACCOUNT="3 per 15 minutes", CATALOGUE_LOGIN_LIMIT_ADDRESS="7 per 15 minutes")
    make_user("ana@example.org", "archivist")
    make_user("ben@example.org", "archivist")
    make_user("cem@example.org", "archivist")
    for _ in range(3):
        post_login(from_address(app, "203.0.113.5"), "ana@example.org", "wrong")
    assert post_login(from_address(app, "203.0.113.5"), "ana@example.org", "secret-pass").status_code == 429
    assert post_login(from_address(app, "203.0.113.5"), "ben@example.org", "secret-pass").status_code == 302
    for email in ("ben@example.org", "ben@example.org", "cem@example.org", "nobody@example.org"):
        assert post_login(from_address(app, "203.0.113.5"), email, "wrong").status_code == 200
    # Seven failures from this address: nobody signs in from it, while another address still can.
    response = post_login(from_address(app, "203.0.113.5"), "cem@example.org", "secret-pass")
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert post_login(from_address(app, "198.51.100.7"), "cem@example.org", "secret-pass").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(make_app, make_user):
    app = make_app(CATALOGUE_LOGIN_LIMIT_ADDRESS="2 per 15 minutes")
    make_user("ana@example.org", "archivist")
    make_user("ben@example.org", "archivist")
    proxied = app.test_client()  # 127.0.0.1, the default FORWARDED_ALLOW_IPS
    for email in ("ana@example.org", "ben@example.org"):
        post_login(proxied, email, "wrong")  # no X-Forwarded-For: the proxy's own address counts
    blocked = post_login(proxied, "ben@example.org", "secret-pass")
    assert blocked.status_code == 429
    proxied.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.1, 203.0.113.9"
    assert post_login(proxied, "ben@example.org", "secret-pass").status_code == 302
    # From an address that is no trusted proxy, X-Forwarded-For is the client's own claim and ignored.
    spoofer = from_address(app, "192.0.2.1")
    for email in ("ana@example.org", "ben@example.org"):
        post_login(spoofer, email, "wrong")
    spoofer.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.77"
    assert post_login(spoofer, "ben@example.org", "secret-pass").status_code == 429


def test_api_tokens_and_other_pages_are_not_limited(app, make_user):
    make_user("ana@example.org", "archivist")
    token = api_token(app, "script@example.org", "archivist", display_name="Script")
    client = app.test_client()
    for _ in range(20):
        post_login(client, "ana@example.org", "wrong")
    assert post_login(client, "ana@example.org", "secret-pass").status_code == 429
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(30):
        response = client.put("/api/v1/recordings/no-such-recording/subtitles/fr", headers=headers, data=b"x")
        assert response.status_code == 404  # past the token check: neither 401 nor 429
    assert client.get("/").status_code == 200 and client.get("/login").status_code == 200


# --- headers on every response -----------------------------------------------------------------------------------


def assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'self'" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_security_headers_on_pages_errors_files_and_json(demo_app, tmp_path):
    media = Path(demo_app.config["CATALOGUE_MEDIA_DIR"])
    media.mkdir(parents=True, exist_ok=True)
    (media / "clip.mp3").write_bytes(b"ID3" + bytes(64))
    client = demo_app.test_client()
    responses = {
        "page": client.get("/"),
        "cached page": client.get("/"),
        "watch": client.get(f"/recordings/{SLUG}"),
        "404": client.get("/no-such-page"),
        "vtt": client.get(f"/recordings/{SLUG}/subtitles/fr.vtt"),
        "srt": client.get(f"/recordings/{SLUG}/subtitles/fr.srt"),
        "media": client.get("/media/clip.mp3"),
        "media range": client.get("/media/clip.mp3", headers={"Range": "bytes=0-9"}),
        "static": client.get("/static/css/site.css"),
        "json": client.get("/api/v1/recordings"),
        "json 401": client.put(f"/api/v1/recordings/{SLUG}/subtitles/fr", data=b"x"),
    }
    expected = {"404": 404, "media range": 206, "json 401": 401}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, 200), name
        assert_security_headers(response)
        response.close()


class ScriptTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.styled: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.handlers += [f"{tag} {name}" for name, value in attrs if (value or "").startswith("javascript:")]
        self.styled += [tag for name, _ in attrs if name == "style"] + ([tag] if tag == "style" else [])
        if tag == "script":
            self._open = dict(attrs) | {"text": ""}
            self.scripts.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_no_inline_script_or_style_in_rendered_pages(demo_app, make_user, login):
    make_user("admin@example.org", "admin")
    client = demo_app.test_client()
    pages = [f"/recordings/{SLUG}?lang=fr", "/", "/login", "/search?q=resilience", "/no-such-page"]
    anonymous = [client.get(url).get_data(as_text=True) for url in pages]
    login(client, "admin@example.org")
    signed_in = [client.get(url).get_data(as_text=True) for url in ("/archive/", "/translate/", "/")]
    for page in anonymous + signed_in:
        parser = ScriptTags()
        parser.feed(page)
        assert parser.handlers == [] and parser.styled == []
        for script in parser.scripts:
            assert script.get("src") or script.get("type") == "application/json", script
            assert not script.get("src") or not script["text"].strip(), script
    watch = ScriptTags()
    watch.feed(anonymous[0])
    (data,) = [s for s in watch.scripts if s.get("type") == "application/json"]
    assert data["id"] == "player-messages"
    assert json.loads(data["text"])["copied"] == "Lien copié."


def test_templates_and_scripts_have_no_inline_handlers_styles_or_javascript_urls():
    """The CSP blocks them in the browser; this names the file before a person meets a broken page."""
    catalogue = PROJECT_ROOT / "catalogue"
    in_html = re.compile(r"""<[^>]*\s(?:on[a-z]+|style)\s*=|<style\b|javascript:""", re.I)
    in_js = re.compile(r"""javascript:|setAttribute\(\s*["'](?:style|on)|\.style\.cssText|\beval\(|new Function\(""")
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {match.group(0).strip()}"
        for pattern, paths in ((in_html, catalogue.rglob("*.html")), (in_js, catalogue.rglob("*.js")))
        for path in paths
        if path.is_file()  # static/vendor/hls.js/ is a folder
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# --- cookies -------------------------------------------------------------------------------------------------------


def set_cookie_headers(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def sign_in_cookies(app) -> dict[str, str]:
    """The Set-Cookie headers of choosing a language, then signing in with "keep me signed in"."""
    client = app.test_client()
    cookies = set_cookie_headers(client.get("/?lang=fr"))
    return cookies | set_cookie_headers(post_login(client, "ana@example.org", "secret-pass", remember="y"))


def test_secure_cookies_behind_https(make_app, make_user):
    make_user("ana@example.org", "archivist")
    cookies = sign_in_cookies(make_app(CATALOGUE_SECURE_COOKIES=True))  # on the database make_user filled
    assert set(cookies) >= {"session", "remember_token", "lang"}
    for header in cookies.values():
        assert "; Secure" in header and "; HttpOnly" in header, header


def test_cookies_are_not_secure_over_plain_http_by_default(app, make_user):
    make_user("ana@example.org", "archivist")
    cookies = sign_in_cookies(app)
    assert set(cookies) >= {"session", "remember_token", "lang"}
    assert all("; Secure" not in header and "; HttpOnly" in header for header in cookies.values())


# --- sessions that end on the server -----------------------------------------------------------------------------


def sign_out(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302


def copy_cookie(source: FlaskClient, target: FlaskClient, name: str) -> str:
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    target.set_cookie(name, cookie.value)
    return cookie.value


def test_a_copied_session_cookie_stops_working_at_logout(app, make_user):
    make_user("ana@example.org", "archivist")
    browser, thief = app.test_client(), app.test_client()
    assert post_login(browser, "ana@example.org", "secret-pass").status_code == 302
    copy_cookie(browser, thief, "session")
    assert thief.get("/archive/").status_code == 200
    sign_out(browser)
    response = thief.get("/archive/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copied_remember_cookie_stops_working_at_logout(app, make_user):
    make_user("ana@example.org", "archivist")
    browser = app.test_client()
    assert post_login(browser, "ana@example.org", "secret-pass", remember="y").status_code == 302
    before_logout = app.test_client()
    copy_cookie(browser, before_logout, "remember_token")
    assert before_logout.get("/archive/").status_code == 200  # the remember cookie alone signs in
    thief = app.test_client()
    copy_cookie(browser, thief, "remember_token")
    sign_out(browser)
    assert thief.get("/archive/").status_code == 302
    assert before_logout.get("/archive/").status_code == 302  # its session, made from the old token, ends too


def test_each_sign_in_after_a_logout_gets_a_new_remember_cookie(app, make_user):
    make_user("ana@example.org", "archivist")
    client = app.test_client()
    values = []
    for _ in range(3):
        assert post_login(client, "ana@example.org", "secret-pass", remember="y").status_code == 302
        values.append(client.get_cookie("remember_token").value)
        sign_out(client)
        assert client.get_cookie("remember_token") is None
    assert len(set(values)) == 3


def test_a_session_from_before_session_tokens_is_signed_out_not_an_error(app, make_user):
    user_id = make_user("ana@example.org", "archivist")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)  # what Flask-Login stored before User.get_id held a token
        session["_fresh"] = True
    response = client.get("/archive/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for forged in (f"{user_id}:", f"{user_id}:not-the-token", "x:y", f"{user_id}:é"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert client.get("/archive/").status_code == 302, forged


# --- redirects and links that stay on this site ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/%5Cevil.example", "//evil.example", "/%09/evil.example", "/\\/evil.example"])
def test_the_404_language_switcher_stays_on_this_site(client, path):
    response = client.get("/", environ_overrides={"PATH_INFO": path.replace("%5C", "\\").replace("%09", "\t")})
    assert response.status_code == 404
    links = re.findall(r'<a href="([^"]*)" lang="(?:en|fr|tr)"', response.get_data(as_text=True))
    assert len(links) == 3
    for link in links:
        link = link.replace("&amp;", "&")
        assert is_safe_local_path(link), link
        assert not urlsplit(link).netloc and link.endswith(tuple(f"lang={c}" for c in ("en", "fr", "tr")))


def test_the_language_switcher_keeps_the_page_and_its_query(app, client):
    with app.app_context():
        recording = make_recording(slug="switching")
        make_audio_track(recording)
        make_subtitles(recording, "fr")
    page = client.get("/recordings/switching?subs=fr&t=12").get_data(as_text=True)
    assert 'href="/recordings/switching?subs=fr&amp;t=12&amp;lang=tr"' in page


def test_the_translation_editor_never_goes_back_off_site(translated_app, login):
    api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    assert login(client, "fr@example.org").status_code == 302
    for back in ("//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example", "evil"):
        page = client.get("/translate/fr/messages?q=Webinar+catalogue").get_data(as_text=True)
        start = page.index('<p class="source" lang="en">Webinar catalogue</p>')
        form = page[start : page.index("</form>", start)]
        hidden = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
        fields = {name: value.replace("&amp;", "&") for name, value in hidden}
        assert fields["back"].startswith("/translate/fr/messages")
        response = client.post("/translate/fr/messages/entry", data={**fields, "back": back, "msgstr": "Catalogue"})
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith("/translate/fr/messages#") and "evil" not in location, back


def test_is_safe_local_path():
    for good in ("/", "/a/b?c=d#e", "/translate/fr/messages?q=x&state=all"):
        assert is_safe_local_path(good), good
    for bad in (None, "", "a/b", "//x.example", "/\\x.example", "/\t/x.example", "/a\nb", "http://x.example/"):
        assert not is_safe_local_path(bad), bad


# --- no production start with the development SECRET_KEY ---------------------------------------------------------


def run_wsgi(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "-c", "import catalogue.wsgi"],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_entry_point_refuses_the_development_secret_key(tmp_path):
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite'}"}
    for env, problem in (
        (database, "SECRET_KEY is not set"),
        (database | {"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        (database | {"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY is the public development value"),
    ):
        result = run_wsgi(env)
        assert result.returncode != 0
        assert problem in result.stderr and "secrets.token_hex(32)" in result.stderr
    started = run_wsgi(database | {"SECRET_KEY": "a-long-random-value-for-this-test"})
    assert started.returncode == 0, started.stderr
