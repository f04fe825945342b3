"""Security defaults every response and every deployment gets (design.md §9).

Headers that keep pages from running injected script or being framed elsewhere, `Secure` cookies behind HTTPS,
the sign-in throttle (catalogue.accounts.throttle), a check that links we redirect to stay on this site, and a
refusal to serve production with the public development `SECRET_KEY`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask, Response

from config import DEV_SECRET_KEY

# No inline script or style anywhere: pages pass data to scripts in <script type="application/json"> blocks.
# Audio tracks and posters are plain URLs on any HTTP origin (design.md §4), hence http: and https: there;
# blob: for players that feed the <video> through Media Source Extensions (and their workers).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: http: https:",
        "media-src 'self' http: https: blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # frame-ancestors for browsers that predate it.
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}

SECRET_KEY_HELP = (
    'set the SECRET_KEY environment variable to a long random value (python -c "import secrets; '
    'print(secrets.token_hex(32))"), the same on every machine'
)


class UnsafeConfiguration(RuntimeError):
    """The app must not serve with this configuration (gunicorn stops instead of starting workers)."""


def add_security_headers(response: Response) -> Response:
    """Every response: pages, errors, JSON, static and media files, subtitle downloads.

    setdefault: a view that needs a stricter or different value sets it itself.
    """
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def is_safe_local_path(target: str | None) -> bool:
    """Whether `target` is a path on this site ("/recordings/x?t=3#c"), so redirecting to it is no open redirect.

    Browsers read "/\\evil.example" as "//evil.example" and drop tabs and new lines inside URLs, so a backslash
    or a control character anywhere refuses the path, as do a scheme and a host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def require_production_secret_key(app: Flask) -> None:
    """Refuse to serve when SECRET_KEY is missing or the public development value: anyone could sign cookies."""
    key = app.config.get("SECRET_KEY")
    if key == DEV_SECRET_KEY and os.environ.get("SECRET_KEY") == DEV_SECRET_KEY:
        raise UnsafeConfiguration(f"SECRET_KEY is the public development value: {SECRET_KEY_HELP}.")
    if not key or key == DEV_SECRET_KEY:
        raise UnsafeConfiguration(f"SECRET_KEY is not set: {SECRET_KEY_HELP}.")


def _secure_cookies(app: Flask) -> None:
    """Behind HTTPS (CATALOGUE_SECURE_COOKIES), browsers never send our cookies over plain HTTP."""
    secure = bool(app.config.get("CATALOGUE_SECURE_COOKIES"))
    app.config["SESSION_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE") or secure
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("REMEMBER_COOKIE_SECURE") or secure


def init_app(app: Flask) -> None:
    """Call once the blueprints are registered: the sign-in throttle wraps the login view."""
    from catalogue.accounts import throttle

    _secure_cookies(app)
    app.after_request(add_security_headers)
    throttle.init_app(app)
