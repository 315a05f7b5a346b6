"""The payment side: outcomes of the published lists coming back, reconciled and fed forward."""
