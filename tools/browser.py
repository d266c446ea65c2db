"""Chromium and a local web server, shared by the browser tests and the benchmarks.

Chromium is Debian's (/usr/bin/chromium), never a downloaded build, launched with flags that keep it off the
network; pages are served on 127.0.0.1 only.
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # playwright adds a fresh temporary --user-data-dir itself (and refuses one in args)
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}  # never leave the machine


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    """Serve folder on 127.0.0.1 on a free port in a daemon thread; return (base_url, server)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def is_external(url):
    """True for a request that would leave this machine (any host but 127.0.0.1)."""
    parts = urlsplit(url)
    return parts.scheme not in LOCAL_SCHEMES and parts.hostname != "127.0.0.1"


def launch_chromium(playwright, **options):
    """Chromium from /usr/bin, headless, with the project's flags; `options` go to playwright's launch."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, chromium_sandbox=False, args=CHROMIUM_ARGS, **options
    )
