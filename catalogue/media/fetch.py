"""Fetching a media file from an address an archivist gives, without letting that address reach inside our own
network (server-side request forgery).

Only http and https, no credentials in the address, and every address the host name resolves to must be a public
one (`ipaddress.is_global`) unless CATALOGUE_MEDIA_FETCH_PRIVATE is set (a test, or an intranet archive). The
connection goes to the very address that was checked, so a name that resolves elsewhere a moment later (DNS
rebinding) cannot slip through; every redirect is checked the same way, at most MAX_REDIRECTS of them. The body is
counted as it arrives and refused past CATALOGUE_MAX_MEDIA_BYTES. Standard library only: urllib would follow
redirects and proxies on its own, which is exactly what must not happen here.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from flask import current_app

from catalogue.inputs import InvalidInput
from catalogue.media.ffmpeg import MediaError, check_size
from catalogue.problems import N_

MAX_URL_LENGTH = 2000
MAX_REDIRECTS = 5
CHUNK_BYTES = 1024 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})

_BAD_URL = N_("Give the address of the media file, starting with http:// or https://.")
_CREDENTIALS = N_("An address with a user name or password is not fetched: make the file reachable without them.")
_UNKNOWN_HOST = N_("The host “%(host)s” cannot be found.")
_PRIVATE = N_("“%(host)s” is inside a private network: the catalogue fetches media only from public addresses.")
_STATUS = N_("“%(url)s” answered %(answer)s instead of the file.")
_TOO_MANY_REDIRECTS = N_("“%(url)s” redirects more than %(count)s times.")
_UNREACHABLE = N_("“%(url)s” could not be fetched: %(reason)s")


@dataclass(frozen=True, slots=True)
class Target:
    """A checked address: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str  # The checked IP address the connection goes to.


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if current_app.config.get("CATALOGUE_MEDIA_FETCH_PRIVATE"):
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


def check_url(url: object, error: Callable[..., Exception] | None = None) -> Target:
    """The address checked and resolved, or the error `error(code, text, **params)` makes (InvalidInput on the
    `url` field by default: the form and the API name the field)."""
    fail = error or (lambda code, text, **params: InvalidInput("url", code, text, **params))
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or url != url.strip():
        raise fail("bad-url", _BAD_URL)
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise fail("bad-url", _BAD_URL) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail("bad-url", _BAD_URL)
    if parts.username is not None or parts.password is not None:
        raise fail("credentials", _CREDENTIALS)
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise fail("unknown-host", _UNKNOWN_HOST, host=host) from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses or not all(_allowed(a) for a in addresses):
        raise fail("private-address", _PRIVATE, host=host)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, parts.scheme, host, port, path, addresses[0])


def _fetch_error(code: str, text: str, **params: object) -> MediaError:
    return MediaError(code, text, 422, **params)


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to the checked address, with the host name in the request."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is still checked against the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def file_name(url: str) -> str:
    """The name the file is known by: the last part of its address ("download" when it has none)."""
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return "".join(c for c in name if c.isprintable() and c not in "/\\")[:200] or "download"


def _receive(response: http.client.HTTPResponse, target: Path, url: str, progress: Callable[[float], None]) -> None:
    length = response.getheader("Content-Length")
    expected = int(length) if length and length.isdigit() else None
    check_size(expected, file_name(url))
    received = 0
    with target.open("xb") as out:
        while chunk := response.read(CHUNK_BYTES):
            received += len(chunk)
            check_size(received, file_name(url))
            out.write(chunk)
            if expected:
                progress(received / expected)


def download(url: str, target: Path, progress: Callable[[float], None]) -> str:
    """Fetch `url` into `target` (which must not exist), following checked redirects; the final address's file
    name. MediaError naming the address when it is refused, unreachable, answers an error, or is too large."""
    timeout = float(current_app.config.get("CATALOGUE_MEDIA_FETCH_TIMEOUT_S", 30))
    for _hop in range(MAX_REDIRECTS + 1):
        checked = check_url(url, _fetch_error)
        pinned = _PinnedHTTPS if checked.scheme == "https" else _PinnedHTTP
        connection = pinned(checked, timeout)
        try:
            connection.request("GET", checked.path, headers={"User-Agent": "webinar-catalogue", "Accept": "*/*"})
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in REDIRECTS and location:
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise MediaError("fetch-status", _STATUS, 422, url=url, answer=response.status)
            _receive(response, target, url, progress)
            return file_name(url)
        except (OSError, http.client.HTTPException) as error:
            raise MediaError(
                "unreachable", _UNREACHABLE, 422, url=url, reason=str(error) or type(error).__name__
            ) from None
        finally:
            connection.close()
    raise MediaError("too-many-redirects", _TOO_MANY_REDIRECTS, 422, url=url, count=MAX_REDIRECTS)
