"""Partner sites and sharing: the registry, the embed, oEmbed and the share card (SPEC §11)."""
