"""The local Commons: a Commons-like MediaWiki Action API on loopback (``/w/api.php``).

File pages with wikitext, image info, categories with sort keys, templates, global usage, users
with registration dates, and MediaInfo entities (``M<pageid>``) with structured data. Data lives
in ``commons.sqlite`` beside the Wikibase sandbox's revision DB and is loaded from JSON lines
(``POST /admin/load`` on the Commons port; :mod:`sandbox.commons.sample_contest` writes them).
"""
