"""Analytics over the scored months: change explanations (7.2) and the targeting audit (7.4)."""
