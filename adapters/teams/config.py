"""Teams' settings from the environment: the bot's Azure registration, or none (Emulator).

With `MICROSOFT_APP_ID` every request must carry a valid Bot Framework token. Without it,
activities are accepted unauthenticated, which `leercoach serve` allows only on loopback
(local testing with the Bot Framework Emulator).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ConfigError

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True, slots=True)
class TeamsConfig:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TeamsConfig:
        env = os.environ if env is None else env

        def value(name: str) -> str:
            return env.get(name, "").strip()

        config = cls(
            app_id=value("MICROSOFT_APP_ID"),
            app_password=value("MICROSOFT_APP_PASSWORD"),
            tenant_id=value("MICROSOFT_APP_TENANT_ID"),
            app_type=value("MICROSOFT_APP_TYPE") or "MultiTenant",
        )
        config.check()
        return config

    def check(self) -> None:
        if self.app_type not in APP_TYPES:
            raise ConfigError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}, "
                              f"got {self.app_type!r}")
        if not self.app_id:
            if self.app_password or self.tenant_id:
                raise ConfigError("MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID is set "
                                  "but MICROSOFT_APP_ID is not")
            return
        if not _GUID.match(self.app_id):
            raise ConfigError("MICROSOFT_APP_ID must be the bot's application id (a GUID)")
        if self.app_type != "UserAssignedMSI" and not self.app_password:
            raise ConfigError("MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID")
        if self.app_type == "SingleTenant" and not self.tenant_id:
            raise ConfigError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID")
