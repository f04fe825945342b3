"""Reading and editing gettext `.po` files without disturbing them (design.md §4, §6, §8).

The work is done in four small modules; this one names what the rest of the application uses, so that
`from catalogue.translating.pofile import ...` keeps working wherever it is written:

- po_model: the Entry and PoCatalogue classes, the plural-rule helpers and the header fields;
- po_scanner: the strict, line-numbered scan of the text (msgfmt's tokens, the order of keywords);
- po_reader: bytes -> text -> scan -> Babel's parse -> PoCatalogue;
- po_writer: an edit of one entry that keeps every other byte, atomic writes, and the `.mo` compiler.
"""

from __future__ import annotations

from catalogue.translating.po_model import (
    Entry,
    EntryEdit,
    PoCatalogue,
    parse_headers,
    plural_expression,
    plural_function,
)
from catalogue.translating.po_reader import parse_text, read_catalogue, read_catalogue_file
from catalogue.translating.po_scanner import PoSyntaxError, escape
from catalogue.translating.po_writer import WIDTH, atomic_write, compile_mo, format_field, update_entry, with_entry

__all__ = [
    "WIDTH",
    "Entry",
    "EntryEdit",
    "PoCatalogue",
    "PoSyntaxError",
    "atomic_write",
    "compile_mo",
    "escape",
    "format_field",
    "parse_headers",
    "parse_text",
    "plural_expression",
    "plural_function",
    "read_catalogue",
    "read_catalogue_file",
    "update_entry",
    "with_entry",
]
