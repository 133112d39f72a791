"""Configuration: the embedded defaults in configs/default.toml, overridden by a user file.

Validation happens once, at start-up, against the defaults themselves: every key a user
may set exists in default.toml with a value of the right type, so there is no second
schema to keep in step. Errors name the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "default.toml"


class ConfigError(ValueError):
    """A config file that cannot be used; the message says which file and key."""


@dataclass(frozen=True)
class Config:
    """Validated settings, one dict per section, plus where relative paths resolve from."""

    sections: dict[str, dict[str, Any]]
    search_dirs: tuple[Path, ...] = (CONFIG_DIR,)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    def fingerprint(self, *sections: str) -> str:
        """A short stable hash of the named sections (all when none are named)."""
        names = sections or tuple(sorted(self.sections))
        blob = json.dumps({n: self.sections[n] for n in names}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def resolve(self, path: str) -> Path:
        """A path from the config: absolute as given, else found beside the user's file or
        in configs/ (so a user file can name its own catalogue or the built-in one)."""
        p = Path(path)
        if p.is_absolute():
            return p
        for folder in self.search_dirs:
            if (folder / p).exists():
                return folder / p
        return self.search_dirs[-1] / p


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _check_type(path: Path, key: str, default: Any, value: Any) -> Any:
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(default, bool) and isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float))
        value = float(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(
            f"{path}: key '{key}' must be {type(default).__name__}, got {type(value).__name__} ({value!r})"
        )
    return value


def merge(defaults: dict[str, dict[str, Any]], override: dict[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """Defaults with ``override`` applied; unknown sections or keys are errors."""
    merged = {name: dict(values) for name, values in defaults.items()}
    for section, values in override.items():
        if section not in merged:
            raise ConfigError(f"{path}: unknown section [{section}] (known: {', '.join(sorted(merged))})")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in values.items():
            if key not in merged[section]:
                raise ConfigError(f"{path}: unknown key '{section}.{key}'")
            merged[section][key] = _check_type(path, f"{section}.{key}", merged[section][key], value)
    return merged


def load_config(path: Path | str | None = None) -> Config:
    """The embedded defaults, with the user's file on top when one is given."""
    sections = _read_toml(DEFAULT_CONFIG)
    if path is None:
        return Config(sections)
    user_path = Path(path).resolve()
    return Config(merge(sections, _read_toml(user_path), user_path), search_dirs=(user_path.parent, CONFIG_DIR))
