"""Stage 1, source: sheets/ and styles/ read into plain, validated data.

files.py (reading untrusted text, writing atomically), yamlfile.py (YAML with
the line of every key), model.py (the model), langtag.py and cldr.py (BCP 47
and CLDR), markdown.py (sheet bodies), images.py, loader.py (the one reader of
sheets/ and styles/), clinics.py, packets.py, units.py (translatable units),
texts.py (the strings a sheet must show), dates.py, scaffold.py (`new`).
"""
