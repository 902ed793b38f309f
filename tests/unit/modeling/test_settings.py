"""Targets: profiles, environment overrides, secrets never shown."""

from __future__ import annotations

import logging

import pytest

from core.errors import ConfigError
from core.logs import RedactSecrets
from core.settings import load_target


def test_local_profile_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("WLKIT_TARGET", "WLKIT_API_URL", "WLKIT_SPARQL_URL", "WLKIT_USER", "WLKIT_PASSWORD"):
        monkeypatch.delenv(k, raising=False)
    t = load_target()
    assert t.name == "local"
    assert t.api_url == "http://127.0.0.1:8181/w/api.php"
    assert t.sparql_url == "http://127.0.0.1:7878/query"
    assert t.entity_prefix == "http://www.wikidata.org/entity/"
    assert not t.is_production


def test_env_overrides_every_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WLKIT_API_URL", "http://127.0.0.1:9/w/api.php")
    monkeypatch.setenv("WLKIT_SPARQL_URL", "http://127.0.0.1:9/sparql")
    monkeypatch.setenv("WLKIT_USER", "Me@bot")
    monkeypatch.setenv("WLKIT_PASSWORD", "s3cret-value")
    monkeypatch.setenv("WLKIT_USER_AGENT", "ua-test (me@example.org)")
    t = load_target("wikidata")
    assert t.api_url.endswith(":9/w/api.php") and t.sparql_url.endswith(":9/sparql")
    assert t.require_credentials() == ("Me@bot", "s3cret-value")
    assert t.user_agent == "ua-test (me@example.org)"
    assert "s3cret-value" not in repr(t) and "s3cret-value" not in t.model_dump_json()


def test_production_target_without_credentials_names_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WLKIT_USER", raising=False)
    monkeypatch.delenv("WLKIT_PASSWORD", raising=False)
    t = load_target("testwikidata")
    assert t.is_production
    with pytest.raises(ConfigError, match="WLKIT_USER and WLKIT_PASSWORD"):
        t.require_credentials()


def test_unknown_target_without_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WLKIT_API_URL", raising=False)
    monkeypatch.delenv("WLKIT_SPARQL_URL", raising=False)
    with pytest.raises(ConfigError, match="WLKIT_API_URL"):
        load_target("my-wikibase")


def test_custom_wikibase_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WLKIT_API_URL", "http://127.0.0.1:5/w/api.php")
    monkeypatch.setenv("WLKIT_SPARQL_URL", "http://127.0.0.1:5/sparql")
    monkeypatch.setenv("WLKIT_ENTITY_BASE", "http://wikibase.local")
    t = load_target("my-wikibase")
    assert t.is_production and t.entity_prefix == "http://wikibase.local/entity/"


def test_redaction_filter_hides_secret_in_log_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("modeling.test_redaction")
    flt = RedactSecrets(["hunter2-bot-pass"])
    logger.addFilter(flt)
    try:
        with caplog.at_level(logging.INFO, logger="modeling.test_redaction"):
            logger.info("login with %s failed", "hunter2-bot-pass")
    finally:
        logger.removeFilter(flt)
    assert "hunter2-bot-pass" not in caplog.text
    assert "login with *** failed" in caplog.text
