"""Browser harness: serve a built folder on localhost and drive Debian's Chromium, offline.

Fixtures:
    serve(directory) -> "http://127.0.0.1:PORT/"   a static server for the test session
    chromium -> Browser                            one headless Chromium for the session

Chromium never reaches the network: every host but 127.0.0.1 resolves to nothing, and
background services are off. `make browser` installs chromium and chromium-driver.
"""

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Schemes that never touch the network (inline images, fonts, blobs).
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "devtools"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    # Nothing but loopback resolves, so a remote URL fails instead of hanging.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    # A dead proxy for anything that resolves anyway (loopback bypasses proxies by default).
    "--proxy-server=http://127.0.0.1:9",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def serve():
    """Factory: serve(directory) starts a static HTTP server on 127.0.0.1 and returns its URL."""
    servers = []

    def start(directory):
        directory = Path(directory)
        if not directory.is_dir():
            raise FileNotFoundError(f"nothing to serve: {directory} is not a folder (build it first)")
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class Browser:
    """A headless Chromium page that records console messages and network requests.

    open(url) navigates and starts a fresh record; the record fills as the page runs,
    so read console_errors() / requests() after waiting for what the test needs.
    """

    def __init__(self, driver):
        self.driver = driver
        self._console = []
        self._requests = {}  # request id -> url
        self._failures = []  # (url, error text)

    def open(self, url, timeout=30):
        # Leave the previous page first: what it logs while closing (a lab reconnecting to its
        # stopped server) is not this page's.
        self.driver.get("about:blank")
        self._drain()
        self._console, self._requests, self._failures = [], {}, []
        self.driver.get(url)
        self.wait_for("document.readyState === 'complete'", timeout)
        return self.driver

    def wait_for(self, js_condition, timeout=30):
        """Wait until the JavaScript expression is truthy; return its value."""
        script = f"return ({js_condition});"
        return WebDriverWait(self.driver, timeout).until(
            lambda driver: driver.execute_script(script),
            message=f"timed out after {timeout} s waiting for: {js_condition}",
        )

    def run(self, js, *args):
        """Run JavaScript in the page (`return ...` to get a value back)."""
        return self.driver.execute_script(js, *args)

    def console_errors(self):
        """Console messages of level SEVERE (errors and failed loads) since open()."""
        self._drain()
        return [entry["message"] for entry in self._console if entry["level"] == "SEVERE"]

    def requests(self):
        """Every URL the page requested since open()."""
        self._drain()
        return list(self._requests.values())

    def failed_requests(self):
        """(url, error) for every request that failed at the network level since open()."""
        self._drain()
        return list(self._failures)

    def non_local_requests(self):
        """Requested URLs whose host is not loopback (should be none: the book is offline)."""
        return [url for url in self.requests() if not _is_local(url)]

    def screenshot(self, path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.driver.save_screenshot(str(path)):
            raise RuntimeError(f"Chromium could not write a screenshot to {path}")
        return path

    def _drain(self):
        self._console += self.driver.get_log("browser")
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent":
                self._requests[params["requestId"]] = params["request"]["url"]
            elif (message["method"] == "Network.loadingFailed" and not params.get("canceled")
                  and params["requestId"] in self._requests):  # not the browser's start-up page
                self._failures.append((self._requests[params["requestId"]], params.get("errorText", "")))


def _is_local(url):
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """One headless Chromium for the test session, with no network but loopback."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make browser` (installs Debian's "
                    "chromium and chromium-driver)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
