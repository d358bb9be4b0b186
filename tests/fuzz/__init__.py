"""Fuzzing every file parser with hypothesis: generated inputs and mutated real files.

See docs/testing.md ("Fautes et robustesse") for what is checked and how to run longer.
"""
