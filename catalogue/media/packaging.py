"""Packaging sources into an HLS folder: one video ladder, one audio rendition per audio track, on one timeline.

The video is copied when it is H.264 already (a 90-minute file then packages in a minute or two) and otherwise
encoded to a ladder of heights (360p and 720p by default) with `-preset veryfast`. Audio is copied when it is AAC
or Opus (both play from fragmented MP4) and encoded to AAC otherwise. One ffmpeg run cuts every stream into
fMP4 segments of the same target length, so each audio rendition is cut on the video's timeline; a last scrap
of audio (the encoder's final frame, past the picture's end) is joined to the segment before it.

The master playlist is ours, not ffmpeg's, so that it says exactly what design.md §8 promises:
`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="<label>",LANGUAGE="<tag>"` per track. A poster frame and a
WebVTT track of thumbnail sprites come from the picture. Everything is written into one new folder; publishing
it is the caller's single step.
"""

from __future__ import annotations

import errno
import io
import itertools
import math
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.media.ffmpeg import FFmpegFailed, Probe, StreamInfo, ffprobe_binary, run_ffmpeg, run_quietly

MASTER = "master.m3u8"
POSTER = "poster.jpg"
THUMBNAILS = "thumbnails.vtt"
SPRITES = "sprites"
THUMB_WIDTH = 160
SPRITE_COLUMNS = 10
SPRITE_ROWS = 10
# Encoded video: x264 at a constant quality, capped per height so one rung never outgrows the next.
MAX_VIDEO_KBPS = {360: 900, 480: 1400, 540: 1800, 720: 3000, 1080: 6000}
AUDIO_KBPS = 128
# Keyframes at least this often in encoded video: seeking decodes from the last one.
MAX_GOP_S = 2.0
# Where the packaging's share of the job ends; the poster and thumbnails take the rest.
PACKAGING_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class Input:
    """A source file as ffmpeg reads it, and the name messages give it."""

    path: Path
    shown_name: str
    probe: Probe


@dataclass(frozen=True, slots=True)
class AudioRendition:
    """One audio track of the recording: where its sound comes from and how the master playlist names it."""

    track_id: int
    track_slug: str
    name: str
    language: str
    default: bool
    source: Input
    stream: StreamInfo


@dataclass(frozen=True, slots=True)
class Plan:
    renditions: list[AudioRendition]
    picture: Input | None
    duration_s: float
    segment_s: float
    ladder: tuple[int, ...] = (360, 720)
    # Encode the picture even when it could be copied (a ladder for slow connections; the benchmark).
    encode_video: bool = False

    @property
    def copies_video(self) -> bool:
        video = self.picture.probe.video if self.picture else None
        return video is not None and video.codec == "h264" and not self.encode_video


@dataclass
class Playlist:
    """A media playlist ffmpeg wrote: its folder, segments and what its master entry needs."""

    folder: str
    init: str = ""
    durations: list[float] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    codecs: str = ""
    peak_bps: int = 0
    average_bps: int = 0
    resolution: tuple[int, int] | None = None
    frame_rate: float | None = None


@dataclass
class Packaged:
    """What a packaging wrote: the playlists, and the poster and thumbnails when there is a picture."""

    video: list[Playlist]
    audio: list[Playlist]
    poster: str | None = None
    thumbnails: str | None = None
    renditions: list[dict[str, Any]] = field(default_factory=list)


# --- the ffmpeg command -----------------------------------------------------------------------------------


def copies_audio(stream: StreamInfo) -> bool:
    """AAC and Opus go into fragmented MP4 as they are."""
    return stream.codec in {"aac", "opus"}


def video_heights(plan: Plan) -> list[int]:
    """The ladder's heights up to the picture's own (no rung above the source), at least the lowest rung."""
    video = plan.picture.probe.video if plan.picture else None
    source_height = (video.height if video else None) or max(plan.ladder)
    heights = sorted(h for h in plan.ladder if h <= source_height)
    return heights or [min(plan.ladder)]


def gop_seconds(segment_s: float) -> float:
    """A keyframe interval that divides the segment length: every segment then starts on a keyframe."""
    return segment_s / max(1, math.ceil(segment_s / MAX_GOP_S - 1e-9))


def aligned_segment_s(picture: Input, target_s: float) -> float:
    """The segment length for a copied video: a multiple of its keyframe interval, when keyframes come at a
    regular interval, so every video segment ends exactly where the audio renditions' segments end.

    Copied video can only be cut on its own keyframes; audio is cut at multiples of the segment length. Only
    the first two minutes are read (packet flags, nothing decoded). Irregular keyframes keep `target_s`.
    """
    video = picture.probe.video
    assert video is not None
    command = [ffprobe_binary(), "-v", "error", "-select_streams", f"{video.index}", "-read_intervals", "%+120"]
    command += ["-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", str(picture.path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    keyframes = sorted(
        float(pts)
        for pts, _, flags in (line.partition(",") for line in done.stdout.splitlines())
        if flags.startswith("K") and pts not in ("", "N/A")
    )
    gaps = [b - a for a, b in itertools.pairwise(keyframes)]
    if len(gaps) < 2 or min(gaps) <= 0 or max(gaps) - min(gaps) > 0.002:
        return target_s
    gop = sum(gaps) / len(gaps)
    return round(gop * max(1, round(target_s / gop)), 6)


def inputs_of(plan: Plan) -> list[Input]:
    """The distinct files ffmpeg reads, in its input order (#0 is the picture when there is one)."""
    inputs: list[Input] = []
    for source in ([plan.picture] if plan.picture else []) + [r.source for r in plan.renditions]:
        if all(existing.path != source.path for existing in inputs):
            inputs.append(source)
    return inputs


def _video_arguments(plan: Plan, picture_input: int, names: list[str]) -> list[str]:
    assert plan.picture is not None
    video = plan.picture.probe.video
    assert video is not None
    if plan.copies_video:
        names.append("video")
        return ["-map", f"{picture_input}:{video.index}", "-c:v", "copy"]
    heights = video_heights(plan)
    labels = [f"v{h}" for h in heights]
    graph = f"[{picture_input}:{video.index}]split={len(heights)}" + "".join(f"[s{h}]" for h in heights) + ";"
    graph += ";".join(f"[s{h}]scale=-2:{h},format=yuv420p[v{h}]" for h in heights)
    gop = gop_seconds(plan.segment_s)
    arguments = ["-filter_complex", graph]
    for number, (height, label) in enumerate(zip(heights, labels, strict=True)):
        names.append(f"video-{height}")
        rate = MAX_VIDEO_KBPS.get(height, height * 4)
        arguments += ["-map", f"[{label}]", f"-c:v:{number}", "libx264", f"-maxrate:v:{number}", f"{rate}k"]
        arguments += [f"-bufsize:v:{number}", f"{rate * 2}k"]
    arguments += [
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-profile:v",
        "high",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{gop})",
    ]
    return arguments


def _audio_arguments(plan: Plan, input_of: dict[Path, int], names: list[str]) -> list[str]:
    arguments: list[str] = []
    for number, rendition in enumerate(plan.renditions):
        names.append(f"audio-{number}")
        arguments += ["-map", f"{input_of[rendition.source.path]}:{rendition.stream.index}"]
        if copies_audio(rendition.stream):
            arguments += [f"-c:a:{number}", "copy"]
        else:
            arguments += [f"-c:a:{number}", "aac", f"-b:a:{number}", f"{AUDIO_KBPS}k"]
    return arguments


def ffmpeg_arguments(plan: Plan, folder: Path) -> tuple[list[str], list[str]]:
    """ffmpeg's arguments for the whole packaging, and the folder name of each output stream in order."""
    inputs = inputs_of(plan)
    input_of = {source.path: number for number, source in enumerate(inputs)}
    arguments: list[str] = []
    for source in inputs:
        arguments += ["-i", str(source.path)]
    names: list[str] = []
    if plan.picture is not None:
        arguments += _video_arguments(plan, input_of[plan.picture.path], names)
    arguments += _audio_arguments(plan, input_of, names)
    video_count = len(names) - len(plan.renditions)
    stream_map = [f"v:{i},name:{names[i]}" for i in range(video_count)]
    stream_map += [f"a:{i},name:{names[video_count + i]}" for i in range(len(plan.renditions))]
    arguments += ["-t", f"{plan.duration_s:.3f}", "-max_muxing_queue_size", "4096", "-map_metadata", "-1"]
    arguments += ["-f", "hls", "-hls_time", f"{plan.segment_s:g}", "-hls_playlist_type", "vod", "-hls_list_size", "0"]
    arguments += ["-hls_segment_type", "fmp4", "-hls_flags", "independent_segments"]
    arguments += ["-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", str(folder / "%v" / "seg%05d.m4s")]
    arguments += ["-var_stream_map", " ".join(stream_map), str(folder / "%v" / "index.m3u8")]
    return arguments, names


# --- reading and tidying what ffmpeg wrote -----------------------------------------------------------------


def read_playlist(folder: Path, name: str) -> tuple[list[str], Playlist]:
    """A media playlist's lines and its segments with their durations."""
    lines = (folder / name / "index.m3u8").read_text(encoding="utf-8").splitlines()
    playlist = Playlist(folder=name)
    for number, line in enumerate(lines):
        if line.startswith("#EXT-X-MAP:"):
            playlist.init = re.search(r'URI="([^"]+)"', line).group(1)  # type: ignore[union-attr]
        if line.startswith("#EXTINF:"):
            playlist.durations.append(float(line.removeprefix("#EXTINF:").split(",")[0]))
            playlist.segments.append(lines[number + 1].strip())
    return lines, playlist


def join_last_scrap(folder: Path, name: str, segment_s: float) -> None:
    """Join a last segment shorter than a quarter of the target (the encoder's last audio frame after the
    picture ends) to the one before it. Fragmented MP4 segments may hold several fragments, so the two files
    are simply concatenated."""
    lines, playlist = read_playlist(folder, name)
    if len(playlist.segments) < 2 or playlist.durations[-1] >= min(1.0, segment_s / 4):
        return
    previous, last = folder / name / playlist.segments[-2], folder / name / playlist.segments[-1]
    with previous.open("ab") as target, last.open("rb") as scrap:
        shutil.copyfileobj(scrap, target)
    last.unlink()
    joined = playlist.durations[-2] + playlist.durations[-1]
    extinf = [i for i, line in enumerate(lines) if line.startswith("#EXTINF:")]
    lines[extinf[-2]] = f"#EXTINF:{joined:.6f},"
    del lines[extinf[-1] : extinf[-1] + 2]
    target_duration = max(math.floor(d + 0.5) for d in [*playlist.durations[:-2], joined])
    lines = [
        f"#EXT-X-TARGETDURATION:{max(1, target_duration)}" if line.startswith("#EXT-X-TARGETDURATION:") else line
        for line in lines
    ]
    (folder / name / "index.m3u8").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(folder: Path, playlist: Playlist, segment_s: float) -> None:
    """BANDWIDTH (the peak segment bit rate) and AVERAGE-BANDWIDTH from the segments' sizes."""
    sizes = [(folder / playlist.folder / s).stat().st_size for s in playlist.segments]
    total = sum(playlist.durations) or 1.0
    playlist.average_bps = math.ceil(sum(sizes) * 8 / total)
    full = [(size, d) for size, d in zip(sizes, playlist.durations, strict=True) if d >= segment_s / 2] or list(
        zip(sizes, playlist.durations, strict=True)
    )
    playlist.peak_bps = max(math.ceil(size * 8 / max(d, 0.001)) for size, d in full)


def avc_codec(init_segment: Path) -> str:
    """RFC 6381 `avc1.PPCCLL` from the avcC box of an init segment (profile, constraints, level)."""
    data = init_segment.read_bytes()
    at = data.find(b"avcC")
    if at < 0 or len(data) < at + 8:
        return "avc1.640028"
    return "avc1." + data[at + 5 : at + 8].hex()


def opus_input_rate_48k(init_segment: Path) -> None:
    """Say 48000 in the dOps box's InputSampleRate of an Opus init segment, as its AudioSampleEntry says.

    ffmpeg copies the rate the Opus file was encoded from (24 kHz speech, 16 kHz calls) from its header, and
    Chromium refuses an MP4 whose two rates differ ("Opus AudioSampleEntry sample rate mismatches
    OpusSpecificBox"), so such a rendition would not play through Media Source Extensions. The field is
    informational (Opus always decodes at 48 kHz): only those four bytes change.
    """
    data = bytearray(init_segment.read_bytes())
    at = data.find(b"dOps")
    # dOps: size, "dOps", Version (1 byte), OutputChannelCount (1), PreSkip (2), InputSampleRate (4) ...
    rate = slice(at + 8, at + 12)
    if at < 4 or len(data) < rate.stop or int.from_bytes(data[rate], "big") == 48000:
        return
    data[rate] = (48000).to_bytes(4, "big")
    init_segment.write_bytes(bytes(data))


AAC_PROFILES = {"HE-AAC": "mp4a.40.5", "HE-AACv2": "mp4a.40.29", "LC": "mp4a.40.2"}


def audio_codec(stream: StreamInfo) -> str:
    if stream.codec == "opus":
        return "opus"
    if stream.codec == "aac":
        return AAC_PROFILES.get(stream.profile or "LC", "mp4a.40.2")
    return "mp4a.40.2"  # Encoded to AAC-LC.


def _quoted(text: str) -> str:
    """A playlist quoted-string: no double quote, no line break or control character (labels are typed by
    people)."""
    cleaned = "".join(" " if not c.isprintable() else c for c in text).replace('"', "'").strip()
    return cleaned or "audio"


def master_playlist(plan: Plan, packaged: Packaged) -> str:
    """The multivariant playlist, its URIs relative to the folder it sits in."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    audio_only = not packaged.video
    for rendition, playlist in zip(plan.renditions, packaged.audio, strict=True):
        attributes = [
            "TYPE=AUDIO",
            'GROUP-ID="audio"',
            f'NAME="{_quoted(rendition.name)}"',
            f'LANGUAGE="{rendition.language}"',
            f"DEFAULT={'YES' if rendition.default else 'NO'}",
            "AUTOSELECT=YES",
        ]
        if rendition.stream.channels:
            attributes.append(f'CHANNELS="{rendition.stream.channels}"')
        # Audio only: the default rendition is the variant itself (RFC 8216 §4.3.4.1: no URI).
        if not (audio_only and rendition.default):
            attributes.append(f'URI="{playlist.folder}/index.m3u8"')
        lines.append("#EXT-X-MEDIA:" + ",".join(attributes))
    audio_codecs = ",".join(dict.fromkeys(p.codecs for p in packaged.audio))
    audio_peak = max(p.peak_bps for p in packaged.audio)
    audio_average = max(p.average_bps for p in packaged.audio)
    for playlist in packaged.video:
        attributes = [
            f"BANDWIDTH={playlist.peak_bps + audio_peak}",
            f"AVERAGE-BANDWIDTH={playlist.average_bps + audio_average}",
            f'CODECS="{playlist.codecs},{audio_codecs}"',
        ]
        if playlist.resolution:
            attributes.append(f"RESOLUTION={playlist.resolution[0]}x{playlist.resolution[1]}")
        if playlist.frame_rate:
            attributes.append(f"FRAME-RATE={playlist.frame_rate:.3f}")
        attributes.append('AUDIO="audio"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), f"{playlist.folder}/index.m3u8"]
    if audio_only:
        default = next(p for r, p in zip(plan.renditions, packaged.audio, strict=True) if r.default)
        attributes = [f"BANDWIDTH={audio_peak}", f"AVERAGE-BANDWIDTH={audio_average}", f'CODECS="{audio_codecs}"']
        lines += ["#EXT-X-STREAM-INF:" + ",".join([*attributes, 'AUDIO="audio"']), f"{default.folder}/index.m3u8"]
    return "\n".join(lines) + "\n"


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of the first video stream of `path` (an init segment, a JPEG)."""
    command = [ffprobe_binary(), "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height"]
    done = subprocess.run(
        [*command, "-of", "csv=p=0", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.fullmatch(r"(\d+),(\d+)", done.stdout.strip())
    if match is None:
        raise FFmpegFailed(done.stderr or f"ffprobe found no picture in {path.name}", done.returncode or 1)
    return int(match.group(1)), int(match.group(2))


# --- poster and thumbnails -------------------------------------------------------------------------------


def make_poster(picture: Input, duration_s: float, folder: Path) -> str:
    """A JPEG frame a little way in (past a black first frame or a title card's fade)."""
    video = picture.probe.video
    assert video is not None
    at = min(duration_s / 10, 30.0)
    seek = ["-ss", f"{at:.3f}", "-i", str(picture.path), "-map", f"0:{video.index}", "-frames:v", "1"]
    run_quietly([*seek, "-vf", "scale='min(1280,iw)':-2", "-q:v", "3", str(folder / POSTER)], timeout_s=120)
    return POSTER


def thumbnail_interval(duration_s: float) -> float:
    """About a hundred thumbnails, one every 1 to 10 seconds."""
    return float(min(10, max(1, round(duration_s / 100))))


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def make_thumbnails(picture: Input, duration_s: float, folder: Path) -> str | None:
    """Seek thumbnails as sprite sheets and the WebVTT track that points into them (`sprite.jpg#xywh=...`).

    Only keyframes are decoded, so a 90-minute video takes seconds; each thumbnail is then the keyframe at or
    before its moment.
    """
    video = picture.probe.video
    assert video is not None
    interval = thumbnail_interval(duration_s)
    frames = folder / SPRITES / "frames"
    frames.mkdir(parents=True)
    keyframes = ["-skip_frame", "nokey", "-i", str(picture.path), "-map", f"0:{video.index}", "-t", f"{duration_s:.3f}"]
    scaled = ["-vf", f"fps=1/{interval:g},scale={THUMB_WIDTH}:-2", "-q:v", "5", str(frames / "%05d.jpg")]
    run_quietly([*keyframes, *scaled], timeout_s=1800)
    count = len(list(frames.glob("*.jpg")))
    if count == 0:
        shutil.rmtree(frames)
        return None
    width, height = image_size(frames / "00001.jpg")
    columns = min(SPRITE_COLUMNS, count)
    rows = min(SPRITE_ROWS, math.ceil(count / columns))
    tiles = ["-framerate", "1", "-i", str(frames / "%05d.jpg"), "-vf", f"tile={columns}x{rows}", "-q:v", "5"]
    run_quietly([*tiles, str(folder / SPRITES / "sprite-%03d.jpg")], timeout_s=600)
    shutil.rmtree(frames)
    per_sheet = columns * rows
    cues = ["WEBVTT", ""]
    for number in range(count):
        start = number * interval
        if start >= duration_s:
            break
        # The last thumbnail stands for the rest of the recording (the last keyframes may come early).
        end = duration_s if number == count - 1 else min(start + interval, duration_s)
        sheet, place = divmod(number, per_sheet)
        x, y = (place % columns) * width, (place // columns) * height
        cues += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{SPRITES}/sprite-{sheet + 1:03d}.jpg#xywh={x},{y},{width},{height}",
            "",
        ]
    (folder / THUMBNAILS).write_text("\n".join(cues), encoding="utf-8")
    return THUMBNAILS


# --- the whole packaging ---------------------------------------------------------------------------------


class IncompleteOutput(Exception):
    """ffmpeg said nothing, yet a file it wrote is empty or cut short. Its HLS muxer ignores failed writes (a
    full disk among them) and exits 0, so every file is checked before anything is published."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path.parent.name}/{path.name} is empty or cut short")
        self.path = path


def complete_mp4(path: Path) -> bool:
    """Whether an MP4 file (init or media segment) is whole: its top-level boxes add up to its size exactly."""
    size = path.stat().st_size if path.is_file() else 0
    offset = 0
    with path.open("rb") if size else io.BytesIO() as data:
        while offset < size:
            data.seek(offset)
            header = data.read(16)
            if len(header) < 8:
                return False
            box = int.from_bytes(header[:4], "big")
            if box == 1 and len(header) == 16:
                box = int.from_bytes(header[8:16], "big")
            elif box == 0:
                box = size - offset
            if box < 8:
                return False
            offset += box
    return size > 0 and offset == size


def complete_jpeg(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size < 4:
        return False
    with path.open("rb") as data:
        start = data.read(2)
        data.seek(-2, io.SEEK_END)
        return start == b"\xff\xd8" and data.read(2) == b"\xff\xd9"


def disk_full(folder: Path) -> bool:
    """Whether the folder's file system has no room left: a small write there fails with ENOSPC."""
    probe = folder / ".room"
    try:
        with probe.open("wb") as data:
            data.write(b"\0" * 65536)
            data.flush()
            os.fsync(data.fileno())
    except OSError as error:
        return error.errno == errno.ENOSPC
    finally:
        probe.unlink(missing_ok=True)
    return False


def check_complete(folder: Path, playlist: Playlist) -> None:
    """Every file a media playlist names is whole, and the playlist itself ends as ffmpeg ends it."""
    text = (folder / playlist.folder / "index.m3u8").read_text(encoding="utf-8")
    if "#EXT-X-ENDLIST" not in text or not playlist.segments or not playlist.init:
        raise IncompleteOutput(folder / playlist.folder / "index.m3u8")
    for name in [playlist.init, *playlist.segments]:
        if not complete_mp4(folder / playlist.folder / name):
            raise IncompleteOutput(folder / playlist.folder / name)


def _read_outputs(plan: Plan, folder: Path, names: list[str]) -> Packaged:
    """The playlists ffmpeg wrote, checked whole, a last scrap of audio joined, measured and described."""
    video_count = len(names) - len(plan.renditions)
    video = plan.picture.probe.video if plan.picture else None
    packaged = Packaged(video=[], audio=[])
    for number, name in enumerate(names):
        if not (folder / name / "index.m3u8").is_file():
            raise IncompleteOutput(folder / name / "index.m3u8")
        check_complete(folder, read_playlist(folder, name)[1])
        join_last_scrap(folder, name, plan.segment_s)
        _, playlist = read_playlist(folder, name)
        measure(folder, playlist, plan.segment_s)
        if number < video_count:
            playlist.codecs = avc_codec(folder / name / playlist.init)
            playlist.resolution = image_size(folder / name / playlist.init)
            playlist.frame_rate = video.frame_rate if video else None
            packaged.video.append(playlist)
        else:
            playlist.codecs = audio_codec(plan.renditions[number - video_count].stream)
            if playlist.codecs == "opus":
                opus_input_rate_48k(folder / name / playlist.init)
            packaged.audio.append(playlist)
    packaged.renditions = [
        {
            "track": r.track_slug,
            "track_id": r.track_id,
            "name": r.name,
            "language": r.language,
            "default": r.default,
            "uri": f"{p.folder}/index.m3u8",
        }
        for r, p in zip(plan.renditions, packaged.audio, strict=True)
    ]
    return packaged


def _check_pictures(folder: Path, packaged: Packaged) -> None:
    if packaged.poster and not complete_jpeg(folder / packaged.poster):
        raise IncompleteOutput(folder / packaged.poster)
    for sprite in sorted((folder / SPRITES).glob("*.jpg")):
        if not complete_jpeg(sprite):
            raise IncompleteOutput(sprite)


def package(plan: Plan, folder: Path, progress: Callable[[float], None]) -> Packaged:
    """Write the HLS folder for `plan` into `folder` (which must not exist): playlists, segments, master
    playlist, poster and thumbnails, every file checked whole.

    Raises FFmpegFailed, IncompleteOutput, or OSError (ENOSPC when a file came out incomplete because the disk
    is full); the caller removes the folder then.
    """
    folder.mkdir(parents=True)
    try:
        arguments, names = ffmpeg_arguments(plan, folder)
        run_ffmpeg(arguments, plan.duration_s, lambda f: progress(f * PACKAGING_SHARE))
        packaged = _read_outputs(plan, folder, names)
        (folder / MASTER).write_text(master_playlist(plan, packaged), encoding="utf-8")
        if plan.picture is not None:
            progress(PACKAGING_SHARE)
            packaged.poster = make_poster(plan.picture, plan.duration_s, folder)
            progress(PACKAGING_SHARE + (1 - PACKAGING_SHARE) / 3)
            packaged.thumbnails = make_thumbnails(plan.picture, plan.duration_s, folder)
            _check_pictures(folder, packaged)
    except (IncompleteOutput, FFmpegFailed) as error:
        if disk_full(folder):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder)) from error
        raise
    return packaged


def prefixed_master(text: str, prefix: str) -> str:
    """The folder's master playlist as served one level up (`/media/<slug>/hls/master.m3u8`): every URI gets the
    folder's name in front."""
    lines = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            line = f"{prefix}/{line}"
        else:
            line = re.sub(r'URI="([^"]+)"', lambda m: f'URI="{prefix}/{m.group(1)}"', line)
        lines.append(line)
    return "\n".join(lines) + "\n"
