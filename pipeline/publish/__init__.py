"""Publishing beyond single PDFs: what clinics get from the output folder.

Kept apart from the build so that rendering a sheet never depends on how it is
offered afterwards. site.py and feed.py (the clinics' catalog and its Atom
feed) read only output/manifest.json, checked by manifest.py, so they can only
ever point at PDFs the build published.
"""
