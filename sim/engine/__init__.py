"""The engine: one week of one market (BrandModel, customer state, the weekly rules, measures).

Imports only ``sim.params`` and ``sim.network`` from the rest of the package.
"""
