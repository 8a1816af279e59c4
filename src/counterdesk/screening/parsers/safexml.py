"""XML reading that refuses what attacks XML parsers: any DOCTYPE (and so every entity declaration,
internal or external) is rejected outright, so no billion-laughs expansion, no external entity
(XXE) and no DTD retrieval can happen. defusedxml is not a dependency; expat is driven directly.

Namespaces are not processed: element names are used without their prefix, which is how the OFAC
file (default namespace) and the UN file (none) are read alike.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pyexpat import ExpatError, ParserCreate, errors
from typing import NoReturn

from counterdesk.base.text import Text
from counterdesk.screening.records import ListFormatError


class _Forbidden(Exception):
    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class Doc:
    """A parsed document plus the line each element started on (for error messages)."""

    def __init__(self, root: ET.Element, lines: dict[int, int]):
        self.root = root
        self._lines = lines

    def line(self, el: ET.Element) -> int:
        return self._lines.get(id(el), 0)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def parse(data: bytes) -> Doc:
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = ParserCreate()  # no namespace processing: prefixes are stripped by _local
    parser.buffer_text = True

    def start(name: str, attrs: dict[str, str]) -> None:
        el = builder.start(_local(name), {_local(k): v for k, v in attrs.items() if not k.startswith("xmlns")})
        lines[id(el)] = parser.CurrentLineNumber

    def end(name: str) -> None:
        builder.end(_local(name))

    def refuse_doctype(*_args: object) -> NoReturn:
        raise _Forbidden("DOCTYPE")

    def refuse_entity(*_args: object) -> NoReturn:
        raise _Forbidden("ENTITY")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    try:
        parser.Parse(data, True)
    except _Forbidden as exc:
        where = f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber + 1}"
        raise ListFormatError(where, Text(
            f"XML 文件含有 {exc.what} 声明，出于安全原因拒绝导入（官方名单文件不含此类声明）",
            f"the XML contains a {exc.what} declaration, which is refused for safety "
            "(published list files have none)"), code="xml_doctype") from None
    except ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1}"
        reason = errors.messages.get(exc.code, str(exc)) if hasattr(errors, "messages") else str(exc)
        raise ListFormatError(where, Text(f"XML 无法解析：{reason}", f"the XML cannot be parsed: {reason}"),
                              code="xml_syntax") from None
    except RecursionError:
        raise ListFormatError("XML", Text("XML 嵌套过深", "the XML is nested too deeply"), code="xml_syntax") from None
    root = builder.close()
    return Doc(root, lines)


def text_of(el: ET.Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    if found is None or found.text is None:
        return ""
    return " ".join(found.text.split())


def texts_of(el: ET.Element, path: str) -> list[str]:
    return [" ".join(x.text.split()) for x in el.findall(path) if x.text and x.text.strip()]
