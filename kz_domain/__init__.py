"""The domain facts every package of the platform shares, each defined once (../shared/domain.md).

* `kz_domain.period`: the period `YYYY-MM`, its reference date, the eve its extracts are as of,
  the month before.
* `kz_domain.regions`: the KATO first-level regions, the regional pilots, strict parsers.
* `kz_domain.iin`: the IIN (and BIN) check digit, scalar and vectorised.
* `kz_domain.landing_contract`: the landing contract, one Arrow schema per registry extract,
  the row keys, and what each registry is (`contract_doc` renders it into docs/landing.md).

Levels and their letters belong to the methodology (`scoring_core.config.levels`). This package
imports nothing of the platform: the simulator, the scoring core and the orchestration all
import it, never the other way round.
"""
