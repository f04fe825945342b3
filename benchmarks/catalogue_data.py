"""A synthetic catalogue at scale for the search benchmark: recordings with en/fr/tr subtitles and their index.

    .venv/bin/python benchmarks/catalogue_data.py --url sqlite:////tmp/bench/catalogue3m.sqlite \\
        --recordings 1000 --cues 1000

builds 1,000 recordings × 3 languages × 1,000 cues = 3 million cues (and 3 million search documents) and
prints rows/s. The database is emptied first (a SQLite file is deleted). The schema comes from the app
(`db.create_all()` and `catalogue.search.index.install()`, as tests/conftest.py does); the rows are written
with Core bulk inserts, not the ORM nor the demo loader, and the full-text index is filled by the app's own
structures (SQLite: the FTS5 triggers; PostgreSQL: the generated tsvector column and the GIN index).

Cues are sentences of 5 to 14 words drawn from per-language lists (Zipf-like weights, so "the"/"de"/"bir" are
everywhere, as in speech). Two words outside those lists are planted for the benchmark:
- a COMMON word (city / ville / kent) in about 10% of the cues of its language;
- a RARE word (zeugma / ornithorynque / kırkayak) in 1 cue per 100,000 of its language, at fixed positions
  (the 4,321st, 104,321st, ... cue of that language), so a 30,000-cue catalogue holds it once per language
  and the 3-million-cue one ten times.
No other word contains either as a substring once folded, so `folded LIKE '%city%'` finds exactly the
cues the full-text index finds.

A PostgreSQL URL may name a schema with `?options=-csearch_path%3Dname`: the schema is created if needed, so
several catalogues can live in one database.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, make_url

from catalogue import create_app
from catalogue.extensions import db
from catalogue.recordings.models import Event, Recording, Workshop
from catalogue.search import index as search_index
from catalogue.search.models import SearchDocument
from catalogue.subtitles.models import Cue, SubtitleRevision, SubtitleTrack
from catalogue.text import fold

LANGUAGES = ("en", "fr", "tr")
BATCH = 20_000
REPORT_EVERY = 500_000  # cues: a progress line
RECORDINGS_PER_EVENT = 50
RARE_EVERY = 100_000
RARE_OFFSET = 4_321
COMMON_SHARE = 0.10
COMMON = {"en": "city", "fr": "ville", "tr": "kent"}
RARE = {"en": "zeugma", "fr": "ornithorynque", "tr": "kırkayak"}
MARKER = "bench_catalogue"  # One row written last: the catalogue is complete, with these parameters.

# Most frequent first (the Zipf weights follow this order).
WORDS = {
    "en": """the of and to in a is that we it for this on with are as be our have they not at by from all can
    what more people about which their there will one so was do how but if or an you has been them when who
    also very need work like many these make because into would each other time should those new now only
    some think between after where together first local public urban social community communities mayor
    mayors council citizens residents neighbourhood neighbourhoods housing health education schools culture
    migrants refugees inclusion diversity dialogue solidarity trust rights participation cooperation network
    networks policy policies services government municipality region country europe world summit workshop
    question answer example project projects programme experience experiences challenge challenges crisis
    pandemic recovery resilience future young youth women children families language languages integration
    belonging cohesion equality justice democracy security climate transport streets square market library
    museum volunteers associations partners support funding budget data research report results learn share
    build create listen welcome important different better small large open strong every across within today
    tomorrow yesterday thank colleagues friends really actually indeed perhaps course again still already
    often always neighbours newcomers decisions everyone""",
    "fr": """de la le et les des à en un une que qui est du nous dans pour il on ce pas sur par vous avec sont
    cette ces plus mais ou où elle ils elles comme très aussi déjà encore toujours souvent ici là donc car
    quand après avant depuis pendant entre sans être avoir faire dire pouvoir aller voir savoir vouloir venir
    devoir prendre donner parler écouter travailler construire créer partager accueillir apprendre
    comprendre réfléchir maire maires conseil citoyens citoyennes habitants quartier quartiers logement santé
    éducation école écoles culture migrants réfugiés inclusion diversité dialogue solidarité confiance droits
    participation coopération réseau réseaux politique politiques services gouvernement municipalité région
    pays europe monde sommet atelier question réponse exemple projet projets programme expérience expériences
    défi défis crise pandémie relance résilience avenir jeunes jeunesse femmes enfants familles langue langues
    intégration appartenance cohésion égalité justice démocratie sécurité climat transport rues place marché
    bibliothèque musée bénévoles associations partenaires soutien financement budget données recherche
    rapport résultats œuvre cœur sœur vœux manœuvre français française façon leçon reçu garçon ça problème
    père mère frère première dernière système modèle thème collègues amis vraiment effectivement peut faut
    doit été année années société réalité liberté fraternité communauté communautés événement échange
    échanges étape étrangers élus voilà""",
    "tr": """bir bu ve da de için ile çok daha ama gibi olarak kadar sonra önce şimdi bugün yarın dün her hiç
    bazı tüm bütün biz siz onlar ben sen o bizim sizin onların var yok değil evet hayır nasıl neden nerede
    ne kim çünkü ancak belki aslında gerçekten özellikle birlikte arasında içinde üzerinde hakkında karşı
    doğru şehir şehirler belediye belediyeler başkan başkanı meclis vatandaşlar sakinler mahalle mahalleler
    konut sağlık eğitim okul okullar kültür göç göçmenler mülteciler kapsayıcılık çeşitlilik diyalog
    dayanışma güven haklar katılım işbirliği ağ ağlar politika politikalar hizmetler hükümet bölge ülke
    avrupa dünya zirve çalıştay soru cevap örnek proje projeler program deneyim deneyimler sorun sorunlar
    kriz salgın iyileşme dayanıklılık gelecek genç gençler kadınlar çocuklar aileler dil diller uyum aidiyet
    eşitlik adalet demokrasi güvenlik iklim ulaşım sokak sokaklar meydan pazar kütüphane müze gönüllüler
    dernekler ortaklar destek finansman bütçe veri araştırma rapor sonuçlar öğrenmek paylaşmak kurmak
    yaratmak dinlemek konuşmak çalışmak yaşamak İstanbul İzmir Ankara Gaziantep ışık kız göz gün yıl yıllar
    önemli farklı büyük küçük güzel yeni eski güçlü açık teşekkür ederim arkadaşlar meslektaşlar değerli
    sevgili insanlar toplum toplumsal yerel kamu sosyal ekonomik çevre su enerji iş işler istihdam öğrenci
    öğretmen üniversite şey şeyler zaman yer yol çözüm çözümler ihtiyaç fırsat fırsatlar""",
}
VOICES = {
    "en": ("John Smith", "Mary O'Neill", "Chair"),
    "fr": ("Émilie Dubois", "François Lefèvre", "Présidente"),
    "tr": ("Ayşe Yılmaz", "İbrahim Öztürk", "Oturum Başkanı"),
}
TITLE_WORDS = {"en": "Living together", "fr": "Vivre ensemble", "tr": "Birlikte yaşamak"}


def vocabulary(language: str) -> list[str]:
    words = list(dict.fromkeys(WORDS[language].split()))
    assert len(words) >= 150, (language, len(words))
    for planted in (COMMON[language], RARE[language]):
        clash = [w for w in words if fold(planted) in fold(w)]
        assert not clash, (planted, clash)  # LIKE '%word%' must find exactly the word.
    return words


def capitalised(word: str, language: str) -> str:
    if language == "tr" and word[0] in "iı":  # Turkish dotted and dotless capitals: istanbul → İstanbul.
        return ("İ" if word[0] == "i" else "I") + word[1:]
    return word[0].upper() + word[1:]


class Sentences:
    """Cue texts for one language, deterministic for a seed."""

    def __init__(self, language: str, seed: int) -> None:
        self.language = language
        self.rng = random.Random(f"{seed}-{language}")
        self.words = vocabulary(language)
        self.cum_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.words))))
        self.count = 0  # Cues made so far in this language.

    def next(self) -> tuple[str, str | None]:
        rng = self.rng
        words = rng.choices(self.words, cum_weights=self.cum_weights, k=rng.randint(5, 14))
        for i in range(1, len(words)):  # No "the the".
            while words[i] == words[i - 1]:
                words[i] = rng.choices(self.words, cum_weights=self.cum_weights)[0]
        if rng.random() < COMMON_SHARE:
            words[rng.randrange(len(words))] = COMMON[self.language]
        if self.count % RARE_EVERY == RARE_OFFSET:
            words[rng.randrange(len(words))] = RARE[self.language]
        self.count += 1
        if len(words) > 8 and rng.random() < 0.3:
            words[len(words) // 2] += ","
        words[0] = capitalised(words[0], self.language)
        sentence = " ".join(words) + ("?" if rng.random() < 0.1 else ".")
        voice = VOICES[self.language][rng.randrange(3)] if rng.random() < 0.1 else None
        return sentence, voice


def _schema_of(url: str) -> str | None:
    """The schema named by a PostgreSQL URL's `options=-csearch_path=...`, if any."""
    options = unquote(make_url(url).query.get("options", "") or "")
    match = re.search(r"search_path\s*=\s*(\w+)", options)
    return match.group(1) if match else None


def make_app(database_url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CATALOGUE_MEDIA_DIR": "/tmp/bench/media"})


def empty_database(database_url: str) -> None:
    """A fresh database: a SQLite file is deleted; a PostgreSQL schema is created if needed."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return
    schema = _schema_of(database_url)
    if schema:
        bare = url.set(query={k: v for k, v in url.query.items() if k != "options"})
        engine = create_engine(bare)
        with engine.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        engine.dispose()


def create_schema() -> None:
    """tests/conftest.py's reset_database() and create_schema(), re-implemented (benchmarks never import tests)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TABLE IF EXISTS search_fts"))
        connection.execute(text(f"DROP TABLE IF EXISTS {MARKER}"))
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()
    with db.engine.begin() as connection:
        search_index.install(connection)


def _fast_session(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # A throw-away benchmark file: no fsync, no rollback journal on disk, a bigger page cache.
        connection.exec_driver_sql("PRAGMA synchronous = OFF")
        connection.exec_driver_sql("PRAGMA journal_mode = MEMORY")
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    else:
        connection.exec_driver_sql("SET synchronous_commit = off")
        connection.exec_driver_sql("SET maintenance_work_mem = '512MB'")


def _write_catalogue(connection: Connection, recordings: int, cues_per_track: int) -> None:
    """Events, workshops and recordings, with explicit ids (the tracks and revisions refer to them)."""
    events = -(-recordings // RECORDINGS_PER_EVENT)
    connection.execute(
        insert(Event),
        [
            {
                "id": e,
                "slug": f"synthetic-summit-{e}",
                "title": f"Synthetic summit {e}",
                "organiser": "Benchmark",
                "city": "Gaziantep",
                "timezone": "Europe/Istanbul",
                "starts_on": date(2020, 1, 1),
                "ends_on": date(2020, 1, 3),
                "description": "",
                "original_language": LANGUAGES[(e - 1) % 3],
            }
            for e in range(1, events + 1)
        ],
    )
    workshops, recording_rows = [], []
    for r in range(1, recordings + 1):
        event_id, number = (r - 1) // RECORDINGS_PER_EVENT + 1, (r - 1) % RECORDINGS_PER_EVENT + 1
        language = LANGUAGES[(event_id - 1) % 3]
        workshops.append(
            {
                "id": r,
                "event_id": event_id,
                "number": number,
                "slug": f"workshop-{number}",
                "title": f"{TITLE_WORDS[language]} {number}",
                "summary": f"{TITLE_WORDS[language]}: synthetic workshop {r}",
                "starts_at": None,
            }
        )
        recording_rows.append(
            {
                "id": r,
                "workshop_id": r,
                "slug": f"synthetic-{r}",
                "title": f"Recording {r}",
                "recorded_at": None,
                "duration_ms": cues_per_track * 3000,
                "poster_url": None,
                "is_demo_excerpt": False,
            }
        )
    connection.execute(insert(Workshop), workshops)
    connection.execute(insert(Recording), recording_rows)
    # Titles and summaries: the app's own indexing (cheap: one document or two per recording).
    search_index.index_texts(connection)


def _write_tracks(connection: Connection, recordings: int, cues_per_track: int) -> None:
    """One track per recording and language, each with one revision (id = track id) that is current."""
    tracks, revisions = [], []
    now = datetime(2024, 1, 1, tzinfo=UTC)
    for r in range(1, recordings + 1):
        for li, language in enumerate(LANGUAGES):
            track_id = (r - 1) * len(LANGUAGES) + li + 1
            tracks.append({"id": track_id, "recording_id": r, "language": language, "current_revision_id": None})
            revisions.append(
                {
                    "id": track_id,
                    "track_id": track_id,
                    "number": 1,
                    "created_at": now,
                    "uploaded_by_id": None,
                    "uploaded_by": "benchmark",
                    "restored_from": None,
                    "source_filename": f"synthetic-{r}.{language}.vtt",
                    "source_bytes": b"WEBVTT\n\nNOTE synthetic: the cues are in the cues table\n",
                    "format": "vtt",
                    "encoding": "utf-8",
                    "vtt": "WEBVTT\n\nNOTE synthetic\n",
                    "etag": f'"synthetic-{track_id}"',
                    "cue_count": cues_per_track,
                    "warnings": [],
                }
            )
    for start in range(0, len(tracks), BATCH):
        connection.execute(insert(SubtitleTrack), tracks[start : start + BATCH])
        connection.execute(insert(SubtitleRevision), revisions[start : start + BATCH])
    connection.execute(update(SubtitleTrack).values(current_revision_id=SubtitleTrack.id))


def _fix_sequences(connection: Connection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the ids used."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("events", "workshops", "recordings", "subtitle_tracks", "subtitle_revisions"):
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


def generate(
    database_url: str, recordings: int, cues_per_track: int, seed: int = 1, quiet: bool = False
) -> dict[str, float]:
    """Build the catalogue from scratch; returns counts and timings (seconds)."""
    say = (lambda *a, **k: None) if quiet else print
    began = time.perf_counter()
    empty_database(database_url)
    app = make_app(database_url)
    timings: dict[str, float] = {}
    with app.app_context():
        create_schema()
        engine = db.engine
        postgresql = engine.dialect.name == "postgresql"
        cue_table, documents = Cue.__table__, SearchDocument.__table__
        with engine.connect() as connection:
            _fast_session(connection)
            if postgresql:
                # Bulk load, then build the GIN index once (install() below recreates it, IF NOT EXISTS):
                # the same structure, far faster than maintaining it row by row.
                connection.exec_driver_sql(f"DROP INDEX IF EXISTS {search_index.GIN_INDEX}")
            _write_catalogue(connection, recordings, cues_per_track)
            _write_tracks(connection, recordings, cues_per_track)
            _fix_sequences(connection)
            connection.commit()

            makers = {language: Sentences(language, seed) for language in LANGUAGES}
            total = recordings * len(LANGUAGES) * cues_per_track
            cue_rows: list[dict] = []
            document_rows: list[dict] = []
            written = 0
            report_at = REPORT_EVERY
            loading = time.perf_counter()

            def flush() -> None:
                nonlocal written, report_at
                connection.execute(insert(cue_table), cue_rows)
                connection.execute(insert(documents), document_rows)
                connection.commit()
                written += len(cue_rows)
                cue_rows.clear()
                document_rows.clear()
                if written >= report_at or written == total:
                    report_at += REPORT_EVERY
                    elapsed = time.perf_counter() - loading
                    say(f"  {written:,} / {total:,} cues, {2 * written / elapsed:,.0f} rows/s", flush=True)

            for r in range(1, recordings + 1):
                for li, language in enumerate(LANGUAGES):
                    revision_id = (r - 1) * len(LANGUAGES) + li + 1
                    maker = makers[language]
                    for position in range(cues_per_track):
                        sentence, voice = maker.next()
                        start = position * 3000
                        cue_rows.append(
                            {
                                "revision_id": revision_id,
                                "position": position,
                                "identifier": None,
                                "start_ms": start,
                                "end_ms": start + 2500,
                                "text": sentence,
                                "voice": voice,
                            }
                        )
                        # As index_track() does it: the voice is searchable too, folded and stemmed.
                        searchable = f"{voice} {sentence}" if voice else None
                        document_rows.append(
                            search_index.document(r, "cue", language, sentence, start, start + 2500, searchable)
                        )
                    if len(cue_rows) >= BATCH:
                        flush()
            if cue_rows:
                flush()
            timings["load_s"] = time.perf_counter() - loading

            finishing = time.perf_counter()
            search_index.install(connection)  # PostgreSQL: builds the GIN index; SQLite: nothing left to do.
            connection.commit()
            timings["index_s"] = time.perf_counter() - finishing
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            analysing = time.perf_counter()
            # What autovacuum would have done on a live catalogue: planner statistics (and the visibility
            # map on PostgreSQL).
            connection.exec_driver_sql("VACUUM ANALYZE" if postgresql else "ANALYZE")
            timings["analyze_s"] = time.perf_counter() - analysing
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"CREATE TABLE {MARKER} (recordings INTEGER, cues_per_track INTEGER, seed INTEGER)"
            )
            connection.execute(
                text(f"INSERT INTO {MARKER} VALUES (:r, :c, :s)"), {"r": recordings, "c": cues_per_track, "s": seed}
            )
        timings["total_s"] = time.perf_counter() - began
        timings["cues"] = written
        say(
            f"{written:,} cues and {written:,} search documents in {timings['total_s']:.0f} s "
            f"(load {timings['load_s']:.0f} s = {2 * written / timings['load_s']:,.0f} rows/s; "
            f"index {timings['index_s']:.0f} s; analyze {timings['analyze_s']:.0f} s); "
            f"{2 * written / timings['total_s']:,.0f} rows/s overall"
        )
        engine.dispose()
    return timings


def is_complete(database_url: str, recordings: int, cues_per_track: int, seed: int = 1) -> bool:
    """True when the database holds exactly this catalogue: the marker row, the row counts, the index."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return False
    app = make_app(database_url)
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                names = set(inspect(connection).get_table_names())
                if MARKER not in names or "search_documents" not in names:
                    return False
                marker = connection.execute(text(f"SELECT recordings, cues_per_track, seed FROM {MARKER}")).all()
                if marker != [(recordings, cues_per_track, seed)]:
                    return False
                cues = recordings * len(LANGUAGES) * cues_per_track
                counted = connection.execute(select(func.count()).select_from(Cue.__table__)).scalar_one()
                indexed = connection.execute(
                    select(func.count()).select_from(SearchDocument.__table__).where(SearchDocument.kind == "cue")
                ).scalar_one()
                counted_recordings = connection.execute(select(func.count()).select_from(Recording)).scalar_one()
                if (counted, indexed, counted_recordings) != (cues, cues, recordings):
                    return False
                if connection.dialect.name == "sqlite":
                    return "search_fts" in names
                return any(
                    i["name"] == search_index.GIN_INDEX for i in inspect(connection).get_indexes("search_documents")
                )
        finally:
            db.engine.dispose()


def database_size(database_url: str) -> int:
    """Bytes on disk: the SQLite file, or the PostgreSQL schema's tables and indexes."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return sum(
            Path(url.database + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(url.database + suffix).exists()
        )
    app = make_app(database_url)
    with app.app_context():
        with db.engine.connect() as connection:
            size = connection.exec_driver_sql(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
            ).scalar_one()
        db.engine.dispose()
    return int(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL (a SQLite file is replaced)")
    parser.add_argument("--recordings", type=int, default=1000)
    parser.add_argument("--cues", type=int, default=1000, help="cues per subtitle track (3 tracks a recording)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.url, args.recordings, args.cues, seed=args.seed)
    print(f"database size: {database_size(args.url) / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
