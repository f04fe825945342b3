"""Real recordings: media made here with ffmpeg, added through the API and the command line, packaged to HLS by
a real worker process (`flask jobs work --burst`), and the playlists read back as a player reads them."""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.jobs.models import Job, JobState
from catalogue.media.ffmpeg import run_ffmpeg
from catalogue.media.models import MediaSource, Stream, StreamState
from catalogue.media.queries import stream_json, streams_by_recording
from catalogue.recordings.models import AudioTrack, Event, Recording, Workshop
from tests.conftest import api_token, create_schema, reset_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECONDS = 3
SLUG = "plenary"
MASTER = f"/media/{SLUG}/hls/master.m3u8"
ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


# --- media made for the tests -------------------------------------------------------------------------------


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True, timeout=60)


def lavfi(source: str, seconds: float = SECONDS) -> list[str]:
    return ["-f", "lavfi", "-i", f"{source}:duration={seconds}"]


PICTURE = "testsrc2=size=160x90:rate=25"


def tone(frequency: int) -> str:
    return f"sine=frequency={frequency}:sample_rate=48000"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A few seconds of test pattern and tones: an H.264/AAC floor video, AAC and Opus interpretations, a
    VP9/Vorbis video (to be encoded), a video without sound, a text file named .mp4, an audio codec nobody
    decodes, and an interpretation twice as long as the floor."""
    folder = tmp_path_factory.mktemp("media-files")
    files = {name: folder / name for name in ("floor.mp4", "fr.m4a", "tr.opus", "floor.webm", "silent.mp4")}
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"]
    ffmpeg(*lavfi(PICTURE), *lavfi(tone(440)), *h264, "-c:a", "aac", "-b:a", "48k", str(files["floor.mp4"]))
    ffmpeg(*lavfi(tone(550)), "-c:a", "aac", "-b:a", "48k", str(files["fr.m4a"]))
    ffmpeg(*lavfi(tone(660)), "-c:a", "libopus", "-b:a", "32k", str(files["tr.opus"]))
    vp9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "100k", "-c:a", "libvorbis"]
    ffmpeg(*lavfi(PICTURE), *lavfi(tone(440)), *vp9, str(files["floor.webm"]))
    ffmpeg(*lavfi(PICTURE), *h264, str(files["silent.mp4"]))
    files["long-fr.m4a"] = folder / "long-fr.m4a"
    ffmpeg(*lavfi(tone(550), 3 * SECONDS), "-c:a", "aac", "-b:a", "48k", str(files["long-fr.m4a"]))
    files["notes.mp4"] = folder / "notes.mp4"
    files["notes.mp4"].write_text("Minutes of the plenary, not a video.\n" * 20, encoding="utf-8")
    # Matroska with an audio codec id no decoder knows (A_AAC renamed): probed fine, decoded never.
    ffmpeg("-i", str(files["floor.mp4"]), "-c", "copy", str(folder / "floor.mkv"))
    files["strange.mkv"] = folder / "strange.mkv"
    files["strange.mkv"].write_bytes((folder / "floor.mkv").read_bytes().replace(b"A_AAC", b"A_QQQ"))
    return files


# --- the app, a recording, a worker -----------------------------------------------------------------------


def add_recording(slug: str = SLUG, poster_url: str | None = None) -> None:
    event = Event(slug=f"summit-{slug}", title="Summit", starts_on=date(2021, 12, 8), ends_on=date(2021, 12, 8))
    workshop = Workshop(event=event, number=1, slug="workshop", title="Living together")
    db.session.add(Recording(workshop=workshop, slug=slug, title="Plenary", poster_url=poster_url))
    db.session.commit()


@pytest.fixture
def media_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app with one recording, its queue in huey's SQLite storage under tmp_path, 1-second segments."""
    app = make_app(CATALOGUE_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite'}", CATALOGUE_HLS_SEGMENT_S=1.0)
    with app.app_context():
        reset_database()
        create_schema()
        add_recording(poster_url="/static/poster.svg")
    return app


def worker_environment(app: Flask) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CATALOGUE_MEDIA_DIR": app.config["CATALOGUE_MEDIA_DIR"],
        "CATALOGUE_QUEUE_URL": app.config["CATALOGUE_QUEUE_URL"],
        "CATALOGUE_HLS_SEGMENT_S": str(app.config["CATALOGUE_HLS_SEGMENT_S"]),
        "SECRET_KEY": "test-secret",
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def run_worker(app: Flask, *wrapper: str) -> subprocess.CompletedProcess[str]:
    """`flask --app catalogue jobs work --burst` in its own process, as an operator runs it."""
    command = [*wrapper, sys.executable, "-m", "flask", "--app", "catalogue", "jobs", "work", "--burst"]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=worker_environment(app), capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def archivist(media_app: Flask) -> dict[str, str]:
    token = api_token(media_app, "archivist@example.org", "archivist", display_name="Archivist")
    return {"Authorization": f"Bearer {token}"}


def post_media(client: Any, headers: dict[str, str], path: Path, **fields: str) -> Any:
    data: dict[str, Any] = {"file": (io.BytesIO(path.read_bytes()), path.name), **fields}
    return client.post(
        f"/api/v1/recordings/{SLUG}/media", data=data, headers=headers, content_type="multipart/form-data"
    )


def job_state(client: Any, headers: dict[str, str], response: Any) -> dict[str, Any]:
    return client.get(response.get_json()["job"]["url"], headers=headers).get_json()


# --- reading HLS as a player does --------------------------------------------------------------------------


def attributes(line: str) -> dict[str, str]:
    return {key: value.strip('"') for key, value in ATTRIBUTE.findall(line.partition(":")[2])}


def fetch(client: Any, url: str, **options: Any) -> Any:
    """A response read in full and closed (file responses hold their file open until then)."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def get_text(client: Any, url: str) -> str:
    response = fetch(client, url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def media_playlist(client: Any, url: str) -> tuple[list[float], list[str], str]:
    """(segment durations, absolute segment URLs, absolute init segment URL)."""
    lines = get_text(client, url).splitlines()
    assert lines[0] == "#EXTM3U" and "#EXT-X-ENDLIST" in lines
    init = next(attributes(line)["URI"] for line in lines if line.startswith("#EXT-X-MAP:"))
    durations = [float(line[len("#EXTINF:") :].split(",")[0]) for line in lines if line.startswith("#EXTINF:")]
    segments = [urljoin(url, line) for line in lines if line and not line.startswith("#")]
    return durations, segments, urljoin(url, init)


def master(client: Any) -> tuple[list[dict[str, str]], list[tuple[dict[str, str], str]]]:
    """The master playlist's audio renditions and its variants (attributes, absolute URL)."""
    lines = get_text(client, MASTER).splitlines()
    audio = [attributes(line) for line in lines if line.startswith("#EXT-X-MEDIA:")]
    variants = [
        (attributes(line), urljoin(MASTER, lines[n + 1]))
        for n, line in enumerate(lines)
        if line.startswith("#EXT-X-STREAM-INF:")
    ]
    return audio, variants


def probe_stream(client: Any, init_url: str, segment_url: str, tmp_path: Path) -> dict[str, str]:
    """What ffprobe reads from an init segment followed by one media segment (as MSE is fed)."""
    sample = tmp_path / "sample.mp4"
    sample.write_bytes(fetch(client, init_url).get_data() + fetch(client, segment_url).get_data())
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "default=nw=1",
            str(sample),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in done.stdout.split())


def describe(app: Flask) -> dict[str, Any]:
    """The recording JSON's `stream` object, as the API and the watch page get it."""
    with app.test_request_context():
        recording = db.session.scalar(select(Recording).where(Recording.slug == SLUG))
        described = stream_json(recording)
        assert stream_json(recording, streams_by_recording([recording])) == described  # The listing's way.
        return described


def media_rows(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(MediaSource)),
            db.session.scalar(select(func.count()).select_from(AudioTrack)),
        )


# --- the floor video and two interpretations, remuxed -------------------------------------------------------


def test_floor_video_and_interpretations_are_remuxed_into_one_hls_with_an_audio_rendition_each(
    media_app, archivist, media, tmp_path
):
    client = media_app.test_client()
    floor = post_media(client, archivist, media["floor.mp4"], kind="original", languages="en,FR,tr")
    assert floor.status_code == 202, floor.get_json()
    body = floor.get_json()
    assert set(body["job"]) == {"id", "state", "url"} and body["job"]["state"] == "queued"
    assert floor.headers["Location"] == body["job"]["url"]
    french = post_media(client, archivist, media["fr.m4a"], kind="interpretation", languages="fr", label="Français")
    turkish = post_media(client, archivist, media["tr.opus"], kind="interpretation", languages="tr")
    assert french.status_code == turkish.status_code == 202
    assert job_state(client, archivist, turkish) == {
        "id": turkish.get_json()["job"]["id"],
        "state": "queued",
        "progress": 0.0,
        "error": None,
    }
    # Until a stream is ready, the files themselves play (progressive fallback).
    recording = client.get(f"/api/v1/recordings/{SLUG}").get_json()
    floor_track = next(t for t in recording["audio_tracks"] if t["slug"] == "floor")
    assert floor_track["mime_type"] == "video/mp4" and floor_track["languages"] == ["en", "fr", "tr"]
    assert fetch(client, floor_track["url"]).status_code == 200

    done = run_worker(media_app)
    assert done.returncode == 0, done.stderr
    # The two older jobs found themselves superseded by the newest, which packaged all three tracks.
    for response in (floor, french, turkish):
        assert job_state(client, archivist, response)["state"] == "done"
    assert job_state(client, archivist, turkish)["progress"] == 1.0

    response = client.get(MASTER)
    assert response.mimetype == "application/vnd.apple.mpegurl"
    assert "no-cache" in response.headers["Cache-Control"] and response.headers["ETag"]
    assert fetch(client, MASTER, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    audio, variants = master(client)
    assert [(a["TYPE"], a["GROUP-ID"], a["NAME"], a["LANGUAGE"], a["DEFAULT"]) for a in audio] == [
        ("AUDIO", "audio", "Original floor audio (EN, FR, TR)", "mul", "YES"),
        ("AUDIO", "audio", "Français", "fr", "NO"),
        ("AUDIO", "audio", "Turkish interpretation", "tr", "NO"),
    ]
    assert get_text(client, MASTER).count('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="') == 3
    # H.264 copied: one variant at the source's own size, referring to the audio group.
    assert len(variants) == 1
    video_attributes, video_url = variants[0]
    assert video_attributes["AUDIO"] == "audio" and video_attributes["RESOLUTION"] == "160x90"
    assert video_attributes["CODECS"].startswith("avc1.") and {"mp4a.40.2", "opus"} <= set(
        video_attributes["CODECS"].split(",")
    )
    video_durations, video_segments, video_init = media_playlist(client, video_url)
    assert len(video_segments) == SECONDS and sum(video_durations) == pytest.approx(SECONDS, abs=0.05)
    assert probe_stream(client, video_init, video_segments[0], tmp_path) == {
        "codec_name": "h264",
        "width": "160",
        "height": "90",
    }
    # Every audio rendition is cut on the video's timeline: as many segments, each as long.
    for rendition in audio:
        durations, segments, init = media_playlist(client, urljoin(MASTER, rendition["URI"]))
        assert len(segments) == len(video_segments), rendition["NAME"]
        assert durations == pytest.approx(video_durations, abs=0.05)
        assert probe_stream(client, init, segments[0], tmp_path)["codec_name"] in {"aac", "opus"}

    # Segments: ranges, a year of caching, the right type.
    ranged = fetch(client, video_segments[1], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.get_data()) == 100
    assert ranged.mimetype == "video/mp4"
    assert "immutable" in ranged.headers["Cache-Control"] and "max-age=31536000" in ranged.headers["Cache-Control"]

    described = describe(media_app)
    assert described["state"] == "ready" and described["hls"].endswith(MASTER)
    assert [a["track"] for a in described["audio"]] == ["floor", "interpretation-fr", "interpretation-tr"]
    poster = fetch(client, described["poster"])
    assert poster.status_code == 200 and poster.mimetype == "image/jpeg" and poster.get_data()[:2] == b"\xff\xd8"
    thumbnails = get_text(client, described["thumbnails"])
    cues = re.findall(r"(\S+) --> (\S+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)", thumbnails)
    # One thumbnail a second, side by side in a sprite sheet, from the start to the end of the recording.
    assert thumbnails.startswith("WEBVTT") and len(cues) >= SECONDS - 1
    assert cues[0][:2] == ("00:00:00.000", "00:00:01.000") and cues[-1][1] == f"00:00:0{SECONDS}.000"
    assert all(cue[1] == following[0] for cue, following in itertools.pairwise(cues))
    assert cues[1][2:] == ("sprites/sprite-001.jpg", "160", "0", "160", "90")
    sprite = fetch(client, urljoin(described["thumbnails"], cues[0][2]))
    assert sprite.status_code == 200 and sprite.mimetype == "image/jpeg"


# --- encoding when copying is not possible -----------------------------------------------------------------


def test_a_vp9_vorbis_video_is_encoded_to_h264_and_aac_through_the_command_line(media_app, media):
    runner = media_app.test_cli_runner()
    result = runner.invoke(
        args=["media", "add", SLUG, str(media["floor.webm"]), "--kind", "original", "--languages", "en"]
    )
    assert result.exit_code == 0, result.output
    job_id = int(result.output.strip().splitlines()[-1])
    assert run_worker(media_app).returncode == 0
    with media_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.DONE and job.progress == 1.0
    client = media_app.test_client()
    audio, variants = master(client)
    assert len(audio) == 1 and audio[0]["LANGUAGE"] == "en" and audio[0]["DEFAULT"] == "YES"
    # A 90-pixel source gets the lowest rung of the ladder (360p), in H.264; Vorbis becomes AAC.
    assert [(v["RESOLUTION"], v["CODECS"].split(",")[1]) for v, _url in variants] == [("640x360", "mp4a.40.2")]
    assert variants[0][0]["CODECS"].startswith("avc1.")
    durations, segments, _init = media_playlist(client, variants[0][1])
    audio_durations, audio_segments, _ = media_playlist(client, urljoin(MASTER, audio[0]["URI"]))
    assert len(audio_segments) == len(segments) and audio_durations == pytest.approx(durations, abs=0.05)


def test_audio_only_media_make_an_audio_only_master_playlist_with_the_recordings_poster(media_app, media):
    runner = media_app.test_cli_runner()
    for path, languages in ((media["fr.m4a"], "fr"), (media["tr.opus"], "tr")):
        kind = "original" if languages == "fr" else "interpretation"
        result = runner.invoke(args=["media", "add", SLUG, str(path), "--kind", kind, "--languages", languages])
        assert result.exit_code == 0, result.output
    assert run_worker(media_app).returncode == 0
    client = media_app.test_client()
    audio, variants = master(client)
    assert [(a["LANGUAGE"], a["DEFAULT"], "URI" in a) for a in audio] == [("fr", "YES", False), ("tr", "NO", True)]
    # The variant is the default rendition itself; no picture anywhere.
    [(attributes_, url)] = variants
    assert "RESOLUTION" not in attributes_ and attributes_["AUDIO"] == "audio"
    assert attributes_["CODECS"] == "mp4a.40.2,opus"
    assert len(media_playlist(client, url)[1]) == SECONDS
    described = describe(media_app)
    assert described["poster"] == "http://localhost/static/poster.svg" and described["thumbnails"] is None


# --- refused input: a clear message, nothing stored, the old stream still served ---------------------------


@pytest.fixture
def packaged(media_app: Flask, archivist: dict[str, str], media: dict[str, Path]) -> str:
    """The recording with its floor video packaged and served: the master playlist's text.

    The worker runs in this process here (the same command, through Click's runner), to spare a start-up.
    """
    client = media_app.test_client()
    assert post_media(client, archivist, media["floor.mp4"], kind="original", languages="en").status_code == 202
    assert media_app.test_cli_runner().invoke(args=["jobs", "work", "--burst"]).exit_code == 0
    return get_text(client, MASTER)


def test_files_that_are_not_usable_media_are_refused_with_the_file_and_stream_named(
    media_app, archivist, media, packaged
):
    client = media_app.test_client()
    before = media_rows(media_app)
    sources = media_app.config["CATALOGUE_MEDIA_DIR"] + f"/sources/{SLUG}"
    files_before = sorted(os.listdir(sources))
    cases = [
        ("notes.mp4", "not-media", "“notes.mp4” is not a media file that ffmpeg can read"),
        ("silent.mp4", "no-audio", "“silent.mp4” has no audio stream"),
        ("strange.mkv", "undecodable", "Audio stream #0:1 of “strange.mkv” cannot be decoded"),
    ]
    for name, code, message in cases:
        response = post_media(client, archivist, media[name], kind="interpretation", languages="fr")
        assert response.status_code == 422, name
        [error] = response.get_json()["errors"]
        assert (error["code"], error["field"]) == (code, "file")
        assert error["message"].startswith(message), error["message"]
    media_app.config["CATALOGUE_MAX_MEDIA_BYTES"] = 1000
    response = post_media(client, archivist, media["fr.m4a"], kind="interpretation", languages="fr")
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["message"] == "“fr.m4a” is too large: media files may be up to 1,000 bytes."
    # Nothing stored, nothing queued, and the stream as it was.
    assert media_rows(media_app) == before
    assert sorted(os.listdir(sources)) == files_before
    assert get_text(client, MASTER) == packaged
    with media_app.app_context():
        assert db.session.scalar(select(Stream)).state == StreamState.READY


def test_an_interpretation_much_longer_than_the_floor_is_added_with_a_warning(media_app, archivist, media):
    client = media_app.test_client()
    assert post_media(client, archivist, media["floor.mp4"], kind="original", languages="en").status_code == 202
    response = post_media(client, archivist, media["long-fr.m4a"], kind="interpretation", languages="fr")
    assert response.status_code == 202
    [warning] = response.get_json()["warnings"]
    assert warning["code"] == "duration"
    assert warning["message"] == "“long-fr.m4a” lasts 6 seconds longer than the floor recording “floor.mp4”."
    runner = media_app.test_cli_runner()
    result = runner.invoke(
        args=["media", "add", SLUG, str(media["long-fr.m4a"]), "--kind", "interpretation", "--languages", "fr"]
    )
    assert result.exit_code == 0 and "warning: “long-fr.m4a” lasts 6 seconds longer" in result.output


def test_a_failed_packaging_says_why_and_the_previous_stream_keeps_playing(media_app, archivist, packaged):
    with media_app.app_context():
        source = db.session.scalar(select(MediaSource))
        path = Path(media_app.config["CATALOGUE_MEDIA_DIR"]) / source.path
    path.write_bytes(b"this file was overwritten by mistake\n" * 100)
    runner = media_app.test_cli_runner()
    result = runner.invoke(args=["media", "package", SLUG])
    assert result.exit_code == 0, result.output
    job_id = int(result.output.strip().splitlines()[-1])
    done = run_worker(media_app)
    assert done.returncode == 1
    client = media_app.test_client()
    job = client.get(f"/api/v1/jobs/{job_id}", headers=archivist).get_json()
    assert job["state"] == "failed"
    assert job["error"].startswith("“floor.mp4” is not a media file that ffmpeg can read: ")
    assert str(media_app.config["CATALOGUE_MEDIA_DIR"]) not in job["error"]
    with media_app.app_context():
        assert db.session.scalar(select(Stream)).state == StreamState.FAILED
    assert get_text(client, MASTER) == packaged
    assert client.get(f"/api/v1/recordings/{SLUG}").status_code == 200


def test_a_disk_that_fills_during_packaging_fails_the_job_and_keeps_the_previous_stream(media_app, archivist, packaged):
    """The worker runs in its own mount namespace where the recording's HLS folder is a 64 KiB tmpfs: a real
    ENOSPC from the kernel, while this process still sees the published folder."""
    assert shutil.which("unshare"), "util-linux's unshare is needed for this test"
    runner = media_app.test_cli_runner()
    job_id = int(runner.invoke(args=["media", "package", SLUG]).output.strip().splitlines()[-1])
    hls = Path(media_app.config["CATALOGUE_MEDIA_DIR"]) / SLUG / "hls"
    wrapper = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c"]
    wrapper += [f'mount -t tmpfs -o size=64k tmpfs "{hls}" && exec "$@"', "sh"]
    done = run_worker(media_app, *wrapper)
    assert done.returncode == 1, done.stderr
    client = media_app.test_client()
    job = client.get(f"/api/v1/jobs/{job_id}", headers=archivist).get_json()
    assert job["state"] == "failed"
    assert job["error"].startswith(f"The disk filled up while packaging “{SLUG}”. The previous stream is still served")
    assert get_text(client, MASTER) == packaged
    with media_app.app_context():
        stream = db.session.scalar(select(Stream))
        assert stream.state == StreamState.FAILED and (hls / Path(stream.folder).name).is_dir()


# --- the API's and the command line's contracts ------------------------------------------------------------


def test_the_media_api_needs_an_archivist_and_names_the_field_it_refuses(media_app, archivist, media):
    client = media_app.test_client()
    viewer = api_token(media_app, "viewer@example.org", "viewer", display_name="Viewer")
    url = f"/api/v1/recordings/{SLUG}/media"
    assert post_media(client, {}, media["fr.m4a"], kind="interpretation", languages="fr").status_code == 401
    forbidden = post_media(
        client, {"Authorization": f"Bearer {viewer}"}, media["fr.m4a"], kind="original", languages="fr"
    )
    assert forbidden.status_code == 403
    refused = {
        "kind": post_media(client, archivist, media["fr.m4a"], kind="remix", languages="fr"),
        "languages": post_media(client, archivist, media["fr.m4a"], kind="original", languages="fr_FR"),
        "label": post_media(client, archivist, media["fr.m4a"], kind="original", languages="fr", label="x" * 201),
        "file": client.post(url, data={"kind": "original", "languages": "fr"}, headers=archivist),
    }
    for field, response in refused.items():
        assert response.status_code == 422, field
        assert response.get_json()["errors"][0]["field"] == field
    assert post_media(client, archivist, media["fr.m4a"], kind="original", languages="").status_code == 422
    missing = client.post("/api/v1/recordings/nowhere/media", headers=archivist)
    assert missing.status_code == 404
    assert media_rows(media_app) == (0, 0)

    added = post_media(client, archivist, media["fr.m4a"], kind="original", languages="fr")
    job_url = added.get_json()["job"]["url"]
    assert client.get(job_url).status_code == 401
    assert client.get(job_url, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    assert set(client.get(job_url, headers=archivist).get_json()) == {"id", "state", "progress", "error"}
    assert client.get("/api/v1/jobs/999999", headers=archivist).status_code == 404


def test_the_command_line_adds_and_queues_and_says_what_is_wrong(media_app, media):
    runner = media_app.test_cli_runner()
    bad = runner.invoke(args=["media", "add", SLUG, str(media["fr.m4a"]), "--kind", "original", "--languages", "f r"])
    assert bad.exit_code == 2 and "--languages" in bad.output
    refused = runner.invoke(
        args=["media", "add", SLUG, str(media["notes.mp4"]), "--kind", "original", "--languages", "en"]
    )
    assert refused.exit_code == 1 and "“notes.mp4” is not a media file" in refused.output
    nothing = runner.invoke(args=["media", "package", SLUG])
    assert nothing.exit_code == 1 and f"“{SLUG}” has no media to package" in nothing.output
    unknown = runner.invoke(args=["media", "package", "nowhere"])
    assert unknown.exit_code == 1 and "No recording “nowhere”" in unknown.output
    added = runner.invoke(args=["media", "add", SLUG, str(media["fr.m4a"]), "--kind", "original", "--languages", "fr"])
    assert added.exit_code == 0
    again = runner.invoke(args=["media", "package", SLUG])
    assert int(again.output.strip().splitlines()[-1]) == int(added.output.strip().splitlines()[-1]) + 1


def test_ffmpeg_progress_is_reported_from_its_output_time(media_app, tmp_path):
    seen: list[float] = []
    with media_app.app_context():
        run_ffmpeg([*lavfi(PICTURE, 20), "-c:v", "mpeg4", "-f", "null", "-"], 20.0, seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0, abs=0.05)


# --- Redis ---------------------------------------------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """Debian's redis-server on a free port, its files in tmp_path, stopped after the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path / "redis"
    folder.mkdir()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/15"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


def test_a_worker_on_a_redis_queue_packages_what_the_web_app_queued(make_app, redis_url, media):
    app = make_app(CATALOGUE_QUEUE_URL=redis_url, CATALOGUE_HLS_SEGMENT_S=1.0)
    with app.app_context():
        reset_database()
        create_schema()
        add_recording()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["media", "add", SLUG, str(media["floor.mp4"]), "--kind", "original", "--languages", "en"]
    )
    assert result.exit_code == 0, result.output
    done = run_worker(app)
    assert done.returncode == 0, done.stderr
    assert "Queue: redis redis://127.0.0.1:" in done.stderr
    audio, variants = master(app.test_client())
    assert len(audio) == 1 and len(variants) == 1
    with app.app_context():
        assert db.session.scalar(select(Stream)).state == StreamState.READY
