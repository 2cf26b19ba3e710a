"""Links, bookmarks and running strings of flex and grid items, kept.

WeasyPrint 70 turns an inline child of a flex or grid container into a block
("blockification", CSS Display 3, 2.7) by making a new anonymous box
(formatting_structure/build.py ``blockify``) and copies only its style: the
``<a href>`` of a table-of-contents entry laid out with ``display: flex`` loses
its link, so the PDF has a Link structure element and no link annotation to
follow (PDF/UA-1 7.18.5). ``install`` makes the new box keep what the element
said about itself.

Pinned to WeasyPrint 70.x (pyproject.toml): it wraps one of its internals.
"""

from __future__ import annotations

#: Per-box attributes that WeasyPrint sets from the element, not from its style.
_KEPT = ("link", "missing_link", "bookmark_label", "string_set")
_INSTALLED = False


def install() -> None:
    """Make WeasyPrint's blockification keep links (idempotent, per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from weasyprint.formatting_structure import build

    blockify = build.blockify

    def blockify_keeping_links(box, layout=None):
        block = blockify(box, layout)
        if block is not box:
            for name in _KEPT:
                if name in box.__dict__ and name not in block.__dict__:
                    setattr(block, name, box.__dict__[name])
        return block

    build.blockify = blockify_keeping_links
    _INSTALLED = True
