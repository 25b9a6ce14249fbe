"""Configuration from WEIJIAN_* environment variables (pydantic-settings).

Defaults give a machine with nothing installed a working system: an SQLite file and the boundary
cache under ./var, an in-process cache, Henan province as the region.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from data.boundary_watch import CHECK_EVERY_S
from geo import hierarchy


WEAK_SECRETS = {"", "secret", "changeme", "change-me", "dev", "development", "default", "weijian"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEIJIAN_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""  # empty: sqlite:///<var_dir>/weijian.db
    cache_url: str = "simple://"  # simple:// (in-process) or redis://host:port/db
    region: str = "410000"  # the province or city this installation supervises
    environment: Literal["development", "production"] = "development"
    secret_key: str = ""
    # The keys that encrypt personal data at rest (data/crypto.py): `id:base64key` entries, the first encrypts.
    # Either inline or in a file (one a line); never in the database. Development makes var/data_key.
    data_key: str = Field("", repr=False)
    data_key_file: Path | None = None
    language: Literal["zh", "en"] = "zh"
    datasets: Path = Path("../shared/datasets")  # the shared public datasets (the NYC back-test reads one)
    # The password policy may be made stricter, never weaker than 8 characters of 3 kinds (等保 2.0 level 3).
    password_min_length: int = Field(8, ge=8, le=128)
    password_min_classes: int = Field(3, ge=3, le=4)
    # Requests per client address (dashboard/rate_limits.py), in the `limits` notation.
    login_rate_limit: str = "10 per minute; 50 per hour"
    public_rate_limit: str = "60 per minute"
    # The largest file the import page takes (dashboard/pages/import_page.py); the CLI has no limit.
    import_max_mb: int = Field(50, ge=1, le=1024)
    # How often a server process looks for boundary sets imported since it started (data/boundary_watch.py).
    boundary_check_s: float = Field(CHECK_EVERY_S, ge=0, le=3600)
    public_base_url: str = ""  # where phones reach /public/…, e.g. https://weijian.example.gov.cn; empty: the request's host

    @field_validator("public_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"WEIJIAN_PUBLIC_BASE_URL {value!r} must start with http:// or https://")
        return value

    @field_validator("login_rate_limit", "public_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit (e.g. '10 per minute; 50 per hour')") from None
        return value

    @model_validator(mode="after")
    def _known_region(self) -> Settings:
        """The region is a built-in one, or an imported one stored in the configured database (its boundary
        sets are installed here, so every command that reads settings sees them)."""
        self.region = value = self.region.strip()
        if not hierarchy.is_builtin(value):
            from data import boundary_sets

            boundary_sets.load_url(self.db_url)
        try:
            region = hierarchy.get_region(value)
        except KeyError as exc:
            raise ValueError(str(exc)) from None
        if region.level not in ("province", "city"):
            raise ValueError(f"WEIJIAN_REGION {value} ({region.name}) is a {region.level}: use a province or city code")
        return self

    def resolved_secret_key(self) -> str:
        """The key that signs sessions. Production refuses to start without a real one; development keeps a
        random key in var/secret_key (created once, readable by its owner only) so sessions survive restarts."""
        key = self.secret_key.strip()
        if key and key.lower() not in WEAK_SECRETS and len(key) >= 32:
            return key
        if self.environment == "production":
            raise RuntimeError("WEIJIAN_SECRET_KEY is empty, a known default or shorter than 32 characters: "
                               "set a long random value (python -c 'import secrets; print(secrets.token_hex(32))')")
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="ascii")
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()

    def data_keyring(self):
        """The keyring that encrypts personal data. Production refuses to start without a configured key (the
        database alone must not be enough to read ID numbers); development keeps one in var/data_key, made once,
        readable by its owner only, so `make run` and the tests need no setup."""
        from data import crypto

        if self.data_key.strip():
            return crypto.Keyring(crypto.parse_keys(self.data_key, "WEIJIAN_DATA_KEY"))
        if self.data_key_file is not None:
            try:
                text = self.data_key_file.read_text(encoding="ascii")
            except OSError as exc:
                raise crypto.DataKeyError(f"WEIJIAN_DATA_KEY_FILE {self.data_key_file}: {exc.strerror}") from None
            return crypto.Keyring(crypto.parse_keys(text, str(self.data_key_file)))
        if self.environment == "production":
            raise crypto.DataKeyError("no data key: set WEIJIAN_DATA_KEY or WEIJIAN_DATA_KEY_FILE "
                                      "(`weijian crypto new-key` prints one)")
        path = self.var_dir / "data_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(crypto.new_key("dev1").text() + "\n", encoding="ascii")
            path.chmod(0o600)
        return crypto.Keyring(crypto.parse_keys(path.read_text(encoding="ascii"), str(path)))

    def install_data_keyring(self) -> None:
        """Install the keyring for this process (the app factory and the `weijian` command call it first)."""
        from data import crypto

        crypto.install(self.data_keyring())

    def password_policy(self):
        """The policy new passwords are checked against (data/accounts.py knows nothing of settings)."""
        from data.accounts import PasswordPolicy

        return PasswordPolicy(min_length=self.password_min_length, min_classes=self.password_min_classes)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'weijian.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        return self.var_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
