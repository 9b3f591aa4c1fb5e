"""MkDocs hook: nbconvert compiles each of its templates once per build, not once per notebook.

mkdocs-jupyter makes new nbconvert exporters for every notebook page (one for the HTML, one for
the table of contents), and each exporter makes a new Jinja environment, which lexes, parses
and compiles the same templates again: about 0.1 s of CPU time per notebook, on the build's
busiest thread. From `on_config` on, each new nbconvert environment shares one in-memory
bytecode cache with the environments made before it: Jinja's own mechanism, which keys a
compiled template by its name and file and keeps it only while the template's source is
unchanged (an edited template is compiled again, also under ``mkdocs serve``). Environments
whose compile options differ never share a cache. The rendered HTML is the same as without it.
"""

from __future__ import annotations

from typing import Any

import jinja2
from mkdocs.exceptions import PluginError


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates in a dict; Jinja checks each entry against the template's source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_caches: dict[tuple[object, ...], MemoryBytecodeCache] = {}


def compile_options(env: jinja2.Environment) -> tuple[object, ...]:
    """What Jinja's compiled code depends on, besides the template's source."""
    return (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
        tuple(sorted(env.extensions)),
    )


def share_bytecode(env: jinja2.Environment) -> jinja2.Environment:
    """Give `env` the bytecode cache of the environments with its compile options."""
    if env.bytecode_cache is None:
        env.bytecode_cache = _caches.setdefault(compile_options(env), MemoryBytecodeCache())
    return env


def install() -> None:
    """Make every nbconvert template environment created from now on share bytecode."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = getattr(TemplateExporter, "_create_environment", None)
    if create is None:
        raise PluginError(
            "hooks/nbconvert_templates.py: nbconvert's TemplateExporter has no "
            "_create_environment any more; update the hook (or remove it: it only saves time)."
        )
    if getattr(create, "shares_bytecode", False):
        return  # `mkdocs serve`: installed by an earlier build

    def create_environment(self: Any) -> jinja2.Environment:
        return share_bytecode(create(self))

    create_environment.shares_bytecode = True  # type: ignore[attr-defined]
    TemplateExporter._create_environment = create_environment  # type: ignore[method-assign]


def on_config(config: Any) -> Any:
    install()
    return config
