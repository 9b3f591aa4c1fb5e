"""Every step of the build, by the short name ``site_build/hooks.py`` calls it by."""

from site_build import BuildError
from site_build.finish import fonts, offline, typeset
from site_build.html import diagrams, lazy_blocks, notebook_html, theme_markup
from site_build.inputs import downloads, exercise_tables, notebooks
from site_build.markdown import math_check, values

__all__ = [
    "BuildError",
    "diagrams",
    "downloads",
    "exercise_tables",
    "fonts",
    "lazy_blocks",
    "math_check",
    "notebook_html",
    "notebooks",
    "offline",
    "theme_markup",
    "typeset",
    "values",
]
