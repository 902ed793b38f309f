"""Plain, typed functions for campaigns: sources, validation, mapping, reconciliation, upload.

Nothing in this package imports Prefect; flows in ``pipelines/`` wrap these functions.
"""
