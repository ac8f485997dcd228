"""`forum seed --scale N` (a benchmark tool, kept out of the app): a large, realistic FR/NL/EN corpus.

Posts are built from sentence patterns members of benzodiazepine forums actually
write (doses, symptoms, sleep, doctors, pace) with Zipf-distributed filler, in
French, Dutch and English (about 55/40/5), with skewed thread lengths (most
threads short, a few very long). Rows go in with executemany on the raw
connection and the full-text index is built in bulk at the end, which makes a
million posts in a few minutes. Generated members cannot log in.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from html import escape

import typer
from sqlalchemy import func, select

from app.accounts.models import User
from app.db import Database
from app.forum.models import Category, Post, Thread
from app.settings import Settings

MEDS = ["lormétazépam", "Loramet", "alprazolam", "Xanax", "zolpidem", "Stilnoct", "zopiclone", "bromazépam",
        "Lexotan", "lorazépam", "Temesta", "diazépam", "Valium", "clotiazépam", "Clozan", "prazépam", "oxazépam"]
MEDS_NL = ["lormetazepam", "Loramet", "alprazolam", "Xanax", "zolpidem", "Stilnoct", "zopiclon", "bromazepam",
           "Lexotan", "lorazepam", "Temesta", "diazepam", "Valium", "clotiazepam", "Clozan", "oxazepam"]
DOSES = ["0,25", "0,5", "0,75", "1", "1,5", "2", "2,5", "5", "7,5", "10"]

LANGS = {
    "fr": {
        "meds": MEDS,
        "symptoms": ["acouphènes", "insomnies", "angoisses", "vertiges", "palpitations", "tremblements",
                     "douleurs musculaires", "crises de panique", "maux de tête", "nausées", "sueurs nocturnes",
                     "troubles de la concentration", "sensations de déréalisation", "irritabilité"],
        "time": ["le matin", "la nuit", "le soir", "en fin de journée", "après le repas", "au réveil"],
        "patterns": [
            "Je diminue le {med} de {dose} mg depuis {n} semaines.",
            "Mon médecin est d'accord pour baisser de 10 % toutes les deux semaines.",
            "Les {symptom} sont pires {time}, est-ce que quelqu'un connaît ça ?",
            "Depuis la dernière baisse j'ai des {symptom} et des {symptom2}.",
            "Je prends du {med} depuis {n} ans pour dormir.",
            "Ça fait {n} jours que je suis à {dose} mg et je dors un peu mieux.",
            "Courage, chez moi les {symptom} sont partis après quelques semaines.",
            "La pharmacienne m'a préparé des gélules pour les petites doses.",
            "Je fais une pause dans mon sevrage, les {symptom} étaient trop forts.",
            "Merci pour vos messages, ça m'aide beaucoup de vous lire {time}.",
            "Est-ce normal d'avoir des {symptom} au palier de {dose} mg ?",
            "J'ai commencé la TCC pour l'insomnie et la relaxation m'aide.",
        ],
        "titles": ["Sevrage du {med} : semaine {n}", "{symptom} pendant la diminution", "Palier de {dose} mg",
                   "Besoin de courage", "Arrêt du {med} après {n} ans", "Sommeil et {symptom}",
                   "Questions sur le {med}", "Mon parcours de sevrage"],
        "filler": ("je tu il elle on nous vous le la les un une des du de et mais donc car avec sans pour dans "
                   "sur très plus moins aussi encore toujours jamais souvent parfois déjà bien vraiment "
                   "journée nuit semaine mois sommeil fatigue médecin dose baisse palier patience temps "
                   "famille travail marche respiration calme peur espoir mieux pire doucement").split(),
    },
    "nl": {
        "meds": MEDS_NL,
        "symptoms": ["oorsuizen", "slapeloosheid", "angst", "duizeligheid", "hartkloppingen", "trillen",
                     "spierpijn", "paniekaanvallen", "hoofdpijn", "misselijkheid", "nachtzweten",
                     "concentratieproblemen", "depersonalisatie", "prikkelbaarheid"],
        "time": ["'s ochtends", "'s nachts", "'s avonds", "na het eten", "bij het opstaan"],
        "patterns": [
            "Ik bouw af van {dose} mg {med} sinds {n} weken.",
            "Mijn huisarts vindt het goed om elke twee weken tien procent te verminderen.",
            "De {symptom} is erger {time}, herkent iemand dat?",
            "Sinds de laatste stap heb ik last van {symptom} en {symptom2}.",
            "Ik neem al {n} jaar {med} om te slapen.",
            "Al {n} dagen op {dose} mg en ik slaap iets beter.",
            "Houd moed, bij mij ging de {symptom} na een paar weken weg.",
            "De apotheker maakt capsules voor de kleine dosissen.",
            "Ik las een pauze in, de {symptom} was te zwaar.",
            "Bedankt voor jullie berichten, het helpt me om hier te lezen.",
            "Is {symptom} normaal bij de stap naar {dose} mg?",
            "Ik ben gestart met CGT voor slapeloosheid en wandelen helpt.",
        ],
        "titles": ["Afbouw van {med}: week {n}", "{symptom} tijdens het afbouwen", "Stap naar {dose} mg",
                   "Even moed nodig", "Gestopt met {med} na {n} jaar", "Slaap en {symptom}",
                   "Vragen over {med}", "Mijn afbouwverhaal"],
        "filler": ("ik jij hij zij we het de een en maar want met zonder voor in op heel meer minder ook nog "
                   "altijd nooit vaak soms al goed echt dag nacht week maand slaap moeheid huisarts dosis stap "
                   "geduld tijd familie werk wandelen ademhaling rust schrik hoop beter slechter rustig amai "
                   "allez zwaar").split(),
    },
    "en": {
        "meds": ["lormetazepam", "alprazolam", "Xanax", "zolpidem", "zopiclone", "diazepam", "lorazepam"],
        "symptoms": ["tinnitus", "insomnia", "anxiety", "dizziness", "palpitations", "tremors", "muscle pain",
                     "panic attacks", "headaches", "nausea", "night sweats", "brain fog"],
        "time": ["in the morning", "at night", "in the evening", "after meals"],
        "patterns": [
            "I have been tapering {med} from {dose} mg for {n} weeks.",
            "My doctor agreed to reduce by ten percent every two weeks.",
            "The {symptom} is worse {time}, does anyone recognise this?",
            "Since the last cut I have {symptom} and {symptom2}.",
            "Holding at {dose} mg for {n} days now, sleeping a little better.",
            "Hang in there, my {symptom} faded after a few weeks.",
            "Thank you all, reading this forum helps me a lot.",
        ],
        "titles": ["Tapering {med}: week {n}", "{symptom} during the taper", "Holding at {dose} mg",
                   "Need some courage", "Off {med} after {n} years"],
        "filler": ("i you he she we it the a and but so with without for in on very more less also still "
                   "always never often sometimes already really day night week month sleep doctor dose "
                   "patience time family work walking breathing calm fear hope better worse slowly").split(),
    },
}
LANG_WEIGHTS = [("fr", 0.55), ("nl", 0.40), ("en", 0.05)]


class TextMaker:
    def __init__(self, seed: int = 20261123) -> None:
        self.rng = random.Random(seed)
        # Zipf weights for filler words: a few very common, a long tail.
        self.filler_weights = {
            lang: list(itertools.accumulate(1 / (rank + 1) for rank in range(len(data["filler"]))))
            for lang, data in LANGS.items()
        }

    def _fill(self, lang: str, pattern: str) -> str:
        data, rng = LANGS[lang], self.rng
        symptom, symptom2 = rng.sample(data["symptoms"], 2)
        return pattern.format(med=rng.choice(data["meds"]), dose=rng.choice(DOSES), n=rng.randint(1, 30),
                              symptom=symptom, symptom2=symptom2, time=rng.choice(data["time"]))

    def sentence(self, lang: str) -> str:
        if self.rng.random() < 0.6:
            return self._fill(lang, self.rng.choice(LANGS[lang]["patterns"]))
        words = self.rng.choices(LANGS[lang]["filler"], cum_weights=self.filler_weights[lang],
                                 k=self.rng.randint(6, 16))
        return " ".join(words).capitalize() + self.rng.choice([".", ".", "!", "?"])

    def post(self, lang: str) -> str:
        count = max(1, int(self.rng.expovariate(1 / 5)) + 1)
        sentences = [self.sentence(lang) for _ in range(min(count, 18))]
        middle = len(sentences) // 2
        if len(sentences) > 4:
            return " ".join(sentences[:middle]) + "\n\n" + " ".join(sentences[middle:])
        return " ".join(sentences)

    def title(self, lang: str) -> str:
        return self._fill(lang, self.rng.choice(LANGS[lang]["titles"])).capitalize()

    def lang(self) -> str:
        return self.rng.choices([code for code, _w in LANG_WEIGHTS], weights=[w for _c, w in LANG_WEIGHTS])[0]

    def thread_length(self) -> int:
        roll = self.rng.random()
        if roll < 0.40:
            return self.rng.randint(1, 3)
        if roll < 0.75:
            return self.rng.randint(4, 10)
        if roll < 0.95:
            return self.rng.randint(11, 40)
        return self.rng.randint(41, 300)


def _html(body: str) -> str:
    return "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in body.split("\n\n"))


def seed_scale(db: Database, settings: Settings, total_posts: int, *, batch: int = 20000) -> None:
    started = time.perf_counter()
    maker = TextMaker()
    with db.session() as session:
        categories = list(session.scalars(select(Category.id).order_by(Category.position)))
        first_user = (session.scalar(select(func.max(User.id))) or 0) + 1
        first_thread = (session.scalar(select(func.max(Thread.id))) or 0) + 1
        first_post = (session.scalar(select(func.max(Post.id))) or 0) + 1
    if not categories:
        raise typer.BadParameter("seed the categories first (forum seed)")
    users = max(50, total_posts // 40)
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    fmt = "%Y-%m-%d %H:%M:%S.%f" if db.is_sqlite else None

    def stamp(value: dt.datetime) -> object:
        return value.strftime(fmt) if fmt else value

    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.is_sqlite:
            # A throwaway benchmark corpus: durability is not needed while loading it.
            cursor.execute("PRAGMA synchronous=OFF")
        marker = "?" if db.is_sqlite else "%s"

        def insert(table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
            placeholders = ", ".join([marker] * len(columns.split(",")))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)

        insert("accounts_users",
               "id, pseudonym, pseudonym_folded, pseudonym_skeleton, password_hash, role, status, locale, "
               "read_langs, expand_notes, published_posts, created_at",
               [(first_user + i, f"scale{first_user + i}", f"scale{first_user + i}", f"scale{first_user + i}", "!",
                 "member", "active", "fr", "fr,nl,en", "", 1, stamp(start)) for i in range(users)])
        made, thread_id, post_id = 0, first_thread, first_post
        threads: list[tuple[object, ...]] = []
        posts: list[tuple[object, ...]] = []
        with typer.progressbar(length=total_posts, label="generating posts") as progress:
            while made < total_posts:
                length = min(maker.thread_length(), total_posts - made)
                lang = maker.lang()
                opened = start + dt.timedelta(seconds=maker.rng.random() * span * 0.95)
                moment = opened
                for _ in range(length):
                    body = maker.post(lang)
                    posts.append((post_id, thread_id, first_user + maker.rng.randrange(users), body, _html(body),
                                  "published", "", stamp(moment)))
                    post_id += 1
                    moment += dt.timedelta(minutes=maker.rng.randint(5, 3000))
                threads.append((thread_id, maker.rng.choice(categories), first_user + maker.rng.randrange(users),
                                maker.title(lang)[:200], lang, "published", False, False, length, stamp(moment),
                                stamp(opened)))
                thread_id += 1
                made += length
                if len(posts) >= batch:
                    _flush(insert, threads, posts)
                    progress.update(len(posts))
                    threads, posts = [], []
            if posts:
                _flush(insert, threads, posts)
                progress.update(len(posts))
        raw.commit()
        typer.echo(f"{made} posts in {thread_id - first_thread} threads generated in "
                   f"{time.perf_counter() - started:.0f} s; building the full-text index…")
        _build_index(cursor, db.is_sqlite, first_post)
        raw.commit()
    finally:
        raw.close()
    typer.echo(f"done in {time.perf_counter() - started:.0f} s")


def _flush(insert, threads: list[tuple[object, ...]], posts: list[tuple[object, ...]]) -> None:  # type: ignore[no-untyped-def]
    insert("forum_threads", "id, category_id, author_id, title, lang, status, pinned, locked, post_count, "
                            "last_post_at, created_at", threads)
    insert("forum_posts", "id, thread_id, author_id, body_md, body_html, status, notices, created_at", posts)


def _build_index(cursor, is_sqlite: bool, first_post: int) -> None:  # type: ignore[no-untyped-def]
    """Bulk-build the index in the database (generated bodies are plain text already)."""
    if is_sqlite:
        cursor.execute(
            "INSERT INTO search_fts(rowid, title, body) SELECT p.id, t.title, p.body_md FROM forum_posts p "
            "JOIN forum_threads t ON t.id = p.thread_id WHERE p.id >= ?", (first_post,))
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        cursor.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, search_fts, 'row')")
        cursor.execute("INSERT OR IGNORE INTO search_fts_terms (term) SELECT term FROM temp.vocab")
        cursor.execute("DROP TABLE temp.vocab")
        return
    # GIN indexes are built far faster at once than row by row: dropped here, made again below.
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_documents' "
                   "AND indexdef LIKE '%USING gin%'")
    gin_indexes = cursor.fetchall()
    for name, _definition in gin_indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(
        "INSERT INTO search_documents (post_id, body, tsv) SELECT p.id, p.body_md, "
        "setweight(to_tsvector(c.cfg, unaccent(t.title)), 'A') || "
        "setweight(to_tsvector(c.cfg, unaccent(p.body_md)), 'B') || "
        "setweight(to_tsvector('simple', unaccent(t.title)), 'A') || "
        "setweight(to_tsvector('simple', unaccent(p.body_md)), 'B') "
        "FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id "
        "JOIN (VALUES ('fr', 'french'::regconfig), ('nl', 'dutch'::regconfig), ('en', 'english'::regconfig)) "
        "AS c(lang, cfg) ON c.lang = t.lang WHERE p.id >= %s ON CONFLICT (post_id) DO NOTHING", (first_post,))
    cursor.execute("SET maintenance_work_mem = '256MB'")
    for _name, definition in gin_indexes:
        cursor.execute(definition)
    # The vocabulary holds every lexeme of the index with its document count (the planner's input).
    cursor.execute("INSERT INTO search_fts_terms (term, documents) SELECT word, ndoc FROM ts_stat("
                   f"'SELECT tsv FROM search_documents WHERE post_id >= {int(first_post)}') "
                   "ON CONFLICT (term) DO UPDATE SET documents = search_fts_terms.documents + EXCLUDED.documents")
    cursor.execute("ANALYZE")


