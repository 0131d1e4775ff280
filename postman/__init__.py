"""The Postman collection: request tables (requests_*.py) and the builder that writes the JSON."""
