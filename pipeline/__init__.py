"""factsheet: source-of-truth health fact sheets rendered into tagged, checked PDFs.

The package is one room per stage, and data flows one way through them::

    sheets/, styles/
        |  source/     read and validate: YAML with lines, Markdown, the model,
        v              language tags, CLDR, clinics, packets, translatable units
      model
        |  render/     model -> HTML (Jinja2) -> tagged PDF (WeasyPrint)
        v
       PDF
        |  checks/     rules on the source and on the PDF read back; the gate
        v
     findings          translate/  export units, import translations, staleness
        |  build/      plan -> job keys -> cache -> workers -> atomic publish -> manifest
        v
     output/
        |  publish/    packets, the clinics' catalog, the Atom feed
        v
    commands/          thin Click commands over all of the above

A stage imports only the stages above it (plus errors.py); tests/test_architecture.py
keeps it so.
"""

__version__ = "0.1.0"
