"""Clients for public data sources: one module per source, no TwiML here."""
