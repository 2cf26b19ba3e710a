"""factsheet: source-of-truth health fact sheets rendered into tagged, checked PDFs."""

__version__ = "0.1.0"
