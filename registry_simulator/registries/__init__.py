"""Every registry extract of a chunk, as functions of a :class:`registry_simulator.chunk.Step`.

Month-to-month stability: every registry draws from its own stream, keyed by the seed, the region,
the chunk and the registry's name, never by the period, and draws one value per entity (person,
family or vehicle/loan slot) whatever the subset that uses it, so who has what does not shift when
someone ages into or out of a group. Durable records (dwellings, vehicles, loans, observations...)
are dated against the fixed :data:`registry_simulator.constants.ANCHOR_DAYS`; a record dated on or
after the period's reference date does not exist yet. Time then moves through monthly *churn*: for
every calendar month from the anchor to the period, a stream keyed by that month draws the month's
events (new cars and resales, new loans and arrears, new and ended observations), so period M+1 is
period M plus one month of events. Things that are about the period itself (the income window,
border crossings of the last 12 months, the billed month) are keyed by calendar month or by the period.
"""

from registry_simulator.registries.assets import land_plots, livestock, vehicles
from registry_simulator.registries.civil import families, population
from registry_simulator.registries.housing import (
    housing_costs,
    housing_waiting_list,
    real_estate,
    rent_contracts,
)
from registry_simulator.registries.income import (
    business_registry,
    entrepreneur_income,
    pension_contributions,
    pensions_benefits,
)
from registry_simulator.registries.latent import attributes, tenure
from registry_simulator.registries.social import (
    border_crossings,
    credit_bureau,
    disability,
    education,
    health,
)
from registry_simulator.registries.truth import truth

#: The steps in the order they run: each reads the facts of the steps before it (the order is the
#: data flow, and a generated month depends on it: the streams are keyed by name, the facts are not).
STEPS = (
    attributes,
    tenure,
    population,
    families,
    pension_contributions,
    entrepreneur_income,
    pensions_benefits,
    business_registry,
    real_estate,
    vehicles,
    credit_bureau,
    disability,
    health,
    education,
    border_crossings,
    livestock,
    land_plots,
    rent_contracts,
    housing_costs,
    housing_waiting_list,
)

__all__ = ["STEPS", "truth"]
