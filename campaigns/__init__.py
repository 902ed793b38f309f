"""The sample campaigns shipped with wikiloves-kit (YAML files and their data, as package data)."""
