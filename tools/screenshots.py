"""Screenshots of the main pages for each demo role (desktop 1440 px and phone 375 px).

Usage: .venv/bin/python tools/screenshots.py [BASE_URL] [OUT_DIR]
Needs a running demo (make demo) and Debian's chromium.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screenshots")
PASSWORD = "Pingan@2026"
PAGES = {
    "street_dispatcher": ["/", "/orgs/divisions/", "/orgs/units/", "/orgs/staff/"],
    "grid_worker": ["/"],
    "admin": ["/", "/orgs/divisions/110101/", "/api/docs/", "/admin/"],
}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        for username, paths in PAGES.items():
            for width, suffix in ((1440, "desktop"), (375, "phone")):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{BASE}/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                for path in paths:
                    page.goto(BASE + path)
                    page.wait_for_timeout(800)
                    name = f"{username}{path.replace('/', '_')}-{suffix}.png"
                    page.screenshot(path=str(OUT / name), full_page=True)
                page.close()
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{BASE}/accounts/login/")
        page.screenshot(path=str(OUT / "login-desktop.png"))
        browser.close()


if __name__ == "__main__":
    main()
