"""Three languages: complete catalogues, the request's language on the server, the reader's
choice kept per browser and per account, and the school's default."""

import asyncio
import dataclasses
from pathlib import Path

import pytest
from sqlmodel import select

from components.i18n import write_browser_catalogue
from models import School, User
from oneclass import db, i18n, messages
from oneclass.offload import offload
from oneclass.services import auth
from oneclass.services.auth import AuthError
from oneclass.services.errors import ValidationFailed
from oneclass.settings import PROJECT_ROOT
from oneclass.tenancy import find_school_route, forget_school_route
from state.auth import AuthState
from state.base import AppState
from tests.conftest import TEST_PASSWORD, SchoolFixture, fresh_ip
from tests.test_account_states import signed_in_tab, substate, tab_on


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_every_message_the_code_uses_is_translated(language: str) -> None:
    report = messages.check(language)
    assert report.complete, messages.describe(report)


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_catalogues_hold_nothing_the_code_no_longer_says(language: str) -> None:
    assert not messages.check(language).unused, "run `oneclass messages` to drop them"


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    """`{name}` in the English must be in the translation, or format() fails at run time."""
    for message in i18n.load_catalogue(language):
        if message.id and message.string:
            english = set(_placeholders(str(message.id)))
            assert english == set(_placeholders(str(message.string))), f"{language}: {message.id!r} → {message.string!r}"


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_a_translation_flagged_for_review_is_used_and_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = tmp_path / "sn" / "LC_MESSAGES" / "messages.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, review\nmsgid "Timetable"\nmsgstr "Nguva yezvidzidzo"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.load_catalogue.cache_clear()
    i18n._translations.cache_clear()
    try:
        with i18n.language("sn"):
            assert i18n.gettext("Timetable") == "Nguva yezvidzidzo"
        assert messages.review_list("sn") == "Timetable\tNguva yezvidzidzo"
    finally:
        i18n.load_catalogue.cache_clear()
        i18n._translations.cache_clear()


def test_languages_are_read_from_what_people_send() -> None:
    assert i18n.normalise_language("sn-ZW") == "sn"
    assert i18n.normalise_language("ND") == "nd"
    assert i18n.normalise_language("fr") == ""
    assert i18n.language_from_header("fr-FR,nd;q=0.8,en;q=0.5") == "nd"
    assert i18n.language_from_header(None) == "en"


def test_the_request_language_reaches_the_service_threads() -> None:
    shona = dict(_translated_pairs("sn"))
    message = next(iter(shona))

    async def translate_off_the_loop() -> str:
        i18n.use_language("sn")
        return await offload(i18n.gettext, message)

    assert asyncio.run(translate_off_the_loop()) == shona[message] != message
    assert i18n.gettext(message) == message  # this thread's context was never switched


def _translated_pairs(language: str) -> list[tuple[str, str]]:
    return [(str(m.id), str(m.string)) for m in i18n.load_catalogue(language) if m.id and m.string and "{" not in str(m.id)]


def test_the_browser_catalogue_is_written_from_the_po_files() -> None:
    write_browser_catalogue()
    module = (PROJECT_ROOT / "assets" / "i18n" / "catalogue.js").read_text(encoding="utf-8")
    _message, shona = _translated_pairs("sn")[0]
    assert module.startswith("// Generated") and f'"{shona}"' in module
    assert i18n.browser_catalogue() == module


def test_dates_and_money_follow_the_reader() -> None:
    from datetime import date
    from decimal import Decimal

    day = date(2026, 12, 1)
    with i18n.language("en"):
        english = (i18n.format_date(day), i18n.format_money(Decimal("1234.50"), "USD"))
    with i18n.language("sn"):
        shona = i18n.format_date(day)
    assert english == ("Dec 1, 2026", "$1,234.50")
    assert shona != english[0] and "2026" in shona


def _language_of(school: SchoolFixture, role: str) -> str | None:
    with db.tenant_session(school.id) as session:
        return session.exec(select(User.language).where(User.email == f"{role}@{school.subdomain}.test")).one()


def test_a_signed_in_choice_is_kept_on_the_account_and_follows_to_the_next_sign_in(
    two_schools: tuple[SchoolFixture, SchoolFixture],
) -> None:
    school, _ = two_schools
    root, _ = signed_in_tab(school, "teacher", "/")
    tab = substate(root, AuthState)
    # As the browser sends it: the handler runs on AppState, the state that defines it.
    asyncio.run(AppState.choose_language.fn(substate(root, AppState), "nd"))
    assert (tab.chosen_language, tab.lang, _language_of(school, "teacher")) == ("nd", "nd", "nd")

    route = find_school_route(subdomain=school.subdomain)
    again = auth.sign_in(school=route, email=f"teacher@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip())
    assert again.user.language == "nd"


def test_an_anonymous_choice_stays_in_the_browser(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    root = tab_on(school, "/")
    tab = substate(root, AuthState)
    asyncio.run(AppState.choose_language.fn(substate(root, AppState), "sn"))
    asyncio.run(AppState.choose_language.fn(substate(root, AppState), "klingon"))  # not ours: nothing changes
    assert tab.lang == "sn"
    assert {_language_of(school, role) for role in ("teacher", "school_admin", "parent")} == {None}


def test_nobody_sets_another_school_s_person_s_language(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school_a, school_b = two_schools
    route_b = find_school_route(subdomain=school_b.subdomain)
    intruder = auth.sign_in(school=route_b, email=f"school_admin@{school_b.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()).user
    with db.tenant_session(school_a.id) as session:
        victim_id = session.exec(select(User.id).where(User.email == f"teacher@{school_a.subdomain}.test")).one()
    # A forged actor: school B's session naming school A's teacher. RLS shows B no such row.
    with pytest.raises(AuthError):
        auth.set_language(actor=dataclasses.replace(intruder, id=victim_id), language="sn")
    assert _language_of(school_a, "teacher") is None


def test_an_unknown_language_is_refused_in_the_reader_s_words(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    route = find_school_route(subdomain=school.subdomain)
    teacher = auth.sign_in(school=route, email=f"teacher@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()).user
    with pytest.raises(ValidationFailed) as english:
        auth.set_language(actor=teacher, language="fr")
    with i18n.language("sn"), pytest.raises(ValidationFailed) as shona:
        auth.set_language(actor=teacher, language="fr")
    assert english.value.errors["language"].startswith("Choose one of")
    assert shona.value.errors["language"] != english.value.errors["language"]


def test_the_page_follows_the_school_s_language_until_the_reader_chooses(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    with db.owner_session() as session:
        row = session.exec(select(School).where(School.id == school.id)).one()
        row.language = "nd"
        session.add(row)
        session.commit()
        forget_school_route(row)
    tab = substate(tab_on(school, "/"), AuthState)
    asyncio.run(AppState.resolve_school.fn(tab))
    assert tab.lang == "nd"
    asyncio.run(AppState.choose_language.fn(tab, "en"))
    assert tab.lang == "en"


def test_lang_in_the_address_switches_the_language(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    tab = substate(tab_on(school, "/students?lang=sn"), AuthState)
    asyncio.run(AppState.apply_language_query.fn(tab))
    assert tab.lang == "sn"
