"""The contest stage (``07_contest/``): match uploads to monuments, count, check, suggest.

Plain functions over pandas frames (no Prefect, no HTTP): :mod:`.rules` reads the campaign's
``contest:`` section, :mod:`.frames` loads the stage files, :mod:`.match` assigns uploads to
monuments, :mod:`.stats`, :mod:`.coverage` and :mod:`.eligibility` count and check them,
:mod:`.suggestions` proposes P18/P373/P180 statements and :mod:`.writeback` turns the accepted
ones into add-only edits.
"""
