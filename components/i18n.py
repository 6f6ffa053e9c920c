"""Page words in the reader's language: `t("Students")` wherever a page shows text.

Reflex fixes page text when it builds the frontend, and every state var travels with each
update; so the words are not state. `t` compiles to a call of `translate(language, message)` in
the browser, against catalogues shipped once as a static module (assets/i18n/catalogue.js,
written from the .po files when the app is built). The one var involved, `AppState.lang`, is two
letters and changes only when the reader switches language.
"""

import os
from pathlib import Path

import reflex as rx
from reflex.vars import FunctionStringVar, VarData
from reflex_base.utils.imports import ImportVar

from oneclass import i18n
from state.base import AppState

_CATALOGUE_MODULE = Path("assets") / "i18n" / "catalogue.js"


def write_browser_catalogue() -> None:
    """Write the browser's catalogue module when the .po files say something new (atomically:
    several workers import this at once)."""
    content = i18n.browser_catalogue()
    target = Path.cwd() / _CATALOGUE_MODULE
    if target.exists() and target.read_text(encoding="utf-8") == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(content, encoding="utf-8")
    scratch.replace(target)


write_browser_catalogue()
_TRANSLATE_MODULE = rx.asset("i18n/translate.js").importable_path


def _browser_function(name: str) -> FunctionStringVar:
    return FunctionStringVar.create(name, _var_data=VarData(imports={_TRANSLATE_MODULE: [ImportVar(tag=name)]}))


def t(message: str | rx.Var) -> rx.Var[str]:
    """`message` (English, as written) in the reader's language. A Var is looked up as it
    arrives (a navigation label); its words must be in the catalogues through `N_`."""
    return _browser_function("translate").call(AppState.lang, message).to(str)


def t_format(message: str, **values: rx.Var | str | int) -> rx.Var[str]:
    """`message` translated, then its `{name}` placeholders filled with `values`."""
    return _browser_function("translateFormat").call(AppState.lang, message, values).to(str)


class DocumentLanguage(rx.Component):
    """Renders nothing; keeps `<html lang>` and the tab's title in the reader's language."""

    library = _TRANSLATE_MODULE
    tag = "DocumentLanguage"

    language: rx.Var[str]
    title: rx.Var[str]


def document_language(title: str | rx.Var = "") -> rx.Component:
    return DocumentLanguage.create(language=AppState.lang, title=title)


def language_picker() -> rx.Component:
    """The language switch: each language named in itself, so anyone can find theirs."""
    return rx.select.root(
        rx.select.trigger(aria_label=t("Language"), variant="ghost"),
        rx.select.content(*[rx.select.item(name, value=code, lang=code) for code, name in i18n.LANGUAGES.items()]),
        value=AppState.lang,
        on_change=AppState.choose_language,
        size="2",
    )


def labelled_language_picker(picker_id: str) -> rx.Component:
    """The picker with its name written beside it (the sign-in card's): a reader who cannot read
    the page's language finds it. The visible word is the picker's accessible name too; the
    `picker_id` on the label tells it apart from the top bar's picker."""
    return rx.el.label(
        rx.icon("languages", size=16, aria_hidden="true"),
        rx.text(t("Language"), size="2", weight="medium"),
        language_picker(),
        id=picker_id,
        style={"display": "flex", "alignItems": "center", "gap": "var(--space-2)"},
    )
