"""Roster XML files (the schema of docs/roster-xml.md, namespace `urn:aerosync:roster:1`) read
into the duty fields of `aerosync.crew.roster`, safely and in bounded memory.

- A real XML parser (expat, through defusedxml's SAX reader), fed 64 KiB at a time: duties are
  handed on as their elements are read, never the whole document held, whatever its size.
- Namespaces are honoured: elements are matched by namespace URI and local name, whatever prefix
  a file uses (none, `r:`, `crew:`...). Elements of other namespaces are extensions and skipped
  with everything inside them; an element of the roster namespace out of place (a misspelt
  `dutty`, a `duty` outside a `crewMember`) refuses the file, so no duty is dropped silently.
- Encodings are the parser's: the XML declaration's (UTF-8, UTF-16, ISO-8859-1, windows-1252...)
  or a byte-order mark.
- Nothing is ever expanded: a DOCTYPE (and so any entity declaration, the billion laughs, an
  external entity such as `file:///etc/passwd`) refuses the file where it starts, before the
  parser reads its declarations.
- A file that is not well-formed is refused naming the file and line: `roster.xml line 42:
  mismatched tag (column 5)`. The roster source then fails as a whole (see docs/roster-xml.md).

Each duty's reference is its file and the line of its `duty` element (`roster.xml line 42`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any
from xml.sax import SAXParseException, handler
from xml.sax.xmlreader import Locator

from defusedxml.common import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.expatreader import DefusedExpatParser

NAMESPACE = "urn:aerosync:roster:1"
CHUNK_BYTES = 64 * 1024
# The element each element of the roster namespace may appear in (None: the root).
PARENT = {"roster": None, "crewMember": "roster", "duty": "crewMember"}
GUIDE = "see docs/roster-xml.md"


class RosterXmlError(ValueError):
    """A roster XML file that cannot be read; the message names the file and the line."""


def _duty(crew: dict[str, str], duty: dict[str, str]) -> dict[str, str]:
    """A `duty` element's attributes (and its `crewMember`'s) as the roster's field names."""
    fields = {
        "employee_id": crew.get("employeeId"),
        "starts_at": duty.get("start"),
        "ends_at": duty.get("end"),
        "duty_type": duty.get("type"),
        "duty_code": duty.get("code"),
        "base": duty.get("base", crew.get("base")),
    }
    return {name: value for name, value in fields.items() if value is not None}


def _shown(uri: str | None, local: str) -> str:
    return f"`{local}` in namespace {uri}" if uri else f"`{local}` in no namespace"


class _RosterHandler(handler.ContentHandler):
    """Collects the duties of the elements read so far; `take` hands them over."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.ready: list[tuple[str, dict[str, str]]] = []
        self.open: list[str] = []  # roster elements open, outermost first
        self.foreign = 0  # depth inside an element of another namespace
        self.crew: dict[str, str] = {}
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def refuse(self, why: str) -> RosterXmlError:
        return RosterXmlError(f"{self.name} line {self.line()}: {why}; the file is refused")

    def startElementNS(self, name: tuple[str | None, str], qname: Any, attrs: Any) -> None:
        uri, local = name
        if self.foreign:
            self.foreign += 1
            return
        if uri != NAMESPACE:
            if not self.open:
                raise self.refuse(
                    f"the root element is {_shown(uri, local)}, not `roster` in {NAMESPACE}"
                )
            self.foreign = 1
            return
        parent = self.open[-1] if self.open else None
        if local not in PARENT or PARENT[local] != parent:
            where = f"inside `{parent}`" if parent else "as the root element"
            raise self.refuse(f"the roster namespace has no element `{local}` {where} ({GUIDE})")
        self.open.append(local)
        # Unprefixed attributes are in no namespace, as XML namespaces define them.
        values = {key[1]: str(value) for key, value in attrs.items() if key[0] is None}
        if local == "crewMember":
            self.crew = values
        elif local == "duty":
            self.ready.append((f"{self.name} line {self.line()}", _duty(self.crew, values)))

    def endElementNS(self, name: tuple[str | None, str], qname: Any) -> None:
        if self.foreign:
            self.foreign -= 1
        else:
            self.open.pop()

    def take(self) -> list[tuple[str, dict[str, str]]]:
        taken, self.ready = self.ready, []
        return taken


def _refusal(exc: DefusedXmlException) -> str:
    """Why a file with declarations was refused, without echoing them (an entity's value or
    system id is the attacker's text)."""
    if isinstance(exc, DTDForbidden):
        return (
            "a DOCTYPE declaration; a roster has no DTD, and entities are never expanded "
            "(billion laughs, external entities)"
        )
    if isinstance(exc, EntitiesForbidden):
        return "an entity declaration; entities are never expanded"
    return "a reference to an external entity; nothing outside the file is read"


def roster_rows(stream: IO[bytes], name: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(row reference, duty fields) of every `duty` of one roster XML file, read from `stream`
    (bytes: the parser decodes them) a chunk at a time. Raises `RosterXmlError` naming `name`
    and the line when the file is malformed, out of the schema or declares a DOCTYPE."""
    reader = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    reader.setFeature(handler.feature_namespaces, True)
    roster = _RosterHandler(name)
    reader.setContentHandler(roster)
    roster.setDocumentLocator(reader)  # the reader is the locator; only `parse` would say so
    try:
        reader.feed(b"")  # starts the parser, so that an empty file is refused too
        while chunk := stream.read(CHUNK_BYTES):
            reader.feed(chunk)
            yield from roster.take()
        reader.close()
    except SAXParseException as exc:
        raise RosterXmlError(
            f"{name} line {exc.getLineNumber()}: {exc.getMessage()} "
            f"(column {(exc.getColumnNumber() or 0) + 1}); the file is refused"
        ) from None
    except DefusedXmlException as exc:
        raise RosterXmlError(
            f"{name} line {reader.getLineNumber()}: {_refusal(exc)}; the file is refused"
        ) from None
    yield from roster.take()


def roster_items(files: Iterable[tuple[str, IO[bytes]]]) -> Iterator[tuple[str, dict[str, str]]]:
    """(row reference, duty fields) of every duty of every (file name, byte stream), in order."""
    for name, stream in files:
        yield from roster_rows(stream, name)
