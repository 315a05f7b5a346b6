"""Browser check of the Dagster UI: start the webserver, open it in headless Chromium, look.

`make browser-check` runs it after `make demo`: it confirms that the asset graph renders with the
pipeline's assets and that the last run's page shows its materialisation metadata, and keeps
screenshots in `docs/`. It uses Debian's Chromium (/usr/bin/chromium) through playwright-core's
Python driver: no browser download.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from orchestration.instance import prepare_dagster_home
from orchestration.settings import REPO_ROOT, PlatformPaths

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCATION = "kz_family_wellbeing"
#: Asset group -> an asset its graph must show.
ASSETS_TO_SEE = {
    "scoring": "family_scores",
    "analytics": "targeting_audit",
    "publication": "published_eligibility_lists",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"the Dagster webserver did not answer at {url} within {timeout_s:.0f} s")


def start_webserver(port: int) -> subprocess.Popen:
    """The Dagster webserver on the workspace, against the local instance."""
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.Popen(
        [
            str(bin_dir / "dagster-webserver"),
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def check_ui(base_url: str, screenshots: Path) -> dict[str, bool]:
    """Open the asset graph and the newest run; return what was seen."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, bool] = {}
    screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{base_url}/asset-groups", wait_until="networkidle", timeout=120_000)
        _dismiss_welcome(page)
        page.screenshot(path=str(screenshots / "ui-asset-graph.png"))
        for group, asset in ASSETS_TO_SEE.items():
            page.goto(f"{base_url}/locations/{LOCATION}/asset-groups/{group}", wait_until="networkidle")
            _dismiss_welcome(page)
            try:
                page.get_by_text(asset, exact=True).first.wait_for(timeout=60_000)
                seen[f"graph of group {group} shows {asset}"] = True
            except Exception:  # noqa: BLE001 - reported as not seen
                seen[f"graph of group {group} shows {asset}"] = False
            if group == "scoring":
                page.screenshot(path=str(screenshots / "ui-scoring-group.png"))

        page.goto(f"{base_url}/assets/family_features", wait_until="networkidle", timeout=120_000)
        try:
            page.get_by_text("family_features", exact=True).first.wait_for(timeout=60_000)
            seen["asset page of family_features renders"] = True
        except Exception:  # noqa: BLE001
            seen["asset page of family_features renders"] = False

        page.goto(f"{base_url}/runs", wait_until="networkidle", timeout=120_000)
        run_links = page.locator("a[href*='/runs/']")
        run_links.first.wait_for(timeout=60_000)
        run_links.first.click()
        page.wait_for_load_state("networkidle")
        try:
            page.get_by_text("Materialized", exact=False).first.wait_for(timeout=60_000)
            seen["last run shows a materialization"] = True
        except Exception:  # noqa: BLE001
            seen["last run shows a materialization"] = False
        page.screenshot(path=str(screenshots / "ui-last-run.png"))
        browser.close()
    return seen


def _dismiss_welcome(page) -> None:
    """Close the first-visit community dialog if it shows."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=3_000)
        skip.click()
    except Exception:  # noqa: BLE001 - no dialog this time
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args(argv)
    paths = PlatformPaths.from_env()
    paths.export()
    prepare_dagster_home(paths)
    port = free_port()
    server = start_webserver(port)
    try:
        wait_for(f"http://127.0.0.1:{port}/server_info")
        seen = check_ui(f"http://127.0.0.1:{port}", args.screenshots)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for what, ok in seen.items():
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
    return 0 if all(seen.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
