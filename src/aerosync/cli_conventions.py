"""What every `aerosync` command shares, so that scripts can rely on it: exit codes, the
`-o table|json|yaml` option, and how data is printed in each format.

Exit codes: 0 ok; 1 findings (a refused company, an aircraft in a `--fail-on` state, a failed
check); 2 usage (a wrong option, an unknown company); 3 a store that cannot be reached (no
aerosync database where one was looked for, a database that refuses the connection).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import yaml

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_NO_STORE = 3

OUTPUT_FORMATS = ("table", "json", "yaml")


class UsageError(Exception):
    """A command asked for something that does not exist (exit 2): the message names it and
    what exists instead."""


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """`-o table|json|yaml` (default table), and `--json` for scripts written before `-o`."""
    parser.add_argument(
        "-o",
        "--output",
        choices=OUTPUT_FORMATS,
        default="table",
        help="how to print: a table for people (default), json or yaml for scripts",
    )
    parser.add_argument(
        "--json",
        dest="output",
        action="store_const",
        const="json",
        help="the same as -o json",
    )


def formatted(data: Any, output: str, table: Callable[[], str]) -> str:
    """`data` (JSON-ready: dicts, lists, strings, numbers) as JSON or YAML, or `table()`."""
    if output == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if output == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
    return table()
