"""Browser journeys: the main work of a Relance user, end to end in headless Chromium."""
