// Progressive enhancement lives here; every page works without it.
