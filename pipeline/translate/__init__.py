"""Stage 4, translate: the translator round trip.

inline.py (Markdown inline markup <-> XLIFF inline codes), units.py (what a
translator gets), export.py (XLIFF 1.2 and PO), importer.py (files back into
sheets, refused with every problem listed), state.py (current, stale, missing).
"""
