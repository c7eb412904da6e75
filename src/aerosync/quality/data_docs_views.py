"""GX's Data Docs views (`DefaultJinjaPageView` for a validation's and a suite's page,
`DefaultJinjaIndexPageView` for the index), their compiled Jinja templates kept for the process.

GX builds a new Jinja environment for every view it instantiates, so every site build compiles
GX's templates again: measured, that was about half of what keeping a validation's Data Docs
cost a task. One environment per view for the process compiles them once, and `warm_templates`,
called by the process tasks are forked from (`aerosync.quality.preload`), compiles them before the
fork, so a task inherits them compiled. The views read no custom styles or views (the sites are
AeroSync's, `plugins_directory` is unset), so one environment serves every build.

GX instantiates a view by module and class name (`PageView`, `IndexPageView` here); the
classes are made on first access (the module's `__getattr__`), since importing Great Expectations
costs seconds and no module may import it at import time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

VIEWS = {
    "PageView": "DefaultJinjaPageView",
    "IndexPageView": "DefaultJinjaIndexPageView",
}
# The Jinja environment of each view, with its compiled templates.
_ENVIRONMENTS: dict[str, Any] = {}


@cache
def _view_class(name: str) -> type:
    from great_expectations.render import view

    base: Any = getattr(view, VIEWS[name])

    class SharedEnvironmentView(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            own: Any = self.env  # type: ignore[has-type]
            self.env = _ENVIRONMENTS.setdefault(name, own)

    SharedEnvironmentView.__name__ = SharedEnvironmentView.__qualname__ = name
    SharedEnvironmentView.__module__ = __name__
    return SharedEnvironmentView


def __getattr__(name: str) -> type:
    if name in VIEWS:
        return _view_class(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def warm_templates() -> int:
    """Compile every GX template the views may use (the templates folder: a page pulls in its
    content blocks by name at render time); how many were compiled."""
    compiled = 0
    for name in VIEWS:
        env = _view_class(name)().env
        for template in env.list_templates(extensions=["j2"]):
            env.get_template(template)
            compiled += 1
    return compiled
