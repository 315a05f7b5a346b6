"""Every asset key the domains of the code location refer to across domain lines, defined once.

dbt models are keyed by their name (orchestration.warehouse.assets.PlatformDbtTranslator); the
landing extracts by `landing/<registry>`; the gates the landing step records sit on `landing`.
"""

import dagster as dg

LANDING_KEY = dg.AssetKey(["landing"])
FAMILY_FEATURES_KEY = dg.AssetKey(["family_features"])
FAMILY_MEMBERS_KEY = dg.AssetKey(["family_members"])
FAMILY_SCORES_KEY = dg.AssetKey(["family_scores"])
ELIGIBILITY_LIST_KEY = dg.AssetKey(["eligibility_list"])
ELIGIBILITY_CANDIDATES_KEY = dg.AssetKey(["eligibility_candidates"])
PUBLISHED_LISTS_KEY = dg.AssetKey(["published_eligibility_lists"])
FAMILY_LEVEL_CHANGES_KEY = dg.AssetKey(["family_level_changes"])
TARGETING_AUDIT_KEY = dg.AssetKey(["targeting_audit"])
WHATIF_KEY = dg.AssetKey(["methodology_whatif"])
CORRECTIONS_REPORT_KEY = dg.AssetKey(["corrections_report"])


def landing_key(registry: str) -> dg.AssetKey:
    """The asset key of a registry's extract."""
    return dg.AssetKey(["landing", registry])
