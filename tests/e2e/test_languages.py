"""The interface in English, Shona and Ndebele, in a real browser: `?lang=` switches any page,
`<html lang>` follows, the choice is remembered by the browser and by the account, and no page
shows an English message that the reader's catalogue translates."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from models import Role
from oneclass import i18n
from tests.e2e.conftest import DEMO_PASSWORD, RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"

# Every visible text node, and the words a screen reader or a tooltip gives (labels, placeholders).
VISIBLE_WORDS = """() => {
  const words = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest("script, style, [hidden]")) continue;
    const text = node.textContent.trim();
    if (text) words.add(text);
  }
  for (const element of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
    for (const name of ["aria-label", "placeholder", "title"]) {
      const value = (element.getAttribute(name) || "").trim();
      if (value) words.add(value);
    }
  }
  words.add(document.title.replace(/ · OneClass$/, ""));
  return [...words];
}"""


def _english_left(page: Page, language: str) -> list[str]:
    """The page's words that are an English message the catalogue translates otherwise."""
    translations = i18n._translations(language)
    return sorted(
        word
        for word in page.evaluate(VISIBLE_WORDS)
        if word in translations and translations[word] != word
    )


def _open(page: Page, url: str, language: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1").first).to_be_visible()
    # Lists and counts arrive in the events after the page's own: let them land.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)


def _nav_paths(page: Page) -> list[str]:
    hrefs = page.locator("nav[aria-label] a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_lang_query_switches_and_the_browser_remembers(running_app: RunningApp, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(running_app.url(SCHOOL, "/login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_in_label = i18n._translations("sn")["Sign in"]
    page.goto(running_app.url(SCHOOL, "/login?lang=sn"))
    expect(page.locator("html")).to_have_attribute("lang", "sn")
    expect(page.get_by_role("button", name=sign_in_label)).to_be_visible()
    page.goto(running_app.url(SCHOOL, "/login"))  # no query: the browser's choice stands
    expect(page.locator("html")).to_have_attribute("lang", "sn")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "sn")
    page.goto(running_app.url(SCHOOL, "/login?lang=nd"))
    expect(page.locator("html")).to_have_attribute("lang", "nd")
    expect(page.get_by_role("button", name=i18n._translations("nd")["Sign in"])).to_be_visible()


def test_the_account_keeps_the_choice_for_a_new_browser(running_app: RunningApp, browser: Browser) -> None:
    account = running_app.make_account(SCHOOL, Role.teacher)
    first = browser.new_context()
    page = first.new_page()
    sign_in(page, running_app, SCHOOL, account.email)
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the dashboard's own events have landed: the bar stays put
    picker = page.locator("header").get_by_role("combobox")
    picker.click()
    page.get_by_role("option", name="isiNdebele").click()
    expect(page.locator("html")).to_have_attribute("lang", "nd")
    expect(page.get_by_role("button", name=i18n._translations("nd")["Sign out"])).to_be_visible()
    first.close()

    second = browser.new_context()  # nothing in this browser's storage
    page = second.new_page()
    page.goto(running_app.url(SCHOOL, "/login"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_in(page, running_app, SCHOOL, account.email)
    expect(page.locator("html")).to_have_attribute("lang", "nd")
    second.close()


def _every_page_in(running_app: RunningApp, context: BrowserContext, email: str, language: str) -> dict[str, list[str]]:
    """Choosing before signing in keeps the choice in this browser only: the demo account, whose
    lists are full, is not changed."""
    subdomain = "" if email.endswith("@oneclass.test") else email.split("@")[1].removesuffix(".test")
    page = context.new_page()
    page.goto(running_app.url(subdomain, f"/login?lang={language}"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    left = {"/login": _english_left(page, language)}
    page.get_by_label(i18n._translations(language)["Email"]).fill(email)
    page.get_by_label(i18n._translations(language)["Password"]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=i18n._translations(language)["Sign in"]).click()
    expect(page.locator("nav[aria-label] a").first).to_be_visible()
    for path in _nav_paths(page):
        _open(page, running_app.url(subdomain, path), language)
        left[path] = _english_left(page, language)
    page.close()
    return {path: words for path, words in left.items() if words}


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("person", ["root@oneclass.test", *(f"{role}@{SCHOOL}.test" for role in ("admin", "teacher", "parent", "student", "staff"))])
def test_no_page_shows_english_the_catalogue_translates(
    running_app: RunningApp, context: BrowserContext, person: str, language: str
) -> None:
    assert _every_page_in(running_app, context, person, language) == {}
