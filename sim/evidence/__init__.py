"""Evidence about the model: how its answers move when its assumptions vary.

Sits above the study layer (it runs studies) and below the command line.
"""
