"""Studies: scenario files, plans of many runs with their seeds, executors, results folders and
their statistics.

Imports the engine, the network layer and ``sim.params``; never the outputs, the app or the CLI.
"""
