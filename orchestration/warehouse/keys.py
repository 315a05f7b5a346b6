"""Asset keys of the dbt models other domains depend on (dbt models are keyed by their name)."""

import dagster as dg

FAMILY_FEATURES_KEY = dg.AssetKey(["family_features"])
FAMILY_MEMBERS_KEY = dg.AssetKey(["family_members"])
ELIGIBILITY_LIST_KEY = dg.AssetKey(["eligibility_list"])
