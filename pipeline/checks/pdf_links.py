"""What the links of the produced PDF do: only allowed schemes, only declared contacts.

The source checks refuse a bad link with its line; this rule proves from the
file that none became a live annotation anyway (a template, a callout title or
any path the source checks missed): every link annotation's action is a URI
with an allowed scheme (ISO 32000-1 12.6.4.7) or a jump inside the document,
and every tel: or mailto: link reaches a declared channel or known contact.
"""

from __future__ import annotations

from ..source import contacts as cx
from ..source.model import Project
from .contacts import directory
from .readpdf import ReadPdf
from .registry import Finding, finding, rule

PDF_LINK = rule(
    "pdf-link",
    "error",
    "pdf",
    "a live link in the PDF has a scheme outside the allow-list or reaches an undeclared contact",
)


def check_pdf_links(pdf: ReadPdf, project: Project, path: str) -> list[Finding]:
    allowed = {s.lower() for s in project.policy.allowed_link_schemes}
    book = None
    out: list[Finding] = []
    for index, page in enumerate(pdf.reader.pages, 1):
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is None:
                continue  # a /Dest: a jump inside the document
            kind = str(action.get("/S", ""))
            if kind in ("/GoTo", "/Named"):
                continue
            uri = str(action.get("/URI", "")) if kind == "/URI" else ""
            scheme = uri.partition(":")[0].lower() if ":" in uri else ""
            if kind != "/URI" or scheme not in allowed:
                shown = uri[:60] or kind
                out.append(
                    finding(
                        PDF_LINK,
                        path,
                        None,
                        f"a live link on page {index} goes to '{cx.visible(shown)}'",
                        f"links may use {', '.join(sorted(allowed))}; check the template",
                        page=index,
                    )
                )
                continue
            if scheme in ("tel", "mailto"):
                book = book or directory(project)
                target = cx.parse_target(uri, book.region)
                if target is None or target.value is None or book.owner(target) is None:
                    out.append(
                        finding(
                            PDF_LINK,
                            path,
                            None,
                            f"a live link on page {index} reaches '{cx.visible(uri)}', "
                            "which is not a declared contact",
                            "declare it in org.yaml, a clinic or policy.yaml known_contacts",
                            page=index,
                        )
                    )
    return out
