"""sparql package."""
