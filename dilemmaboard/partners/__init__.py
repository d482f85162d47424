"""Partner sites: the registry of who may frame the dilemma, and the source of each vote."""
