"""What three languages cost on the wire: websocket bytes per state update, before and after a
switch to Shona, against what the catalogue would weigh if it travelled as state.

Page words are translated in the browser from a static module (fetched once, then cached), so an
update carries the same bytes in every language and a switch carries one two-letter var. The
alternative (the reader's catalogue held in state) would put the whole catalogue in every
hydration and every switch. Prints figures; asserts nothing.

    .venv/bin/python bench/languages.py [--searches 20] [--port 3340]
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import CHROMIUM_ARGS, PASSWORD, drop_data, prepare, running_app
from oneclass import i18n


class FrameBytes:
    """Bytes of the websocket frames the server sent, counted from a mark."""

    def __init__(self, page: Page) -> None:
        self.received: list[int] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._on_frame))

    def _on_frame(self, frame: object) -> None:
        self.received.append(len(frame.encode("utf-8") if isinstance(frame, str) else frame))  # type: ignore[arg-type]

    def mark(self) -> int:
        return len(self.received)

    def since(self, mark: int) -> int:
        return sum(self.received[mark:])


def search_bytes(page: Page, frames: FrameBytes, searches: int) -> list[int]:
    box = page.locator("input[type=search], input[placeholder]").first
    sizes = []
    for number in range(searches):
        mark = frames.mark()
        term = f"Moyo{9 * (number % 10 + 1)}"
        box.fill(term)
        page.get_by_text(term).first.wait_for(timeout=30_000)
        page.wait_for_timeout(400)
        sizes.append(frames.since(mark))
    return sizes


def measure(base: str, searches: int) -> dict[str, object]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        frames = FrameBytes(page)
        page.goto(f"{base}/login")
        page.get_by_label("Email").fill("admin@bench1.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/admin**")

        mark = frames.mark()
        page.goto(f"{base}/students")
        page.wait_for_timeout(2500)
        hydrate_en = frames.since(mark)
        english = search_bytes(page, frames, searches)

        mark = frames.mark()
        page.goto(f"{base}/students?lang=sn")
        page.locator("html[lang=sn]").wait_for(state="attached")
        page.wait_for_timeout(2500)
        hydrate_sn = frames.since(mark)
        shona = search_bytes(page, frames, searches)
        browser.close()
    return {"hydrate_en": hydrate_en, "hydrate_sn": hydrate_sn, "search_en": english, "search_sn": shona}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=20)
    parser.add_argument("--port", type=int, default=3340)
    args = parser.parse_args()

    server_url, redis_url, url, _pairs = prepare(2, 200)
    try:
        with running_app(url, redis_url, args.port):
            figures = measure(f"http://bench1.localhost:{args.port}", args.searches)
    finally:
        drop_data(server_url, url)
    in_state = {language: len(json.dumps(i18n._translations(language), ensure_ascii=False).encode()) for language in i18n.TRANSLATED_LANGUAGES}
    static_module = len(i18n.browser_catalogue().encode())
    print(f"messages translated: sn {len(i18n._translations('sn'))}, nd {len(i18n._translations('nd'))}")
    print(f"static catalogue module (all languages, fetched once and cached): {static_module:,} bytes")
    print(f"Students page load, websocket bytes received: en {figures['hydrate_en']:,}  sn {figures['hydrate_sn']:,}")
    for language in ("en", "sn"):
        sizes = figures[f"search_{language}"]
        assert isinstance(sizes, list)
        print(f"one search update ({language}): median {statistics.median(sizes):,.0f} bytes, max {max(sizes):,} (n={len(sizes)})")
    print(f"if the reader's catalogue were state: + sn {in_state['sn']:,} / nd {in_state['nd']:,} bytes on every page load and switch")


if __name__ == "__main__":
    main()
