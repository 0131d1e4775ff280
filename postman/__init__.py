"""The Postman collection: request tables, the row format, and the builder of the JSON.

To exercise a new endpoint, add rows to its face's table (requests_v1.py, requests_v2.py, …):
one per success and one per error status, named "<what> - <status>"; reuse the checks in
rows.py. A new face is a new requests_<face>.py with a FOLDER, listed in
build_collection.FOLDERS. Then run ``python -m postman.build_collection`` and commit the JSON.
"""
