"""What a built page would load from a third-party host (used by hooks/offline_check.py).

The site must work with the network closed: every script, stylesheet, image, font, frame or
module it loads comes from the site itself (MathJax and Mermaid are vendored, see
scripts/vendor.py). `third_party_urls` lists every URL of a page that would be loaded from
another host:

* a ``src``, ``href`` (other than on ``<a>``, which is a link the reader may follow, not a
  load), ``srcset``, ``data``, ``poster`` or ``action`` attribute, or
* a URL inside a ``<script>`` or ``<style>`` element, or an inline ``style`` attribute

that names an absolute ``http(s)://`` or protocol-relative ``//`` URL whose host is neither a
loopback address nor the host of ``site_url``. Standard library only: the build runs it in a
worker process of its own.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_URL_IN_TEXT = re.compile(r"""(?:https?:)?//[A-Za-z0-9.\-\[\]:]+[^\s"'`)<>]*""")
_RESOURCE_ATTRS = {"src", "href", "srcset", "data", "poster", "action", "xlink:href"}
# XML namespaces are identifiers, never fetched.
_NAMESPACES = ("http://www.w3.org/",)


def _host(url: str) -> str | None:
    url = url.strip()
    if url.startswith("//"):
        url = "http:" + url
    if not re.match(r"https?://", url, re.IGNORECASE):
        return None  # relative, data:, #anchor, mailto: ...
    return (urlsplit(url).hostname or "").lower()


class _Finder(HTMLParser):
    def __init__(self, allowed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.found: list[str] = []
        self._in_code: str | None = None  # inside <script> or <style>

    def _check(self, url: str, what: str) -> None:
        if url.startswith(_NAMESPACES):
            return
        host = _host(url)
        if host is not None and host not in self.allowed:
            self.found.append(f"{what}: {url}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in_code = tag
        for key, value in attrs:
            if not value:
                continue
            if key == "srcset":
                for part in value.split(","):
                    self._check(part.strip().split(" ")[0], f"<{tag} srcset>")
            elif key in _RESOURCE_ATTRS and tag != "a":
                self._check(value, f"<{tag} {key}>")
            elif key == "style":
                for url in _URL_IN_TEXT.findall(value):
                    self._check(url, f"<{tag} style>")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in_code:
            self._in_code = None

    def handle_data(self, data: str) -> None:
        if self._in_code:
            for url in _URL_IN_TEXT.findall(data):
                if url.startswith("//") and not re.match(r"//[A-Za-z0-9-]+\.[A-Za-z]", url):
                    continue  # a JavaScript comment, not a protocol-relative URL
                self._check(url, f"<{self._in_code}> content")


def third_party_urls(html: str, site_url: str | None = None) -> list[str]:
    """Every third-party URL that this HTML would load (empty when the page is self-contained)."""
    allowed = set(LOOPBACK)
    if site_url:
        host = urlsplit(site_url).hostname
        if host:
            allowed.add(host.lower())
    finder = _Finder(allowed)
    finder.feed(html)
    finder.close()
    return finder.found


def main() -> int:
    """The build's worker: reads one JSON object per line, ``{"page": ..., "html": ...,
    "site_url": ...}``, until the end of stdin; then writes one JSON object, each page that
    would load from a third-party host mapped to its URLs."""
    import json
    import sys

    found: dict[str, list[str]] = {}
    for line in sys.stdin.buffer:
        message = json.loads(line)
        urls = third_party_urls(message["html"], message["site_url"])
        if urls:
            found[message["page"]] = urls
    sys.stdout.write(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
