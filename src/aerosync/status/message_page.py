"""A one-message page in the status pages' look: a refusal ("you may not trigger ...") or a
neutral note ("this DAG is not a schedule upload"), in words, with a way back. No script."""

from __future__ import annotations

from html import escape


def render_message(title: str, text: str, *, back: str | None = "status") -> str:
    """`back` is a link relative to the page's own folder (`status` is the uploads page)."""
    link = f"<p><a href='{escape(back)}'>Back to the schedule uploads</a></p>" if back else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 16px; color: #1c2833; }}
.message {{ max-width: 60em; }}
</style></head><body>
<h2>{escape(title)}</h2>
<p class="message" id="message">{escape(text)}</p>{link}
</body></html>"""
