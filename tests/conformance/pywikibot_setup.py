"""Configuration of an unmodified pywikibot for the local sandbox, written into a temporary
directory (``PYWIKIBOT_DIR``): a family file for the sandbox's host and port, a user config
that loads it, and a bot-password file. Nothing is read from or written to the user's home."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

FAMILY = '''"""Family of the local wlkit sandbox Wikibase (generated for one test run)."""
from pywikibot import family


class Family(family.DefaultWikibaseFamily, family.SingleSiteFamily):
    name = "wlkit"
    domain = "{host}"

    def scriptpath(self, code):
        return "/w"

    def protocol(self, code):
        return "http"

    def shared_image_repository(self, code):
        return ("wlkit", "wlkit")

    def geo_shape_repository(self, code):
        return ("wlkit", "wlkit")

    def tabular_data_repository(self, code):
        return ("wlkit", "wlkit")
'''

USER_CONFIG = '''family = "wlkit"
mylang = "wlkit"
usernames["wlkit"]["wlkit"] = "{user}"
password_file = "user-password.py"
user_families_paths = [{families!r}]
put_throttle = 0
write_maxlag = 0
max_retries = 1
retry_wait = 1
console_encoding = "utf-8"
'''


def write_config(directory: Path, api_url: str, user: str, bot_password: str) -> Path:
    """Write the pywikibot configuration for ``api_url`` into ``directory``; returns it.

    Args:
        directory: An empty directory (becomes ``PYWIKIBOT_DIR``).
        api_url: The sandbox's ``http://127.0.0.1:PORT/w/api.php``.
        user: Bot-password login name ``User@app``.
        bot_password: The bot password.
    """
    host = urlsplit(api_url).netloc
    name, _, app = user.partition("@")
    families = directory / "families"
    families.mkdir(parents=True, exist_ok=True)
    (families / "wlkit_family.py").write_text(FAMILY.format(host=host), encoding="utf-8")
    (directory / "user-config.py").write_text(
        USER_CONFIG.format(user=name, families=str(families)), encoding="utf-8")
    password = directory / "user-password.py"
    password.write_text(f"({name!r}, BotPassword({app!r}, {bot_password!r}))\n",
                        encoding="utf-8")
    password.chmod(0o600)
    return directory
