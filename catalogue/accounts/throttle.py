"""Sign-in throttling: failed sign-ins counted per account and per client address (Flask-Limiter).

Only failures count, so a person who types the right password is never held back by their own sign-ins; once
an account or an address is over its limit, every sign-in through it is refused with 429 and `Retry-After`
until the window ends, the right password included. Nothing else is limited: API calls authenticate with
Bearer tokens that cannot be guessed, and pages need no sign-in.

Each app has its own Limiter, so its own counts (two test apps never share them): in the worker's memory, or in
Redis shared by every worker with CATALOGUE_LIMITER_URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import time
from collections.abc import Callable
from typing import cast

from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded

from catalogue.accounts.forms import LoginForm
from catalogue.accounts.models import normalize_email
from catalogue.errors import handle_http_error
from catalogue.security import is_safe_local_path

LOGIN_ENDPOINT = "accounts.login"
EXTENSION = "catalogue_sign_in_limiter"


def record_failed_sign_in() -> None:
    """The login view calls this when a password was checked and refused: that attempt counts."""
    g.sign_in_failed = True


def _counts_as_failure(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def _trusted_proxy(address: str) -> bool:
    trusted = {a.strip() for a in current_app.config["CATALOGUE_TRUSTED_PROXIES"].split(",")}
    return "*" in trusted or address in trusted


def client_address() -> str:
    """The address the request came from; behind a trusted proxy (FORWARDED_ALLOW_IPS, as for gunicorn), the
    last X-Forwarded-For entry, which the proxy itself appended: every client would otherwise share its address."""
    address = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _trusted_proxy(address):
        # Not an address: keep the proxy's own rather than trust free text.
        with contextlib.suppress(ValueError):
            address = str(ipaddress.ip_address(forwarded.rsplit(",", 1)[-1].strip()))
    return f"address:{address or 'unknown'}"


def account_key() -> str:
    """The account a sign-in is for, as typed (normalised), hashed: addresses never sit in the limiter's store,
    and a huge field cannot make a huge key. Unknown addresses count too, so a 429 reveals no account."""
    email = normalize_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def retry_after_seconds() -> int:
    """Seconds until the breached window ends (at least 1)."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def throttled_login_page(retry_after_s: int) -> Response:
    """The sign-in page once its account or address is over the limit of failed sign-ins (429)."""
    minutes = math.ceil(retry_after_s / 60)
    message = ngettext(
        "Too many failed sign-ins. Please wait %(num)s minute before trying again.",
        "Too many failed sign-ins. Please wait %(num)s minutes before trying again.",
        minutes,
    )
    next_url = request.args.get("next")
    page = render_template(
        "accounts/login.html",
        form=LoginForm(),
        failed=False,
        throttled=message,
        next_url=next_url if is_safe_local_path(next_url) else None,
    )
    return make_response(page, 429)


def _throttled(error: RateLimitExceeded) -> Response:
    """429 on the login page in the visitor's language; any other limited endpoint gets the usual error page."""
    retry_after = retry_after_seconds()
    response = throttled_login_page(retry_after) if request.endpoint == LOGIN_ENDPOINT else handle_http_error(error)
    response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    """A Limiter for this app, and the two limits wrapped around the login view (register the blueprint first)."""
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=app.config["CATALOGUE_LIMITER_URL"] or "memory://",
        strategy="fixed-window",
        key_prefix="catalogue",
        # If Redis is unreachable, count in this worker's memory instead of refusing every sign-in.
        in_memory_fallback_enabled=True,
    )
    app.extensions[EXTENSION] = limiter
    # Every other request skips the limiter's work at once (it runs before every request).
    limiter.request_filter(lambda: request.endpoint != LOGIN_ENDPOINT)
    # The login view is a plain (not async) function: what the limiter wraps keeps that type.
    view = cast("Callable[..., ResponseReturnValue]", app.view_functions[LOGIN_ENDPOINT])
    for limit, key in (
        (lambda: current_app.config["CATALOGUE_LOGIN_LIMIT_ACCOUNT"], account_key),
        (lambda: current_app.config["CATALOGUE_LOGIN_LIMIT_ADDRESS"], client_address),
    ):
        view = limiter.limit(limit, key_func=key, methods=["POST"], deduct_when=_counts_as_failure)(view)
    app.view_functions[LOGIN_ENDPOINT] = view
    app.register_error_handler(RateLimitExceeded, _throttled)
