"""Notification templates: jinja2 files in a package folder, one subject, text and HTML each."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, UndefinedError

_BLANKS = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendered:
    """A notification as words: one-line subject, plain text, and optional HTML."""

    subject: str
    text: str
    html: str | None


class TemplateError(ValueError):
    """A template is missing or does not render with the context given."""


class Templates:
    """``<template>.subject.txt``, ``<template>.txt`` and optionally ``<template>.html`` files
    in ``package``'s ``directory`` (``Templates("pacbot.autofix", "templates")``).

    HTML is autoescaped; text and subject are not. A name the context lacks is an error, not
    an empty string, so a typo never sends a hollow message.
    """

    def __init__(self, package: str, directory: str = "templates") -> None:
        self.where = f"{package}/{directory}"
        loader = PackageLoader(package, directory)
        # Plain text and subjects are not HTML: escaping them would show "&amp;" to readers.
        self._text = Environment(
            loader=loader,
            autoescape=False,  # noqa: S701
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._html = Environment(loader=loader, autoescape=True, undefined=StrictUndefined)

    def _render(self, env: Environment, name: str, context: Mapping[str, Any]) -> str:
        try:
            return env.get_template(name).render(context)
        except TemplateNotFound as exc:
            raise TemplateError(f"no template {name!r} in {self.where}") from exc
        except UndefinedError as exc:
            raise TemplateError(f"template {name!r} in {self.where}: {exc.message}") from exc

    def render(self, template: str, context: Mapping[str, Any]) -> Rendered:
        """The subject (collapsed to one line), text and HTML (None without an .html file)."""
        subject = self._render(self._text, f"{template}.subject.txt", context)
        subject = _BLANKS.sub(" ", subject).strip()
        if not subject:
            raise TemplateError(f"template {template!r} in {self.where} renders an empty subject")
        text = self._render(self._text, f"{template}.txt", context)
        try:
            self._html.get_template(f"{template}.html")
        except TemplateNotFound:
            return Rendered(subject, text, None)
        return Rendered(subject, text, self._render(self._html, f"{template}.html", context))
