"""One client per remote service: the Wikibase Action API (`wikibase`) and Commons (`commons`).

Each owns its HTTP session, User-Agent, retry/maxlag/Retry-After policy and error mapping;
nothing else in the project talks to those APIs. Imports only `core`.
"""
