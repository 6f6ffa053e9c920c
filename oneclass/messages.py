"""Keeping the catalogues in step with the code: `oneclass messages` (update, check, review).

The code's words are found the way gettext finds them: string literals passed to `t`,
`t_format`, `_`, `gettext`, `format_message` and `N_`, at any depth of nesting (Babel's own
Python extractor misses a call inside another keyword call's arguments, so we walk the syntax
tree ourselves). Each language's catalogue must hold every
one of them with a translation; an entry the code no longer uses is dropped on update.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from oneclass import i18n
from oneclass.settings import PROJECT_ROOT

# Only the first argument is the message (t_format's and format_message's others are values).
KEYWORDS: dict[str, tuple[int, ...]] = {
    **{name: (1,) for name in ("t", "t_format", "_", "gettext", "format_message", "N_")},
    # A page's title is a message: the shell shows it in the reader's language.
    "app_shell": (1,),
    "signed_in_page": (2,),
}
SOURCE_DIRS = ("oneclass", "components", "pages", "state", "models")


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def file_messages(source: str) -> list[tuple[str, int]]:
    """(message, line) for every string literal given as a keyword call's message argument; a
    computed argument (`t(row["label"])`) is not a message, its words are marked where written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for position in KEYWORDS.get(_called_name(node), ()):
            if len(node.args) >= position:
                argument = node.args[position - 1]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value.strip():
                    found.append((argument.value, argument.lineno))
    return found


def code_messages() -> dict[str, list[tuple[str, int]]]:
    """Every message the code uses → where it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for directory in SOURCE_DIRS:
        for path in sorted((PROJECT_ROOT / directory).rglob("*.py")):
            where = str(path.relative_to(PROJECT_ROOT))
            for message, line in file_messages(path.read_text(encoding="utf-8")):
                found.setdefault(message, []).append((where, line))
    return found


@dataclass
class CatalogueReport:
    language: str
    missing: list[str] = field(default_factory=list)  # used by the code, not in the catalogue
    untranslated: list[str] = field(default_factory=list)  # in the catalogue, no translation
    unused: list[str] = field(default_factory=list)  # in the catalogue, no longer in the code
    review: list[str] = field(default_factory=list)  # translated; a native speaker should check

    @property
    def complete(self) -> bool:
        return not (self.missing or self.untranslated)


def check(language: str, used: dict[str, list[tuple[str, int]]] | None = None) -> CatalogueReport:
    used = code_messages() if used is None else used
    catalogue = i18n.load_catalogue(language)
    entries = {str(message.id): message for message in catalogue if message.id}
    report = CatalogueReport(language)
    report.missing = sorted(set(used) - set(entries))
    report.unused = sorted(set(entries) - set(used))
    for message_id, message in sorted(entries.items()):
        if message_id in used and not message.string:
            report.untranslated.append(message_id)
        elif i18n.REVIEW_FLAG in message.flags:
            report.review.append(message_id)
    return report


def update(language: str) -> CatalogueReport:
    """Add the code's new messages (untranslated), drop the unused, keep every translation and
    flag; the file is sorted so that two people's additions merge cleanly."""
    used = code_messages()
    old = i18n.load_catalogue(language)
    # The header's dates stay put and no line numbers are written: an update changes only the
    # entries, so that branches that each add words merge cleanly.
    catalogue = Catalog(
        locale=language,
        project="OneClass",
        version="1",
        header_comment=f"# OneClass in {i18n.LANGUAGES[language]}. Update with `oneclass messages`; "
        f"entries flagged `{i18n.REVIEW_FLAG}` await a native speaker.",
        creation_date=old.creation_date,
        revision_date=old.creation_date,
        fuzzy=False,
    )
    for message_id in used:
        previous = old.get(message_id)
        catalogue.add(
            message_id,
            previous.string if previous else "",
            flags=previous.flags - {"fuzzy"} if previous else (),
            auto_comments=previous.auto_comments if previous else (),
        )
    path = i18n.catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalogue, width=0, sort_output=True, no_location=True, include_previous=False)
    i18n.load_catalogue.cache_clear()
    return check(language, used)


def describe(report: CatalogueReport) -> str:
    lines = [
        f"{report.language}: {len(report.missing)} missing, {len(report.untranslated)} untranslated, "
        f"{len(report.review)} to review, {len(report.unused)} unused"
    ]
    lines += [f"  missing: {message!r}" for message in report.missing]
    lines += [f"  untranslated: {message!r}" for message in report.untranslated]
    return "\n".join(lines)


def review_list(language: str) -> str:
    """The translations a native speaker should check, with their English."""
    catalogue = i18n.load_catalogue(language)
    rows = [f"{message.id}\t{message.string}" for message in catalogue if message.id and i18n.REVIEW_FLAG in message.flags]
    return "\n".join(rows)


def catalogue_files() -> list[Path]:
    return [i18n.catalogue_path(language) for language in i18n.TRANSLATED_LANGUAGES]
