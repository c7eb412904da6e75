"""Reading YAML text fast and safely, for companies files of thousands of entries.

Two costs dominate a big file, measured on 10,000 companies (1.8 MB): the pure-Python loader
(libyaml's `CSafeLoader` is used when PyYAML has it; both are safe loaders, never constructing
Python objects from tags), and Python's cyclic garbage collector, which walks every object of a
process full of Airflow each time the loader's many small containers trigger it: 1.1 s with it
and 0.37 s without for the same file (benchmarks/RESULTS.md). Loading creates no cycles worth
collecting, so the collector is paused while YAML is read (and while DAGs are built from it).
"""

from __future__ import annotations

from typing import Any

import yaml

from aerosync.collector import collector_paused

# libyaml's loader when PyYAML was built with it; the pure-Python safe loader otherwise.
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def load_yaml(text: str) -> Any:
    """The one YAML document in `text`, read with the safe loader (raises `YAMLError`)."""
    with collector_paused():
        return yaml.load(text, Loader=YAML_LOADER)  # a safe loader (C or Python)
