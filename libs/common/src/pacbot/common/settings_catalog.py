"""Every environment variable a service reads, and which ones a service process cannot do without.

Derived from the settings models (their fields and ``env_prefix``), so the catalog cannot drift
from what the code reads. The same groups drive the start-up check (``missing_env``), the
``pacbot settings`` command, and the deployment tests that check compose and the Helm chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypeVar

from pydantic.fields import FieldInfo

from pacbot.common.settings import InfraSettings, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

SERVICE_SETTINGS: dict[str, str] = {
    "inventory": "pacbot.inventory.settings.InventorySettings",
    "assessor": "pacbot.assessor.settings.AssessorSettings",
    "violations": "pacbot.violations.settings.ViolationsSettings",
    "exceptions": "pacbot.exceptions.settings.ExceptionsSettings",
    "autofix": "pacbot.autofix.settings.AutofixSettings",
    "gateway": "pacbot.gateway.settings.GatewaySettings",
}

# Each requirement: the shared infra field, and the service's own field that overrides it.
_REQUIREMENTS: dict[str, tuple[str, str]] = {
    "database": ("postgres_url", "database_url"),
    "kafka": ("kafka_bootstrap_servers", "kafka_bootstrap_servers"),
    "internal_secret": ("internal_secret", "internal_secret"),
    "search": ("opensearch_url", "opensearch_url"),
}
_NESTED = "infra"  # the field holding InfraSettings: read from PACBOT_*, not from own prefix


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, whether it is shared, and what it means."""

    env: str
    field: str
    shared: bool
    secret: bool
    description: str | None
    default: str | None


def settings_class(name: str) -> type[ServiceSettings]:
    """The settings class of a service, imported on demand (libs must not import services)."""
    try:
        path = SERVICE_SETTINGS[name]
    except KeyError:
        raise KeyError(f"unknown service {name!r}; known: {sorted(SERVICE_SETTINGS)}") from None
    module, _, attr = path.rpartition(".")
    cls = getattr(import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, ServiceSettings)):
        raise TypeError(f"{path} is not a ServiceSettings class")
    return cls


def _prefix(cls: type[InfraSettings] | type[ServiceSettings]) -> str:
    return str(cls.model_config.get("env_prefix", ""))


def catalog(settings_cls: type[ServiceSettings]) -> list[Setting]:
    """Every setting the service reads from the environment: its own, then the shared ones."""
    own = [
        _setting(_prefix(settings_cls), name, info, shared=False)
        for name, info in settings_cls.model_fields.items()
        if name != _NESTED
    ]
    shared = [
        _setting(_prefix(InfraSettings), name, info, shared=True)
        for name, info in InfraSettings.model_fields.items()
    ]
    return own + shared


def _setting(prefix: str, name: str, info: FieldInfo, *, shared: bool) -> Setting:
    secret = "SecretStr" in repr(info.annotation)
    default = None if info.is_required() or secret else info.get_default(call_default_factory=True)
    return Setting(
        env=f"{prefix}{name}".upper(),
        field=name,
        shared=shared,
        secret=secret,
        description=info.description,
        default=None if default is None else str(default),
    )


def env_names(settings_cls: type[ServiceSettings]) -> frozenset[str]:
    """Every environment variable name the service reads (own prefix and shared ``PACBOT_``)."""
    return frozenset(s.env for s in catalog(settings_cls))


def _groups(settings_cls: type[ServiceSettings]) -> dict[str, frozenset[str]]:
    own, shared = _prefix(settings_cls), _prefix(InfraSettings)
    kinds = ["database", "kafka", "internal_secret"]
    if getattr(settings_cls, "needs_search", False):
        kinds.append("search")
    return {
        kind: frozenset(
            {f"{shared}{_REQUIREMENTS[kind][0]}".upper(), f"{own}{_REQUIREMENTS[kind][1]}".upper()}
        )
        for kind in kinds
    }


def required_env(settings_cls: type[ServiceSettings]) -> list[frozenset[str]]:
    """For a process that is not embedded: groups of alternatives, one of each must be set."""
    return list(_groups(settings_cls).values())


def missing_env(settings: ServiceSettings, kinds: tuple[str, ...] = ()) -> list[frozenset[str]]:
    """The required groups (all, or only ``kinds`` such as ``("database",)``) nothing satisfies."""
    values = _values(settings)
    return [
        group
        for kind, group in _groups(type(settings)).items()
        if (not kinds or kind in kinds) and not any(values.get(env) for env in group)
    ]


def _values(settings: ServiceSettings) -> dict[str, Any]:
    own, shared = _prefix(type(settings)), _prefix(InfraSettings)
    values = {
        f"{own}{name}".upper(): getattr(settings, name)
        for name in type(settings).model_fields
        if name != _NESTED
    }
    values.update(
        {
            f"{shared}{name}".upper(): getattr(settings.infra, name)
            for name in InfraSettings.model_fields
        }
    )
    return values


class MissingSettings(ValueError):
    """A service process was started without settings it cannot run without."""


def require(settings: ServiceSettings, kinds: tuple[str, ...] = ()) -> None:
    """Refuse to go on, naming every missing variable, unless the process is embedded."""
    if settings.infra.embedded:
        return
    missing = missing_env(settings, kinds)
    if not missing:
        return
    own = _prefix(type(settings)).upper()
    named = "; ".join(
        " or ".join(sorted(group, key=lambda env: (env.startswith(own), env))) for group in missing
    )
    raise MissingSettings(
        f"pacbot-{settings.service_name} cannot start, required settings are missing: {named}. "
        "Set them (see `pacbot settings "
        f"{settings.service_name}`), or set PACBOT_EMBEDDED=true to run on a SQLite file, an "
        "in-memory bus and database search (one machine, nothing shared between processes)."
    )


def from_environment(settings_cls: type[S]) -> S:
    """A service's settings read from the environment, refused (:class:`MissingSettings`) when
    a process could not run on them: what an app factory called without settings uses (a
    ``uvicorn --factory`` start)."""
    settings = settings_cls()
    require(settings)
    return settings
