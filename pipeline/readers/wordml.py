"""WordprocessingML helpers shared by the DOCX reader: names, attributes and the style sheet.

Word keeps much of what a paragraph shows outside the paragraph: its list
numbering and its font may come from its style, the style's parent style or
the document defaults.  `Styles` follows those chains so the reader sees what
Word would display.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS

# Border values that draw nothing.
_NO_BORDER = {"nil", "none"}


def tag(name: str) -> str:
    """The qualified tag of a `w:` element: tag("p") -> "{...main}p"."""
    return W + name


def attr(element: Any, name: str = "val") -> str | None:
    """A `w:` attribute of `element`, or None (also when `element` is None)."""
    return None if element is None else element.get(W + name)


def child(element: Any, *path: str) -> Any:
    """The first element down `path` of `w:` names, or None."""
    for name in path:
        if element is None:
            return None
        element = element.find(W + name)
    return element


def has_visible_border(borders: Any) -> bool:
    """True when a `w:tblBorders` / `w:tcBorders` element draws at least one line."""
    if borders is None:
        return False
    return any(attr(edge) not in _NO_BORDER for edge in borders)


@dataclass(frozen=True)
class StyleInfo:
    """What the reader needs from one style."""

    based_on: str | None
    num_id: str | None
    ilvl: int | None
    font: str | None
    borders: bool | None  # None: the style says nothing about table borders


def run_font(rpr: Any) -> str | None:
    """The font a `w:rPr` names for Latin text (`w:ascii`, else `w:hAnsi`)."""
    fonts = child(rpr, "rFonts")
    return attr(fonts, "ascii") or attr(fonts, "hAnsi")


class Styles:
    """The style sheet (`styles.xml`) with `basedOn` inheritance resolved on lookup."""

    def __init__(self, styles_element: Any | None) -> None:
        self._styles: dict[str, StyleInfo] = {}
        self.default_font: str | None = None
        self.default_paragraph: str | None = None
        if styles_element is None:
            return
        self.default_font = run_font(child(styles_element, "docDefaults", "rPrDefault", "rPr"))
        for style in styles_element.iter(tag("style")):
            style_id = attr(style, "styleId")
            if style_id is None:
                continue
            self._styles[style_id] = _style_info(style)
            if attr(style, "default") in ("1", "true") and attr(style, "type") == "paragraph":
                self.default_paragraph = style_id

    def _chain(self, style_id: str | None):
        """The style and its ancestors, nearest first (cycles cut)."""
        seen: set[str] = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            info = self._styles[style_id]
            yield style_id, info
            style_id = info.based_on

    def numbering(self, style_id: str | None) -> tuple[str, int | None, str] | None:
        """(numId, ilvl or None, the style that carries it) of a paragraph style's list, if any."""
        for sid, info in self._chain(style_id or self.default_paragraph):
            if info.num_id is not None:
                return info.num_id, info.ilvl, sid
        return None

    def font(self, *style_ids: str | None) -> str | None:
        """The first font named along the chains of `style_ids` (run style, paragraph style), else the default."""
        for style_id in style_ids:
            for _, info in self._chain(style_id):
                if info.font:
                    return info.font
        return self.default_font

    def table_borders(self, style_id: str | None) -> bool:
        """True when a table style (or its ancestors) draws borders."""
        for _, info in self._chain(style_id):
            if info.borders is not None:
                return info.borders
        return False


def _style_info(style: Any) -> StyleInfo:
    num_pr = child(style, "pPr", "numPr")
    ilvl = attr(child(num_pr, "ilvl"))
    borders = child(style, "tblPr", "tblBorders")
    return StyleInfo(
        based_on=attr(child(style, "basedOn")),
        num_id=attr(child(num_pr, "numId")),
        ilvl=int(ilvl) if ilvl is not None else None,
        font=run_font(child(style, "rPr")),
        borders=has_visible_border(borders) if borders is not None else None)
