"""Translation save benchmark: one .po save through the app against `pybabel compile` of the same catalogue.

    .venv/bin/python benchmarks/po_save.py [--messages 2000] [--rounds 7]

"One save" is everything a translator's click does: read and parse the catalogue, check the entry, edit its
lines, write the .po atomically, compile and write the .mo atomically, record the revision, and the reload
of the new catalogue on the next request. It is divided by `pybabel compile` of the same catalogue, timed in
the same process (and, for reference, as the command a person runs). Goal (issue 4): ratio <= 3.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.frontend import CommandLineInterface
from flask_babel import get_translations

from catalogue import create_app
from catalogue.accounts.models import Role, User
from catalogue.extensions import db
from catalogue.i18n import reload_changed_catalogues
from catalogue.translating import services as service

WORDS = [
    "the",
    "city",
    "recording",
    "subtitle",
    "language",
    "workshop",
    "speaker",
    "audio",
    "track",
    "summit",
    "archive",
    "revision",
    "file",
]


def make_po(messages: int) -> str:
    """A French catalogue of `messages` entries: placeholders, plurals, long wrapped strings, comments."""
    rng = random.Random(3)
    parts = [
        'msgid ""\nmsgstr ""\n"Project-Id-Version: bench\\n"\n"Language: fr\\n"\n"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n"X-Generator: Poedit 3.4\\n"\n'
    ]
    for i in range(messages):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))
        parts.append(f"#: catalogue/module{i % 40}.py:{i}\n#, python-format")
        if i % 10 == 0:
            parts.append(
                f'msgid "%(num)d {words} {i}"\nmsgid_plural "%(num)d {words}s {i}"\n'
                f'msgstr[0] "%(num)d fr {words} {i}"\nmsgstr[1] "%(num)d fr {words}s {i}"\n'
            )
        else:
            parts.append(f'msgid "{words} %(name)s {i}"\nmsgstr "fr {words} %(name)s {i}"\n')
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "translations"
        po = folder / "fr" / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        po.write_text(make_po(args.messages), encoding="utf-8")
        mo = po.with_suffix(".mo")
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite", "CATALOGUE_TRANSLATIONS_DIR": str(folder)}
        )
        with app.app_context():
            db.create_all()
            user = User(email="bench@example.org", display_name="Bench", role=Role.ADMIN)
            user.set_password("x" * 12)
            db.session.add(user)
            db.session.commit()
        catalogue = service.read_catalogue(po.read_bytes())
        target = next(e for e in catalogue.entries[len(catalogue.entries) // 2 :] if not e.msgid_plural)

        def our_save(round_number: int) -> None:
            with app.test_request_context("/?lang=fr"):
                user = db.session.get(User, 1)
                revision = service.load("fr", "messages")[1]
                service.save_entry(
                    "fr",
                    "messages",
                    user,
                    msgid=target.msgid,
                    context=None,
                    msgstr=f"{target.msgstr} r{round_number}",
                    fuzzy=False,
                    base_revision=revision,
                )
                reload_changed_catalogues()
                assert get_translations().ugettext(target.msgid).endswith(f"r{round_number}")
                db.session.remove()

        def pybabel_compile() -> None:
            assert CommandLineInterface().run(["pybabel", "-q", "compile", "-i", str(po), "-o", str(mo)]) in (0, None)

        def timed(function, *a) -> float:
            start = time.perf_counter()
            function(*a)
            return time.perf_counter() - start

        ours, theirs = [], []
        our_save(0)
        for round_number in range(1, args.rounds + 1):
            theirs.append(timed(pybabel_compile))
            ours.append(timed(our_save, round_number))
        ratio = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
        command = timed(
            subprocess.run,
            [sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(po), "-o", str(mo)],
        )
        print(
            f"one .po save (check, write, compile, reload) in a {args.messages:,}-message catalogue / pybabel compile "
            f"of it, in process = {ratio:.2f} (median of {args.rounds} paired rounds; goal <= 3)"
        )
        print(
            f"  for reference: our save {statistics.median(ours) * 1000:.0f} ms, the `pybabel compile` command "
            f"with its interpreter start-up {command * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
