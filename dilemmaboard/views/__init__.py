"""One blueprint per audience: reader, admin, api, export."""
