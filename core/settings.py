"""Targets: which Wikibase API and SPARQL endpoint a run talks to, and with which account.

A *target* is a named profile (``local``, ``testwikidata``, ``wikidata``) whose every value can
be overridden by environment variables (``WLKIT_API_URL``, ``WLKIT_SPARQL_URL``,
``WLKIT_COMMONS_API_URL``, ``WLKIT_USER``,
``WLKIT_PASSWORD``, ``WLKIT_USER_AGENT``, ``WLKIT_ENTITY_BASE``). Secrets only ever come from the
environment; they are :class:`pydantic.SecretStr`, so they never print in reprs or logs.

The settings object is built once per run (:func:`load_target`) and passed in; no module keeps
mutable global configuration.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

#: Default ports of the local services (``wlkit services up``).
DEFAULT_WIKIBASE_PORT = 8181
DEFAULT_SPARQL_PORT = 7878
DEFAULT_COMMONS_PORT = 8282
#: Wikidata's concept base: local entity IRIs use it too, so the same .rq files run on both.
WIKIDATA_ENTITY_BASE = "http://www.wikidata.org"
DEFAULT_USER_AGENT = "wikiloves-kit/0.1 (https://github.com/wikiloves-kit; set WLKIT_USER_AGENT)"


class Target(BaseModel):
    """Where a run reads and writes: an Action API, a SPARQL endpoint and an account."""

    name: str = Field(description="Profile name, e.g. local, testwikidata, wikidata.")
    api_url: str = Field(description="MediaWiki Action API URL (…/w/api.php).")
    sparql_url: str = Field(description="SPARQL endpoint URL.")
    commons_api_url: str | None = Field(
        default=None, description="Commons-like MediaWiki Action API URL (files, categories, SDC)."
    )
    entity_base: str = Field(
        default=WIKIDATA_ENTITY_BASE,
        description="Concept-URI base: entities are {entity_base}/entity/Q1 (WBI's WIKIBASE_URL).",
    )
    user: str | None = Field(default=None, description="Bot-password user name (User@botname).")
    password: SecretStr | None = Field(default=None, description="Bot password (env only).")
    user_agent: str = Field(default=DEFAULT_USER_AGENT, description="HTTP User-Agent with contact.")
    is_production: bool = Field(
        default=False, description="True for public wikis: writes need explicit credentials."
    )

    @property
    def entity_prefix(self) -> str:
        """IRI prefix of entities, e.g. ``http://www.wikidata.org/entity/``."""
        return self.entity_base.rstrip("/") + "/entity/"

    def require_credentials(self) -> tuple[str, str]:
        """Return (user, password) or raise naming the environment variables to set."""
        if not self.user or not self.password or not self.password.get_secret_value():
            raise ConfigError(
                f"target {self.name!r} needs credentials for writing: set WLKIT_USER and "
                "WLKIT_PASSWORD (a bot password, User@botname) in the environment"
            )
        return self.user, self.password.get_secret_value()


class EnvOverrides(BaseSettings):
    """``WLKIT_*`` environment variables; each, when set, overrides the profile's value."""

    model_config = SettingsConfigDict(env_prefix="WLKIT_", extra="ignore")

    target: str | None = Field(default=None, description="WLKIT_TARGET: default profile name.")
    api_url: str | None = Field(default=None, description="WLKIT_API_URL")
    sparql_url: str | None = Field(default=None, description="WLKIT_SPARQL_URL")
    commons_api_url: str | None = Field(default=None, description="WLKIT_COMMONS_API_URL")
    entity_base: str | None = Field(default=None, description="WLKIT_ENTITY_BASE")
    user: str | None = Field(default=None, description="WLKIT_USER")
    password: SecretStr | None = Field(default=None, description="WLKIT_PASSWORD")
    user_agent: str | None = Field(default=None, description="WLKIT_USER_AGENT")
    sandbox_user: str = Field(default="Wlkit@sandbox", description="WLKIT_SANDBOX_USER")
    sandbox_password: SecretStr = Field(
        default=SecretStr("sandbox-bot-password"), description="WLKIT_SANDBOX_PASSWORD"
    )
    wikibase_port: int = Field(default=DEFAULT_WIKIBASE_PORT, description="WLKIT_WIKIBASE_PORT")
    sparql_port: int = Field(default=DEFAULT_SPARQL_PORT, description="WLKIT_SPARQL_PORT")
    commons_port: int = Field(default=DEFAULT_COMMONS_PORT, description="WLKIT_COMMONS_PORT")


def _profiles(env: EnvOverrides) -> dict[str, dict[str, object]]:
    return {
        "local": {
            "api_url": f"http://127.0.0.1:{env.wikibase_port}/w/api.php",
            "sparql_url": f"http://127.0.0.1:{env.sparql_port}/query",
            "commons_api_url": f"http://127.0.0.1:{env.commons_port}/w/api.php",
            "user": env.sandbox_user,
            "password": env.sandbox_password,
            "is_production": False,
        },
        "testwikidata": {
            "api_url": "https://test.wikidata.org/w/api.php",
            "sparql_url": "https://test.wikidata.org/sparql",  # test.wikidata has no public WDQS
            "entity_base": "http://test.wikidata.org",
            "commons_api_url": "https://test-commons.wikimedia.org/w/api.php",
            "is_production": True,
        },
        "wikidata": {
            "api_url": "https://www.wikidata.org/w/api.php",
            "sparql_url": "https://query.wikidata.org/sparql",
            "commons_api_url": "https://commons.wikimedia.org/w/api.php",
            "is_production": True,
        },
    }


TARGET_NAMES = ("local", "testwikidata", "wikidata")


def load_target(name: str | None = None, env: EnvOverrides | None = None) -> Target:
    """Build the :class:`Target` for profile ``name`` (default: WLKIT_TARGET or ``local``).

    Any Wikibase can be used as a custom profile: give a new name and set WLKIT_API_URL,
    WLKIT_SPARQL_URL and WLKIT_ENTITY_BASE.
    """
    env = env or EnvOverrides()
    name = name or env.target or "local"
    profiles = _profiles(env)
    values: dict[str, object] = {"name": name, **profiles.get(name, {})}
    if name not in profiles and not (env.api_url and env.sparql_url):
        raise ConfigError(
            f"target should be one of {', '.join(TARGET_NAMES)} or a custom name with "
            f"WLKIT_API_URL and WLKIT_SPARQL_URL set, got {name!r}"
        )
    if name not in profiles:
        values["is_production"] = True
    for key in ("api_url", "sparql_url", "commons_api_url", "entity_base", "user", "password",
                "user_agent"):
        override = getattr(env, key)
        if override is not None:
            values[key] = override
    return Target(**values)  # type: ignore[arg-type]


def secret_values() -> list[str]:
    """All secret strings currently in the environment (for the log redaction filter)."""
    keys = ("WLKIT_PASSWORD", "WLKIT_SANDBOX_PASSWORD", "WLKIT_OAUTH_SECRET")
    return [os.environ[k] for k in keys if os.environ.get(k)]
