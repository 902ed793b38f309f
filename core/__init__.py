"""The ground floor: errors, settings and targets, stage layout and contracts, log redaction.

Nothing here imports from pipelines/, modeling/, sparql/, reports/ or sandbox/.
"""
