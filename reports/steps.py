"""The readiness steps of a campaign, in process order (checklist rows and resource keys)."""

from __future__ import annotations

from reports.i18n import N_

#: Step key → title, in process order. Resources in ``data/resources.yaml`` use these keys.
STEPS: dict[str, str] = {
    "source": N_("Data source found"),
    "licence": N_("Licence is CC0 or public domain"),
    "owner": N_("Data owner and contact recorded"),
    "identifier": N_("Identifier property exists on Wikidata"),
    "mapping": N_("Mapping reviewed"),
    "ingest": N_("Records ingested"),
    "reconcile": N_("Reconciliation done, review queue empty"),
    "dry_run": N_("Dry run reviewed"),
    "upload": N_("Upload complete"),
    "coordinates": N_("Coordinates coverage"),
    "labels": N_("Labels in the campaign languages"),
    "commons_campaign": N_("Commons upload campaign configured"),
    "lists": N_("Campaign lists generated"),
    "statistics": N_("Statistics published"),
}
