"""Every setting of the forum, read once from the environment (prefix FORUM_).

Nothing else in the application reads os.environ. Every knob has a safe default
so that `make run` works with no configuration at all.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_FILE = "secret_key"


class Argon2Settings(BaseModel):
    model_config = ConfigDict(frozen=True)  # hashable: the hasher is cached per parameter set

    # RFC 9106 "second recommended option" (low memory): t=3, m=64 MiB, p=4.
    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


class ThrottleSettings(BaseModel):
    # Log-in and recovery (counted apart). Failures are counted per (pseudonym, client)
    # pair: the first `per_pseudonym` are free, then the wait doubles from
    # `first_delay_seconds` up to the window. A client is stopped for the window
    # after `per_client` failures on any pseudonyms. While a pseudonym gathers
    # `per_pseudonym_all_clients` failures from everywhere, every client that has
    # failed on it waits the whole window; its owner's devices are not affected.
    window_seconds: int = 15 * 60
    per_pseudonym: int = 5
    per_client: int = 20
    first_delay_seconds: int = 30
    per_pseudonym_all_clients: int = 50
    # A browser that logged in as the member before (a device cookie, app/accounts/devices.py) has its own
    # budget: `per_device` failures per window, whatever the pseudonym's and the client's counters say, so
    # nobody can lock a member out of the browsers they use. A device cookie lasts `device_cookie_days`.
    per_device: int = 5
    device_cookie_days: int = 180
    # Sign-ups per client per window (stops scripted account creation).
    signups_per_client: int = 10
    # The sign-up form is refused when sent sooner than this after it was shown (scripts post at once).
    signup_min_seconds: int = 3


class RateLimitSettings(BaseModel):
    # Searches and visitors' API reads, per client (app/accounts/ratelimit.py). Shared by every worker
    # (database counters); each refusal is a 429 with Retry-After. Posting is limited by TrustSettings.
    enabled: bool = True
    searches: int = 30  # visitors' searches per client per window (scrapers are the concern)
    # A logged-in member's searches, counted per member (a shared address does not count against them):
    # refining a search, paging and filters are each a search; a person never reaches this.
    member_searches: int = 120
    searches_seconds: int = 60
    api_reads: int = 120  # visitors' JSON API reads per client per window: no scraping the forum in a minute
    api_reads_seconds: int = 60
    # The composer's live checks (POST /api/v1/moderation/check, /api/v1/resources/suggest), each counted apart:
    # open to any client, and a check of a long text holds a core for a good part of a second. Visitors per
    # client (they have no composer); members per member, with room for the checks typing pauses send. Counted
    # in uses: a short text is one, and each 2,000 bytes of the request one more (ratelimit.preview_cost).
    previews: int = 30
    member_previews: int = 90
    previews_seconds: int = 60


class SearchSettings(BaseModel):
    backend: Literal["database", "meilisearch"] = "database"
    meili_url: str = "http://127.0.0.1:7700"
    meili_key: str = ""
    meili_index: str = "posts"
    page_size: int = 20
    # "inprocess": each app process indexes right after its own commits (embedded default);
    # "external": a separate `forum worker` does it (production with Meilisearch).
    worker: Literal["inprocess", "external"] = "inprocess"
    # Seconds a search waits for the engine before the database answers instead: a member
    # should never wait on a hung engine. Meilisearch answers in tens of milliseconds.
    query_timeout: float = 0.15
    # Seconds an indexing call may take (always off the request path).
    index_timeout: float = 5.0
    # After a failed query, searches go straight to the database for this long.
    breaker_seconds: float = 10.0


class MetricsSettings(BaseModel):
    enabled: bool = True
    # When set, /metrics needs "Authorization: Bearer <token>". When empty, only a client
    # connected directly over loopback (not relayed by a proxy) may read it.
    token: str = ""
    # Where worker processes share their counters when `forum serve --workers N` runs
    # more than one (prometheus_client's multi-process mode); default data_dir/metrics.
    multiproc_dir: Path | None = None


class ResearchSettings(BaseModel):
    # Who builds requested exports: "subprocess" (the app starts `forum research worker --once`
    # after a request; the embedded default, and the models' memory is freed afterwards),
    # "external" (a `forum research worker` runs beside the app; production), or "inline"
    # (the requesting process, after its commit; tests).
    worker: Literal["subprocess", "external", "inline"] = "subprocess"
    # Where finished exports wait for download; default: <data_dir>/research-exports.
    export_dir: Path | None = None
    # Days an export can be downloaded before it is deleted.
    download_days: int = 7
    # "nlp": rules plus spaCy and belgian-deduce (the `research` extra; exports are refused
    # without it); "rules": the rules alone, which miss many names and places (the
    # datasheet says so). Tests use "rules" for speed, except the anonymiser's own tests.
    anonymiser: Literal["nlp", "rules"] = "nlp"


class TrustSettings(BaseModel):
    """How a new member is welcomed, and the posting limits until they graduate."""

    # A new member's first posts wait for a moderator's welcome (in every category).
    premoderated_posts: int = 2
    # After this many posts out, a member graduates to the ordinary posting limit.
    graduate_after: int = 3
    newcomer_posts_per_hour: int = 5
    posts_per_hour: int = 30
    # Edits of one's own posts that change their text (each is screened and rendered again); moderators are exempt.
    edits_per_hour: int = 30


class ReviewSettings(BaseModel):
    # A claimed queue item is left to its moderator this long, then free again.
    claim_minutes: int = 15
    # How often each app process looks for wording guidelines edited from the web.
    guidelines_refresh_seconds: float = 3.0
    reports_per_day: int = 20
    # Visitors' notices per client (a keyed daily hash, never the address) per throttle window.
    visitor_reports_per_window: int = 3
    # Statements can be appealed this long (DSA Art. 20: at least six months).
    appeal_days: int = 183
    # A notifier's name and contact are erased this long after their notice was decided.
    notifier_contact_days: int = 180


class NotificationSettings(BaseModel):
    # A post whose thread has more watchers than this is fanned out by a worker after the
    # commit (the notifications outbox); below it, in the post's own transaction.
    inline_fanout_max: int = 100
    # "inprocess": each app process fans out its own outbox entries on a background thread
    # right after the commit (embedded default); "external": `forum worker` does it.
    worker: Literal["inprocess", "external"] = "inprocess"
    page_size: int = 30
    # Read notifications are deleted after this many days (unread ones are kept).
    keep_read_days: int = 90


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FORUM_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    # Optional PostgreSQL streaming replica for reads that tolerate a little lag.
    database_replica_url: str = ""
    # PostgreSQL: connections each worker keeps open, how many more it may open when busy, and how
    # many seconds a request waits for a free one before a 503 (never a second one per request).
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout: float = Field(default=30.0, gt=0)
    secret_key: str = ""
    site_name: str = "Trèfle · Klaver"
    default_locale: Literal["fr", "nl", "en"] = "fr"
    # Addresses of reverse proxies whose X-Forwarded-For header is believed.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Public origin (scheme://host[:port]) used for Origin checks behind a proxy.
    public_origin: str = ""
    cookie_secure: bool | None = None
    # Strict-Transport-Security on every response; None: in production only (served over HTTPS).
    hsts_enabled: bool | None = None
    # A session ends this many days after it was last used, and at the latest `session_max_days`
    # after the log-in that opened it, however much it is used (then the member logs in again).
    session_days: int = 30
    session_max_days: int = 90
    session_touch_minutes: int = 10
    thread_page_size: int = 20
    # Rendered pages kept per worker for logged-out readers (index, categories, threads); 0 turns it off.
    page_cache_entries: int = 1000
    category_page_size: int = 30
    max_post_chars: int = 20000
    # The largest request body any route reads (JSON or form; the app takes no file uploads): a 20,000-character
    # post sent as a form, every character 4 UTF-8 bytes and each byte percent-encoded, is 240 KB. Larger is 413,
    # refused before it is read (app/web/body_limit.py). Above Starlette's 1 MiB per form field, so a field over
    # that still gets its own explanation (app/web/errors.py, 400).
    max_request_bytes: int = 2 * 1024 * 1024
    # SQLite: how long a writer waits for the write lock before retrying, then answering 503.
    sqlite_busy_timeout_ms: int = 5000
    argon2: Argon2Settings = Field(default_factory=Argon2Settings)
    throttle: ThrottleSettings = Field(default_factory=ThrottleSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    research: ResearchSettings = Field(default_factory=ResearchSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    # "json": one JSON object per line (production, log shippers); "text" for a terminal.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where `forum backup` writes by default; default data_dir/backups.
    backup_dir: Path | None = None
    trust: TrustSettings = Field(default_factory=TrustSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)

    @model_validator(mode="after")
    def _defaults_from_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'forum.sqlite3'}"
        if self.database_replica_url and self.is_sqlite:
            raise ValueError("FORUM_DATABASE_REPLICA_URL needs PostgreSQL (FORUM_DATABASE_URL is SQLite)")
        if self.environment == "production" and not self.secret_key:
            raise ValueError("FORUM_SECRET_KEY must be set in production")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry the Secure flag in production unless configured otherwise."""
        return self.cookie_secure if self.cookie_secure is not None else self.environment == "production"

    @property
    def resolved_backup_dir(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    @property
    def resolved_multiproc_dir(self) -> Path:
        return self.metrics.multiproc_dir or self.data_dir / "metrics"

    @property
    def hsts(self) -> bool:
        return self.hsts_enabled if self.hsts_enabled is not None else self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def moderation_model_dir(self) -> Path:
        """Where `forum moderation retrain` keeps the engine's retrained model (and the one before it)."""
        return self.data_dir / "moderation"

    @property
    def research_export_dir(self) -> Path:
        return self.research.export_dir or self.data_dir / "research-exports"

    def resolved_secret(self) -> bytes:
        """The server secret; in development, generated once into data_dir."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / DEV_SECRET_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()


def request_settings(request: Request) -> Settings:
    """The running application's settings (tests and `create_app` may pass their own)."""
    settings: Settings = request.app.state.settings
    return settings


async def _settings_dependency(request: Request) -> Settings:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hand-over per request for a lookup.
    return request_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
