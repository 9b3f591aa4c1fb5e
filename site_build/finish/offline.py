"""Build step: fail the build if a finished page would load anything from a third-party host.

The site works with the network closed. `third_party_urls` lists each absolute ``http(s)://``
or ``//`` URL, on a host other than loopback or ``site_url``'s, that a page would load: in a
``src``, ``href`` (not on ``<a>``: a link is followed, not loaded), ``srcset``, ``data``,
``poster`` or ``action`` attribute, an inline ``style``, or a ``<script>`` or ``<style>``.
`check_site` scans every page of the finished site and names each page and URL.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from site_build import BuildError

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


# A start tag (a quoted attribute value may hold ">"), its name and its attributes.
_START_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _code_urls(text: str) -> list[str]:
    """The URLs in a script or stylesheet, without JavaScript comments that look like one."""
    return [
        url
        for url in _URL_IN_TEXT.findall(text)
        if not url.startswith("//") or re.match(r"//[A-Za-z0-9-]+\.[A-Za-z]", url)
    ]


def _urls(html: str) -> list[tuple[str, str]]:
    """(where, url) for every URL the page would load, allowed or not."""
    html = _COMMENT.sub("", html)
    out: list[tuple[str, str]] = []
    pos = 0
    while (m := _START_TAG.search(html, pos)) is not None:
        pos = m.end()
        tag, attrs = m.group(1).lower(), m.group(2)
        if tag in ("script", "style"):  # raw text up to the end tag
            close = re.compile(rf"</{tag}\s*>", re.I).search(html, pos)
            end = close.start() if close is not None else len(html)
            out += [(f"<{tag}> content", url) for url in _code_urls(html[pos:end])]
            pos = end
        if "//" not in attrs:  # most tags: no URL with a host
            continue
        for a in _ATTR.finditer(attrs):
            key = a.group(1).lower()
            value = unescape(next((v for v in a.group(2, 3, 4) if v is not None), ""))
            if key == "srcset":
                out += [(f"<{tag} srcset>", p.strip().split(" ")[0]) for p in value.split(",")]
            elif key in _RESOURCE_ATTRS and tag != "a":
                out.append((f"<{tag} {key}>", value))
            elif key == "style":
                out += [(f"<{tag} style>", url) for url in _URL_IN_TEXT.findall(value)]
    return out


def third_party_urls(html: str, site_url: str | None = None) -> list[str]:
    """Every third-party URL that this HTML would load (empty when the page is self-contained)."""
    allowed = set(LOOPBACK)
    if site_url:
        host = urlsplit(site_url).hostname
        if host:
            allowed.add(host.lower())
    found = []
    for where, url in _urls(html):
        host = None if url.startswith(_NAMESPACES) else _host(url)
        if host is not None and host not in allowed:
            found.append(f"{where}: {url}")
    return found


def check_site(site_dir: Path, site_url: str | None) -> None:
    """Raise `BuildError` if any page under `site_dir` would load from a third-party host."""
    problems = []
    for page in sorted(site_dir.rglob("*.html")):
        urls = third_party_urls(page.read_text("utf-8"), site_url)
        if urls:
            where = page.relative_to(site_dir).as_posix()
            problems.append(
                f"page {where} would load:\n    " + "\n    ".join(sorted(set(urls))[:20])
            )
    if problems:
        raise BuildError(
            "the site must work offline, but some pages would load from a third-party host:\n  "
            + "\n  ".join(problems)
        )
