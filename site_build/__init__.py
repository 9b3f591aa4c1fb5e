"""The site's build: one pipeline of plain steps, called in order by ``site_build/hooks.py``.

The folders follow the data:

* ``inputs/``: the files the site gets before any page is read (executed notebooks, the
  wheel and the other downloads, the find-the-bug tables);
* ``markdown/``: each page's Markdown (numbers computed from the package, and the check of
  every display equation, with the TeX checker in ``mathcheck/``);
* ``html/``: each page's HTML (notebook pages cleaned, diagrams inlined, theme markup fixed,
  blocks far down marked lazy);
* ``finish/``: the whole site (math typeset with MathJax in Node, fonts cut to the characters
  used, the offline check of the pages as written).

Each step is plain in and plain out (Markdown, HTML, files) and raises `BuildError` with a
message for the author; only ``hooks.py`` knows MkDocs.
"""


class BuildError(Exception):
    """A step cannot do its work; the message says what to fix."""
