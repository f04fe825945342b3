"""One file with several audio streams (a broadcaster's master, a meeting tool's export): stored once, one audio
track per stream, the languages taken from the file's own tags, one packaging for all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalogue.extensions import db
from catalogue.jobs.models import Job
from catalogue.media.models import MediaSource
from catalogue.recordings.models import AudioKind, AudioTrack
from tests.test_media import (
    PICTURE,
    SLUG,
    archivist,  # noqa: F401  (a fixture)
    ffmpeg,
    lavfi,
    master,
    media_app,  # noqa: F401  (a fixture)
    post_media,
    run_worker,
    tone,
)


def _broadcast(path: Path, languages: list[str | None]) -> Path:
    """A video with one AAC audio stream per entry of `languages`, each tagged with it (None: untagged)."""
    arguments = [*lavfi(PICTURE)]
    for number, _language in enumerate(languages):
        arguments += lavfi(tone(440 + 110 * number))
    arguments += ["-map", "0:v"]
    for number, _language in enumerate(languages):
        arguments += ["-map", f"{number + 1}:a"]
    arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"]
    arguments += ["-c:a", "aac", "-b:a", "48k"]
    for number, language in enumerate(languages):
        if language is not None:
            arguments += [f"-metadata:s:a:{number}", f"language={language}"]
    ffmpeg(*arguments, str(path))
    return path


@pytest.fixture(scope="module")
def broadcast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ISO 639-2 tags as containers write them: the floor, then French and Turkish interpretation channels."""
    return _broadcast(tmp_path_factory.mktemp("broadcast") / "broadcast.mkv", ["eng", "fre", "tur"])


def _tracks(app: Flask) -> list[tuple[str, list[str], str, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(AudioTrack.kind, AudioTrack.languages, MediaSource.path, MediaSource.audio_stream)
            .join(MediaSource, MediaSource.audio_track_id == AudioTrack.id)
            .order_by(MediaSource.audio_stream)
        ).all()
        return [(kind.value, languages, path, stream) for kind, languages, path, stream in rows]


def test_each_stream_of_a_file_becomes_a_track_in_its_language_and_is_packaged_once(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    broadcast: Path,
) -> None:
    client = media_app.test_client()
    response = post_media(client, archivist, broadcast, kind="original", languages="en,fr,tr", each_stream="1")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert [t["languages"] for t in body["audio_tracks"]] == [["en", "fr", "tr"], ["fr"], ["tr"]]
    assert body["audio_track"] == body["audio_tracks"][0]

    tracks = _tracks(media_app)
    assert [(kind, languages, stream) for kind, languages, _path, stream in tracks] == [
        (AudioKind.ORIGINAL.value, ["en", "fr", "tr"], 0),
        (AudioKind.INTERPRETATION.value, ["fr"], 1),
        (AudioKind.INTERPRETATION.value, ["tr"], 2),
    ]
    # Stored once: every source points at the same file.
    assert len({path for _kind, _languages, path, _stream in tracks}) == 1
    with media_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1

    finished = run_worker(media_app)
    assert finished.returncode == 0, finished.stderr
    audio, variants = master(client)
    assert [(a["LANGUAGE"], a["NAME"]) for a in audio] == [
        ("mul", body["audio_tracks"][0]["label"]),
        ("fr", body["audio_tracks"][1]["label"]),
        ("tr", body["audio_tracks"][2]["label"]),
    ]
    assert variants, "the picture is in the stream"


def test_a_stream_without_a_language_is_refused_naming_it_and_nothing_is_kept(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    untagged = _broadcast(tmp_path / "export.mkv", ["eng", None])
    client = media_app.test_client()
    response = post_media(client, archivist, untagged, kind="original", languages="en", each_stream="true")
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["field"] == "file"
    assert "Audio stream 1" in error["message"] and "export.mkv" in error["message"]
    assert _tracks(media_app) == []
    sources = Path(media_app.config["CATALOGUE_MEDIA_DIR"]) / "sources" / SLUG
    assert not sources.exists() or not any(sources.iterdir())


def test_the_command_line_adds_each_stream(
    media_app: Flask,  # noqa: F811
    broadcast: Path,
) -> None:
    result: Any = media_app.test_cli_runner().invoke(
        args=["media", "add", SLUG, str(broadcast), "--kind", "original", "--languages", "en,fr,tr", "--each-stream"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert sum("added to plenary" in line for line in lines) == 3
    assert lines[-1].isdigit()
    assert [languages for _kind, languages, _path, _stream in _tracks(media_app)] == [
        ["en", "fr", "tr"],
        ["fr"],
        ["tr"],
    ]


def test_without_each_stream_only_the_first_stream_is_used(
    media_app: Flask,  # noqa: F811
    archivist: dict[str, str],  # noqa: F811
    broadcast: Path,
) -> None:
    client = media_app.test_client()
    response = post_media(client, archivist, broadcast, kind="original", languages="en,fr,tr")
    assert response.status_code == 202
    assert "audio_tracks" not in response.get_json()
    assert [stream for *_rest, stream in _tracks(media_app)] == [0]
