"""`make audit`: Lighthouse on the built site, served gzip-compressed from loopback.

Lighthouse (version pinned in LIGHTHOUSE, installed from the npm registry into the git-ignored
``.audit/`` folder on first use, with no lock file) drives the same Chromium as the browser
suite. It audits the home and derivation pages of ``site/`` (``make docs``):

* mobile (Lighthouse's default: an emulated mid-range phone on a throttled network), 3 runs,
  the run with the median performance score kept;
* desktop (``--preset=desktop``), 1 run.

For each page and form factor the four category scores, largest contentful paint, total
blocking time and the bytes transferred are written to ``benchmarks/results/audit.json``,
with the date and the machine. Static hosts serve HTML, CSS and JavaScript compressed, so
the server here does too (gzip, as `Accept-Encoding` asks); Python's ``http.server`` alone
would not, and the page weights would then be the uncompressed ones.

Not part of `make test`: it takes minutes, and its numbers depend on the machine's load.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "12.8.2"
TOOLS = ROOT / ".audit"
CLI = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path(os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium"))
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
PAGES = {"home": "", "derivation": "derivation/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
MOBILE_RUNS = 3
OUT = ROOT / "benchmarks" / "results" / "audit.json"
COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text files gzip-compressed when the client accepts it."""

    _cache: ClassVar[dict[Path, bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the base class redirects "dir" to "dir/"
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = self._cache.get(path)
        if body is None:
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self._cache[path] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)
        return None


@contextlib.contextmanager
def serve(site: Path, port: int) -> Iterator[str]:
    handler = functools.partial(GzipHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def install_lighthouse() -> None:
    """npm install lighthouse@LIGHTHOUSE into .audit/ unless that version is there."""
    meta = CLI.parent.parent / "package.json"
    if meta.is_file() and json.loads(meta.read_text("utf-8")).get("version") == LIGHTHOUSE:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("audit: npm is not installed (Debian: apt-get install npm)")
    TOOLS.mkdir(exist_ok=True)
    print(f"audit: installing lighthouse {LIGHTHOUSE} into {TOOLS.relative_to(ROOT)}/")
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(TOOLS),
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            f"lighthouse@{LIGHTHOUSE}",
        ],
        check=True,
    )


def lighthouse(url: str, desktop: bool, attempts: int = 3) -> dict[str, Any]:
    """One Lighthouse run; its JSON report (the "lhr"). On a busy machine Lighthouse's
    DevTools calls can time out: such a run is repeated, up to `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            return lighthouse_once(url, desktop)
        except RuntimeError as exc:
            print(f"audit: attempt {attempt} failed: {str(exc)[:300]}")
    sys.exit(f"audit: lighthouse failed {attempts} times on {url}")


def lighthouse_once(url: str, desktop: bool) -> dict[str, Any]:
    """One Lighthouse run; its JSON report (the "lhr")."""
    node = shutil.which("node")
    if node is None:
        sys.exit("audit: Node.js is not installed")
    args = [
        node,
        str(CLI),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if desktop:
        args.append("--preset=desktop")
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"CHROME_PATH": str(CHROMIUM)},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-3000:]}")
    lhr: dict[str, Any] = json.loads(proc.stdout)
    return lhr


def figures(lhr: dict[str, Any]) -> dict[str, Any]:
    """What we keep of one run: category scores (0-100), LCP and TBT (ms), bytes."""
    audits = lhr["audits"]
    failed_a11y = [
        ref["id"]
        for ref in lhr["categories"]["accessibility"]["auditRefs"]
        if ref.get("weight", 0) > 0 and audits[ref["id"]].get("score") not in (None, 1)
    ]
    return {
        "scores": {c: round(100 * (lhr["categories"][c]["score"] or 0)) for c in CATEGORIES},
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "bytes": round(audits["total-byte-weight"]["numericValue"]),
        "accessibility_audits_failed": failed_a11y,
        "lighthouse_warnings": lhr.get("runWarnings", []),
        # Lighthouse's measure of this machine's CPU (higher is faster). Mobile runs simulate a
        # CPU 4x slower than the machine's own, so a slower machine scores lower on the same
        # page: compare runs only at similar indices.
        "benchmark_index": round(lhr.get("environment", {}).get("benchmarkIndex", 0)),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score (ties: the lower LCP)."""
    ordered = sorted(runs, key=lambda r: (r["scores"]["performance"], -r["lcp_ms"]))
    return ordered[len(ordered) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--runs", type=int, default=MOBILE_RUNS)
    args = parser.parse_args()
    if not (args.site / "sitemap.xml").is_file():
        sys.exit(f"audit: {args.site} holds no built site: run `make docs` first")
    if not CHROMIUM.exists():
        sys.exit(f"audit: {CHROMIUM} not found (Debian: apt-get install chromium)")
    install_lighthouse()
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "lighthouse": LIGHTHOUSE,
        "chromium": subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "cpu": platform.processor() or platform.machine(),
        "logical_cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "served": "site/ from loopback, gzip-compressed (benchmarks/audit.py)",
        "about": f"mobile: median of {args.runs} runs by performance score; desktop: 1 run",
        "pages": {},
    }
    with serve(args.site, args.port) as origin:
        for name, path in PAGES.items():
            url = origin + path
            mobile = []
            for i in range(args.runs):
                mobile.append(figures(lighthouse(url, desktop=False)))
                print(f"audit: {name} mobile run {i + 1}: {mobile[-1]['scores']}")
            desktop = figures(lighthouse(url, desktop=True))
            print(f"audit: {name} desktop: {desktop['scores']}")
            result["pages"][name] = {
                "path": "/" + path,
                "mobile": median_run(mobile),
                "mobile_performance_runs": [r["scores"]["performance"] for r in mobile],
                "desktop": desktop,
            }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    perf = statistics.median(result["pages"]["derivation"]["mobile_performance_runs"])
    print(f"audit: derivation, mobile performance median {perf}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(
        f"audit: wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
