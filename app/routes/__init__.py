"""HTTP routes: ``v1`` and ``v2`` blueprints, plus the health check."""
