"""Stage 2, render: model -> HTML (Jinja2 + styles/) -> tagged PDF (WeasyPrint).

options.py (what a job varies), html.py (templates and page CSS), fonts.py,
qr.py, imprint.py (a clinic's box), sandbox.py (what WeasyPrint may fetch),
tagging.py (our structure tree), cffi_cache.py (WeasyPrint's C declarations
parsed once), pdf.py (WeasyPrint and its errors),
packet.py (several sheets as one document), doctor.py (can this machine render?).
"""
