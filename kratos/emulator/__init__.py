"""A Kratos-compatible server for tests and local runs (Python standard library only).

It implements the part of Ory Kratos v26.2.0's public and admin APIs that graphql-fcgi uses, with the bodies, status
codes and headers of `shared/kratos/openapi.json` and `kratos-api.md`. It is not Kratos: state lives in memory, and
only the password method exists.
"""
