"""One company's entry cut out of a big companies file, so that a task reads only its own.

A task parses the DAG file for its own DAG, and with 10,000 companies in the file reading all of
them took 2 s of every task instance. Instead, a scan of the lines finds where each entry of the
`companies:` list begins (a `- ` at the list's indentation) and its `id:`; the file is then read
with everything but that one entry left out: the same top-level keys (`product`, `defaults`,
...), the same entry text at the same indentation, read by the same safe YAML loader and
validated by the same code as the whole file. So the company comes out exactly as the whole
file's parse makes it.

The scan is a handful of regular expressions over the whole text, each starting with the line
break before a line (a loop over 50,000 lines in Python, or patterns anchored with `^`, took
0.1-0.3 s, most of a task's parse budget; these take about 30 ms for 10,000 companies).

It only cuts when it is sure. It gives up (None: the caller reads the whole file) when the
file is not laid out as a block list under a top-level `companies:`, when any entry's id is not
a plain or quoted company id it can read, when the id is in more than one entry (the whole
file's parse reports the duplicate), or when a quoted value or a `[...]`/`{...}` value runs over
several lines (a line of such a value could look like a new entry). The caller also checks the
cut-out text (it reads, and holds exactly that one company) and reads the whole file otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# Every pattern starts at the "\n" before a line: the text is scanned as "\n" + text.
_COMPANIES_KEY = re.compile(r"\ncompanies:[ \t]*(?:#[^\n]*)?(?=\n|$)")
_FIRST_ITEM = re.compile(r"(?:\n[ \t]*(?:#[^\n]*)?(?=\n))*\n( *)-( +)(?=[^\s])")
_ID = r"""id:[ \t]+(?:([a-z0-9_]+)|"([a-z0-9_]+)"|'([a-z0-9_]+)')[ \t]*(?:#[^\n]*)?(?=\n|$)"""
# Quoted scalars closed on their line, and flow collections without a flow collection inside.
_CLOSED_QUOTED = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*(?:''[^'\n]*)*'""")
_INNERMOST_FLOW = re.compile(r"\{[^{}\[\]\n]*\}|\[[^{}\[\]\n]*\]")
# What a quote or bracket follows (past spaces) where it starts a value.
_VALUE_STARTS_AFTER = "\n:,-[{?"


def _runs_over_lines(region: str) -> bool:
    """Whether a quoted value or a flow collection may run over several lines: one that is
    still open once every one closed on its own line is taken out. (An apostrophe inside a
    plain value, `O'Brien`, is not where a value starts and is left alone.)"""
    rest = _CLOSED_QUOTED.sub("", region)
    while True:
        simpler = _INNERMOST_FLOW.sub("", rest)
        if simpler == rest:
            break
        rest = simpler
    for opener in "\"'[{":  # str.find, not a pattern: the text is long, openers left are few
        at = rest.find(opener)
        while at >= 0:
            before = at - 1
            while before >= 0 and rest[before] in " \t":
                before -= 1
            if before < 0 or rest[before] in _VALUE_STARTS_AFTER:
                return True
            at = rest.find(opener, at + 1)
    return False


def _list_end(body: str, start: int, column: int) -> int | None:
    """Where the list of entries at `column` ends: before the next line at column 0 that is
    neither an entry, a comment nor blank (a top-level key), or at the end; None for a line
    less indented than the entries but not at column 0."""
    outside = re.compile(rf"\n(?! {{{column + 1}}}| {{{column}}}-(?: |\n|$)|[ \t]*(?:#|\n|$))")
    found = outside.search(body, start)
    if found is None:
        return len(body)
    if body[found.start() + 1] == " ":
        return None
    return found.start()


def company_slice(text: str, company_id: str) -> str | None:
    """`text` with every entry of `companies:` but `company_id`'s left out; None when the scan
    cannot be sure of the cut (see the module's doc) or the company is not in the list once."""
    if "\t" in text or "\r" in text:
        return None  # tabs or CR line ends: not a layout to guess about
    body = "\n" + text
    keys = list(_COMPANIES_KEY.finditer(body))
    if len(keys) != 1:
        return None
    first = _FIRST_ITEM.match(body, keys[0].end())
    if first is None:
        return None
    column = len(first.group(1))
    key_column = column + 1 + len(first.group(2))
    start = first.start(1) - 1  # the "\n" before the first entry
    end = _list_end(body, start + 1, column)
    if end is None or _runs_over_lines(body[start:end]):
        return None
    indent = " " * column  # literal spaces: a pattern with a literal start is searched fast
    item = re.compile(rf"\n{indent}-(?: |\n)")
    starts = [match.start() for match in item.finditer(body, start, end + 1)]
    owners: dict[int, str] = {}
    for pattern in (rf"\n{indent}- +{_ID}", rf"\n{' ' * key_column}{_ID}"):
        for match in re.compile(pattern).finditer(body, start, end):
            entry = bisect_right(starts, match.start()) - 1
            if entry in owners:
                return None  # two id lines in one entry: not a layout to guess about
            owners[entry] = match.group(1) or match.group(2) or match.group(3)
    if len(owners) != len(starts):
        return None  # an entry whose id the scan cannot read
    own = [entry for entry, owner in owners.items() if owner == company_id]
    if len(own) != 1:
        return None
    bounds = [*starts, end]
    cut = body[1 : start + 1] + body[bounds[own[0]] + 1 : bounds[own[0] + 1] + 1] + body[end + 1 :]
    return cut if cut.endswith("\n") else cut + "\n"
