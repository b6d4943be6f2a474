"""The weekly rules, one module per step of the week (see docs/model.md for the order)."""
