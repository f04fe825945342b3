"""Hostile text: the shapes that made our patterns backtrack (benchmarks/linearity.py times them) still get the
right answers, and a control character in a translation is refused instead of breaking the save.

Functional assertions only: how long each takes is the benchmark's business, not a test's.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from catalogue.search.query import parse, snippet
from catalogue.subtitles.parsing import SubtitleError, detect_format, parse_subtitle, plain_text
from catalogue.translating.checks import check_entry
from catalogue.translating.pofile import PoSyntaxError, parse_text
from tests.conftest import api_token, csrf_token_from
from tests.test_ingest import CONFIG

FR = {"locale": "fr", "python_format": True, "nplurals": 2}
FR_PO = Path("fr") / "LC_MESSAGES" / "messages.po"
FR_MESSAGES = "/api/v1/translations/fr/messages/messages"
RECORDING = "workshop-1-building-resilience"


def findings(msgid: str, msgstr: str, **options: object) -> tuple[list[tuple[str, dict]], list[str]]:
    errors, warnings = check_entry(msgid, None, msgstr, **{**FR, **options})
    return [(p.code, p.params) for p in errors], [p.code for p in warnings]


def vtt_cues(*lines: str):
    text = "WEBVTT\n\n" + "".join(f"00:00:0{i}.000 --> 00:00:0{i}.900\n{line}\n\n" for i, line in enumerate(lines))
    return parse_subtitle(text.encode(), "en", CONFIG).cues


def srt_cues(*lines: str):
    text = "".join(f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{line}\n\n" for i, line in enumerate(lines))
    return parse_subtitle(text.encode(), "en", CONFIG, format="srt").cues


# --- translation checks -----------------------------------------------------------------------------------------


def test_a_tag_left_open_with_thousands_of_spaces_is_no_tag():
    """The attacker's msgstr: `<a` and 3,000 spaces. It opens no tag, so the link of the source is missing."""
    errors, _ = findings('Read <a href="/help">the help</a>.', "<a" + " " * 3000)
    assert errors == [("markup-mismatch", {"tags": "</a> <a href>"})]
    # Closed, the same spaces make an ordinary tag with its attribute.
    assert findings('Read <a href="/help">the help</a>.', '<a  href="/help"' + " " * 3000 + ">l'aide</a>")[0] == []
    assert findings("<br/>", "<br" + " " * 3000 + "/>")[0] == []


def test_long_runs_of_markup_characters():
    assert findings("<b>Bold</b>", "<" * 100_000)[0] == [("markup-mismatch", {"tags": "</b> <b>"})]
    extra = findings("Plain", "<a " * 10_000 + "<b>")[0]
    assert extra == [("markup-mismatch", {"tags": "<b>"})]
    assert findings("Plain", "<i " + "x=1 " * 10_000 + ">x</i>")[0] == [("markup-mismatch", {"tags": "</i> <i x>"})]


def test_long_runs_of_placeholder_characters():
    # `%(` never closes: no placeholder, a stray percent sign, and the named one is missing.
    errors, _ = findings("Hello %(name)s", "%(" * 10_000)
    assert [code for code, _ in errors] == ["placeholder-missing", "stray-percent"]
    # `%` and 5,000 zero flags before a `d` is a valid conversion; without the `d` it is a stray `%`.
    assert findings("%d items", "%" + "0" * 5_000 + "d éléments")[0] == []
    assert [code for code, _ in findings("%d items", "%" + "0" * 5_000)[0]] == ["positional-mismatch", "stray-percent"]
    assert findings("{name}", "{name." * 10_000)[0] == [("placeholder-missing", {"placeholder": "{name}"})]


def test_long_whitespace_and_url_like_runs():
    _, warnings = findings("Total", " " * 20_000 + "Total" + " " * 20_000)
    assert warnings == ["whitespace", "whitespace"]  # other spaces at the start, and at the end
    # A URL's colon needs no French no-break space; a colon after thousands of "a." still does.
    assert findings("See", "Voir http://" + "a." * 10_000 + "org:8080", python_format=False)[1] == []
    assert findings("See", "Voir " + "a." * 10_000 + " :", python_format=False)[1] == ["french-spacing"]
    assert findings("See", "Voir -" + "a." * 10_000 + "://x:y", python_format=False)[1] == []


@pytest.mark.parametrize("control", ["\0", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\r"])
def test_a_control_character_in_a_translation_is_an_error(control):
    errors, _ = findings("Sign in", f"Se con{control}necter")
    assert errors == [("control-character", {"character": f"U+{ord(control):04X}"})]
    plural = check_entry("%(num)d file", "%(num)d files", ["%(num)d fichier", f"%(num)d{control} fichiers"], **FR)
    assert [p.code for p in plural[0]] == ["control-character"]


def test_tabs_and_line_breaks_are_text_and_a_control_of_the_source_may_stay():
    assert findings("Name:\tvalue\n", "Nom\u00a0:\tvaleur\n")[0] == []
    assert findings("Line\r\n", "Ligne\r\n")[0] == []
    assert findings("Null\0", "Nul\0")[0] == [("control-character", {"character": "U+0000"})]


# --- subtitles ----------------------------------------------------------------------------------------------------


def test_a_webvtt_line_of_200_kb_of_less_than_signs_shows_nothing():
    """The WebVTT cue-text algorithm reads an unclosed `<` as a tag to the end of the cue: a player shows only what
    comes before it (design.md §7)."""
    first, second, third = vtt_cues("<" * 200_000, "Bonjour <" + "<" * 200_000, "A &lt; B <b>bold</b> <i")
    assert (first.text, second.text, third.text) == ("", "Bonjour ", "A < B bold ")


def test_srt_keeps_a_less_than_sign_that_no_tag_closes():
    """SRT has no way to escape `<`: one that no `>` follows is text."""
    first, second, third = srt_cues("<" * 200_000, "x < 5 {\\" + "{\\" * 50_000, "{\\an8}<i>Haut</i> {\\b1")
    assert first.text == "<" * 200_000
    assert second.text == "x < 5 {\\" + "{\\" * 50_000
    assert third.text == "Haut {\\b1"


def test_voice_tags_among_thousands_of_false_starts():
    text, voice = plain_text("<v." * 20_000 + "\n<v.loud Ayşe>Merhaba", open_tag_hides_rest=True)
    assert (voice, text) == ("Ayşe", "Merhaba")
    assert plain_text("<v" + ".a" * 20_000 + " Ana>Olá") == ("Olá", "Ana")
    assert plain_text("<v " * 20_000) == ("<v " * 20_000, None)
    assert plain_text("<v >x <v Bob>y")[1] == "Bob"  # `<v >` names nobody; the search goes on
    assert plain_text("<v  >x <v Bob>y")[1] is None  # `<v  >` is a voice tag with a blank name


def test_character_references_with_thousands_of_digits():
    """Past U+10FFFF a reference is U+FFFD; html.unescape alone raised ValueError beyond 4,300 digits (a 500)."""
    (cue,) = vtt_cues("&#" + "9" * 10_000 + "; &#" + "0" * 10_000 + "65; &#x" + "f" * 10_000 + "; &#65;")
    assert cue.text == "\ufffd A \ufffd A"  # leading zeros do not count
    assert plain_text("&#" + "0" * 9_000 + "; &#00000000233;")[0] == "\ufffd é"


def test_format_detection_after_thousands_of_blank_lines():
    blank = "\n" * 50_000 + " \r\n\t" * 50_000
    assert detect_format(blank + " 1\n \t00:00:01,000 --> 00:00:02,000\nHello\n") == "srt"
    assert detect_format(blank + "1\n00:00:01,000\n" + " \n" * 50_000 + "--> 00:00:02,000\n") == "srt"
    assert detect_format(blank + "\t0:00:01.000,0:00:02.000 \r\nHello\n") == "sbv"
    assert detect_format(blank + "0:00:01.000,0:00:02.000" + " \n" * 50_000 + "x") == "sbv"
    assert detect_format(blank + "0:00:01.000,0:00:02.000" + " " * 50_000 + "x") is None
    assert detect_format(blank + "Hello 00:00:01,000 --> 00:00:02,000\n") is None
    srt_timing = "1\n00:00:01,000" + " " * 50_000 + "--> 00:00:02,500" + " " * 50_000 + "X:1\nHello\n"
    (cue,) = parse_subtitle(srt_timing.encode(), "en", CONFIG).cues
    assert (cue.start_ms, cue.end_ms, cue.text) == (1000, 2500, "Hello")


@pytest.mark.parametrize(
    ("text", "fmt", "line"),
    [
        ("WEBVTT\n\n" + "1" * 5_000 + ":00:00.000 --> 01:00:01.000\nx\n", "vtt", 3),
        ("WEBVTT\n\n597:00:00.000 --> 597:00:01.000\nx\n", "vtt", 3),
        ("1\n" + "1" * 5_000 + ":00:00,000 --> 01:00:01,000\nx\n", "srt", 2),
        ("1\n00:00:01,000 --> 597:00:00,000\nx\n", "srt", 2),
        ("1" * 5_000 + ":00:00.000,1:00:01.000\nx\n", "sbv", 1),
    ],
)
def test_a_timestamp_of_thousands_of_digits_or_past_596_hours_is_refused_naming_its_line(text, fmt, line):
    """int() refuses more than 4,300 digits (it was a 500), and the cue columns hold 2**31 - 1 milliseconds."""
    with pytest.raises(SubtitleError) as error:
        parse_subtitle(text.encode(), "en", CONFIG, format=fmt)
    assert [(p.line, p.code) for p in error.value.problems] == [(line, "bad-timestamp")]


def test_leading_zeros_and_596_hours_are_still_read():
    webvtt = "WEBVTT\n\n" + "0" * 5_000 + "1:00:00.000 --> 596:00:00.000\nx\n"
    (cue,) = parse_subtitle(webvtt.encode(), "en", CONFIG).cues
    assert (cue.start_ms, cue.end_ms) == (3_600_000, 596 * 3_600_000)
    (cue,) = parse_subtitle(b"1\n0000000000001:00:00,000 --> 596:00:00,000\nx\n", "en", CONFIG).cues
    assert (cue.start_ms, cue.end_ms) == (3_600_000, 596 * 3_600_000)


def test_an_upload_with_a_long_line_of_less_than_signs_through_the_api(demo_app):
    token = api_token(demo_app, "archivist@example.org", "archivist", display_name="Archivist")
    client = demo_app.test_client()
    body = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour <" + "<" * 200_000 + "\n"
    response = client.put(
        f"/api/v1/recordings/{RECORDING}/subtitles/fr",
        data=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/vtt"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    cues = client.get(f"/api/v1/recordings/{RECORDING}/subtitles/fr").get_json()["cues"]
    assert [cue["text"] for cue in cues] == ["Bonjour "]


# --- search and .po files ---------------------------------------------------------------------------------------


def test_search_phrases_and_hostile_queries():
    query = parse('"' * 400 + "*" * 100)
    assert query.empty
    phrase = parse('"' + "a " * 249 + 'b"')
    assert len(phrase.terms) == 1 and len(phrase.terms[0].words) == 250
    text = "a " * 20_000 + "b"
    marked = str(snippet(text, phrase, width=100_000))
    assert marked.count("<mark>") == 1
    assert marked.endswith("<mark>" + "a " * 249 + "b</mark>")
    assert str(snippet("a " * 20_000 + "c b", phrase)).count("<mark>") == 0
    assert str(snippet("dialogues, dialog dia", parse("dialog*"))) == "<mark>dialogues</mark>, <mark>dialog</mark> dia"


def test_po_lines_full_of_escaped_quotes():
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Sign in"\nmsgstr '
    catalogue = parse_text(header + '"' + '\\"' * 50_000 + '"\n')
    assert catalogue.find("Sign in").msgstr == '"' * 50_000
    with pytest.raises(PoSyntaxError) as error:
        parse_text(header + '"' + '\\"' * 50_000 + "\n")
    assert (error.value.line, error.value.text) == (6, "Unterminated string: a closing quote is missing.")
    with pytest.raises(PoSyntaxError) as error:
        parse_text(header + '"' + '\\"' * 50_000 + '" x\n')
    assert error.value.text == "Text after the closing quote."


# --- a control character through the real API and upload ------------------------------------------------------------


def test_a_nul_in_a_msgstr_is_refused_with_422_through_the_api(translated_app, translations_copy):
    token = api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    before = (translations_copy / FR_PO).read_bytes()
    revision = client.get(FR_MESSAGES, headers=headers).get_json()["revision"]
    for msgstr in ("Se con\0necter", "Se con\x07necter"):
        body = {"msgid": "Sign in", "context": None, "msgstr": msgstr, "fuzzy": False, "base_revision": revision}
        response = client.put(FR_MESSAGES, headers=headers, json=body)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.get_json()["errors"][0]["code"] in {"control-character", "bad-text"}
        assert (translations_copy / FR_PO).read_bytes() == before
    assert response.get_json()["errors"] == [
        {
            "line": None,
            "code": "control-character",
            "message": "Remove the control character U+0007 from the translation.",
        }
    ]
    body = {"msgid": "Sign in", "context": None, "msgstr": "Se connecter", "fuzzy": False, "base_revision": revision}
    assert client.put(FR_MESSAGES, headers=headers, json=body).status_code == 200


def test_a_po_upload_holding_a_nul_is_refused(translated_app, translations_copy, login):
    api_token(translated_app, "fr@example.org", "translator", display_name="Fr", locales=("fr",))
    client = translated_app.test_client()
    assert login(client, "fr@example.org").status_code == 302
    before = (translations_copy / FR_PO).read_bytes()
    assert b'msgstr "Regarder"' in before
    broken = before.replace(b'msgstr "Regarder"', b'msgstr "Rega\0rder"', 1)
    token = csrf_token_from(client.get("/translate/fr/messages").get_data(as_text=True))
    response = client.post(
        "/translate/fr/messages/upload?lang=en",
        data={"csrf_token": token, "file": (io.BytesIO(broken), "messages-fr.po")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Remove the control character U+0000 from the translation." in response.get_data(as_text=True)
    assert (translations_copy / FR_PO).read_bytes() == before
