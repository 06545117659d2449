"""Copies of the project's prompts folder that tests may change, and catalogs tests add to them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from phoneline.catalog import DEFAULT_PROMPTS_DIR


def copy_prompts(target: Path) -> Path:
    """Copy menu.yaml and the catalogs, without any audio, to `target`."""
    shutil.copytree(
        DEFAULT_PROMPTS_DIR, target, ignore=shutil.ignore_patterns("audio", "recordings")
    )
    return target


def add_language(prompts_dir: Path, code: str, base: str = "en", **language: Any) -> None:
    """Write catalog `code` with the prompts of `base`, adding it to the end of the menu if new.

    `language` sets fields of the language block; a field given as None is removed.
    """
    data = yaml.safe_load((prompts_dir / f"{base}.yaml").read_text(encoding="utf-8"))
    block = data["language"]
    block["code"] = code
    for name, value in language.items():
        if value is None:
            block.pop(name, None)
        else:
            block[name] = value
    write_yaml(prompts_dir / f"{code}.yaml", data)

    menu = yaml.safe_load((prompts_dir / "menu.yaml").read_text(encoding="utf-8"))
    if code not in menu["languages"]:
        menu["languages"].append(code)
    write_yaml(prompts_dir / "menu.yaml", menu)


def set_prompt(prompts_dir: Path, code: str, key: str, text: str) -> None:
    path = prompts_dir / f"{code}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["prompts"][key] = text
    write_yaml(path, data)


def write_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
