"""The player on packaged recordings (HLS through hls.js in Chromium): switching between the floor and an
interpretation changes only the sound, the picture plays on in the same <video>; deep links, audio-only streams,
tracks not packaged yet, and the demo summit as video.

The media are made here with ffmpeg (test pattern and tones), added with catalogue.media.services.add_source and
packaged by the real job (catalogue.jobs.services.run) before the page opens.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from catalogue.demo.cli import load_demo
from catalogue.extensions import db
from catalogue.jobs.services import run
from catalogue.media import services
from catalogue.media.models import Stream, StreamState
from catalogue.recordings.models import Recording, Workshop
from tests.conftest import ARTIFACTS, create_schema, reset_database, served

pytestmark = pytest.mark.browser

SECONDS = 12
VIDEO = "hls-plenary"
RADIO = "hls-radio"
FLOOR_LABEL = "Original floor audio (English, French, and Turkish)"
FRENCH_LABEL = "French interpretation"
STEP_BACK = 2.0  # CATALOGUE_INTERPRETATION_STEP_BACK_S, the default.
POSTER = "/static/img/watch-en.png"


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True, timeout=120)


def tone(frequency: int) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000:duration={SECONDS}"]


@pytest.fixture(scope="module")
def hls_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A floor video (H.264 test pattern with an AAC tone), AAC interpretations, and an audio-only floor."""
    folder = tmp_path_factory.mktemp("hls-media")
    files = {name: folder / name for name in ("floor.mp4", "fr.m4a", "tr.m4a", "radio.m4a")}
    picture = ["-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={SECONDS}"]
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-pix_fmt", "yuv420p"]
    aac = ["-c:a", "aac", "-b:a", "64k"]
    ffmpeg(*picture, *tone(440), *h264, *aac, "-shortest", str(files["floor.mp4"]))
    for name, frequency in (("fr.m4a", 660), ("tr.m4a", 550), ("radio.m4a", 330)):
        ffmpeg(*tone(frequency), *aac, str(files[name]))
    return files


def add_recording(workshop: Workshop, slug: str, poster_url: str | None = None) -> Recording:
    recording = Recording(workshop=workshop, slug=slug, title=f"Recording {slug}", poster_url=poster_url)
    db.session.add(recording)
    db.session.commit()
    return recording


def package(recording: Recording, sources: list[tuple[Path, str, str, str]]) -> None:
    """Add the files as media sources and run every packaging job they queued, as a worker would."""
    jobs = [services.add_source(recording, path, *described).job.id for path, *described in sources]
    assert [run(job) for job in jobs][-1] == "done"


@pytest.fixture
def hls_app(demo_app: Flask, hls_media: dict[str, Path]) -> Flask:
    """The demo, plus a packaged video recording (floor + French interpretation) and an audio-only one."""
    demo_app.config["CATALOGUE_HLS_SEGMENT_S"] = 2.0
    with demo_app.app_context():
        workshop = db.session.scalar(select(Workshop).order_by(Workshop.number))
        video = add_recording(workshop, VIDEO)
        package(
            video,
            [
                (hls_media["floor.mp4"], "original", "en,fr,tr", "Floor"),
                (hls_media["fr.m4a"], "interpretation", "fr", "French interpretation"),
            ],
        )
        radio = add_recording(workshop, RADIO, poster_url=POSTER)
        package(
            radio,
            [
                (hls_media["radio.m4a"], "original", "en", "Floor"),
                (hls_media["fr.m4a"], "interpretation", "fr", "French interpretation"),
            ],
        )
    return demo_app


@pytest.fixture
def blocked(page: Page) -> list[str]:
    """What the Content-Security-Policy blocked on the page (hls.js needs blob: media and its blob: worker)."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


@pytest.fixture
def requests(page: Page) -> list[str]:
    """Every URL the page fetches, in order (hls.js loads playlists and segments from the page itself)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def player(page: Page, expression: str) -> Any:
    return page.evaluate(
        "() => { const v = document.querySelector('video'); "
        f"const root = document.querySelector('[data-player]'); return {expression}; }}"
    )


def open_stream(page: Page, base: str, slug: str, query: str = "lang=en") -> None:
    page.goto(f"{base}/recordings/{slug}?{query}")
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.ready === 'true'")
    assert player(page, "root.dataset.engine") == "hls.js"
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")


# Samples the <video> every 50 ms from now on: time, picture width, source, and every `emptied` event.
WATCH = """() => {
  const v = document.querySelector('video');
  window.watched = { emptied: 0, samples: [] };
  v.addEventListener('emptied', () => { window.watched.emptied++; });
  window.setInterval(() => {
    window.watched.samples.push({ at: performance.now(), t: v.currentTime, w: v.videoWidth, src: v.src });
  }, 50);
}"""


def watched(page: Page) -> dict[str, Any]:
    return page.evaluate("() => window.watched")


def playing_audio(page: Page, slug: str) -> None:
    page.wait_for_function(f"() => document.querySelector('[data-player]').dataset.playingAudio === '{slug}'")


def advances(page: Page, seconds: float) -> None:
    """currentTime moves on by `seconds` from where it is."""
    now = player(page, "v.currentTime")
    page.wait_for_function(f"() => document.querySelector('video').currentTime > {now + seconds}")


def test_switching_to_an_interpretation_and_back_keeps_the_picture_playing(
    page: Page, hls_app: Flask, live_server: str, requests: list[str], blocked: list[str]
):
    open_stream(page, live_server, VIDEO)
    playing_audio(page, "floor")
    page.evaluate(WATCH)
    page.evaluate("document.querySelector('video').play()")
    page.wait_for_function("() => document.querySelector('video').currentTime > 4")
    assert not any("/audio-1/" in url for url in requests)

    before = player(page, "v.currentTime")
    fetched = len(requests)
    page.get_by_label(FRENCH_LABEL).check()
    playing_audio(page, "interpretation-fr")
    # The interpretation's rendition is fetched; the picture, buffered already, is not fetched again.
    assert any("/audio-1/" in url for url in requests[fetched:])
    assert not any("/video/seg00000" in url for url in requests[fetched:])
    after = player(page, "v.currentTime")
    # Floor to interpretation steps back, so the interpreter's sentence is heard from its start.
    assert before - STEP_BACK - 0.5 <= after <= before - STEP_BACK + 1.0
    advances(page, 1.0)

    page.get_by_label(FLOOR_LABEL).check()
    playing_audio(page, "floor")
    advances(page, 1.0)
    assert page.get_by_label(FLOOR_LABEL).is_checked()

    seen = watched(page)
    assert seen["emptied"] == 0, "the <video> was reloaded"
    assert {s["src"][:5] for s in seen["samples"]} == {"blob:"}
    assert min(s["w"] for s in seen["samples"]) > 0, "the picture went away"
    assert player(page, "v.paused") is False
    # The address bar keeps the choice, so a reload or a shared link plays the same audio.
    assert "audio=floor" in page.url
    assert blocked == []


def test_a_deep_link_opens_the_stream_on_its_audio_at_its_moment(
    page: Page, hls_app: Flask, live_server: str, requests: list[str]
):
    open_stream(page, live_server, VIDEO, "lang=en&audio=interpretation-fr&t=6")
    playing_audio(page, "interpretation-fr")
    assert page.get_by_label(FRENCH_LABEL).is_checked()
    assert abs(player(page, "v.currentTime") - 6) < 0.5
    page.evaluate("document.querySelector('video').play()")
    advances(page, 0.5)
    assert player(page, "v.videoWidth") > 0
    # Only the chosen rendition's audio was fetched: the floor's sound never was.
    assert any("/audio-1/seg" in url for url in requests)
    assert not any("/audio-0/seg" in url for url in requests)


def test_an_audio_only_stream_plays_under_the_recordings_poster(
    page: Page, hls_app: Flask, live_server: str, requests: list[str]
):
    open_stream(page, live_server, RADIO)
    assert player(page, "v.getAttribute('poster')").endswith(POSTER)
    page.evaluate("document.querySelector('video').play()")
    advances(page, 1.0)
    assert player(page, "v.videoWidth") == 0
    page.get_by_label(FRENCH_LABEL).check()
    playing_audio(page, "interpretation-fr")
    advances(page, 0.5)
    assert any("/audio-1/seg" in url for url in requests)
    assert player(page, "v.src").startswith("blob:")


def test_a_track_added_since_the_packaging_plays_its_own_file_then_the_stream_again(
    page: Page, hls_app: Flask, live_server: str, hls_media: dict[str, Path]
):
    with hls_app.app_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == VIDEO))
        # Queued, not run: the published stream has no rendition for it yet.
        services.add_source(recording, hls_media["tr.m4a"], "interpretation", "tr", "Turkish interpretation")
        assert db.session.scalar(select(Stream.state).where(Stream.recording_id == recording.id)) == StreamState.QUEUED
    open_stream(page, live_server, VIDEO)
    page.evaluate("document.querySelector('video').play()")
    advances(page, 1.0)

    page.get_by_label("Turkish interpretation").check()
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.engine === 'file'")
    playing_audio(page, "interpretation-tr")
    assert player(page, "v.currentSrc").endswith(".m4a")
    advances(page, 0.5)

    page.get_by_label(FLOOR_LABEL).check()
    page.wait_for_function("() => document.querySelector('[data-player]').dataset.engine === 'hls.js'")
    playing_audio(page, "floor")
    advances(page, 0.5)
    assert player(page, "v.videoWidth") > 0


# --- the demo summit as `make serve` shows it ---------------------------------------------------------------


@pytest.fixture
def video_demo(make_app: Callable[..., Flask]) -> Iterator[str]:
    """The demo loaded with its videos packaged (CATALOGUE_DEMO_VIDEO, as `make serve` does), served."""
    app = make_app(CATALOGUE_DEMO_VIDEO=True)
    with app.app_context():
        reset_database()
        create_schema()
        assert load_demo()["videos"] == 3
    with served(app) as base:
        yield base


def test_the_demo_plays_as_video_and_switches_to_the_floor_sound(page: Page, video_demo: str):
    slug = "workshop-1-building-resilience"
    open_stream(page, video_demo, slug, "lang=en&t=3")
    page.evaluate(WATCH)
    page.evaluate("document.querySelector('video').play()")
    advances(page, 1.0)
    page.get_by_label(FLOOR_LABEL).check()
    playing_audio(page, "floor")
    advances(page, 1.0)
    page.get_by_label("English interpretation").check()
    playing_audio(page, "interpretation")
    advances(page, 0.5)
    seen = watched(page)
    assert seen["emptied"] == 0 and min(s["w"] for s in seen["samples"]) == 640
    # The poster is a frame of the video, from the stream's folder.
    assert "/hls/" in player(page, "v.getAttribute('poster')")
    page.wait_for_function("() => document.querySelector('.caption').innerText.length > 0")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "watch-video-en.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000


def test_pointing_at_the_timeline_shows_the_frame_at_that_moment(page: Page, hls_app: Flask, live_server: str):
    """Thumbnails from the packaging's sprite track: a different picture at the start and near the end."""
    open_stream(page, live_server, VIDEO)
    page.wait_for_function("() => Number(document.querySelector('[data-player]').dataset.thumbnailsReady) > 1")
    seek = page.locator(".controls .seek")
    box = seek.bounding_box()
    assert box is not None
    preview = page.locator(".seek-preview")
    assert preview.is_hidden()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    preview.wait_for(state="visible")
    first = player(page, "root.dataset.thumbnailShown")
    assert page.locator(".seek-preview-time").inner_text() == "0:00"
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    last = player(page, "root.dataset.thumbnailShown")
    assert first != last
    image = page.evaluate("() => getComputedStyle(document.querySelector('.seek-preview-picture')).backgroundImage")
    assert "/media/" in image and ".jpg" in image
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] - 200)
    preview.wait_for(state="hidden")
