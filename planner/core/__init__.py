"""Cross-cutting pieces every domain uses: permissions, audit, errors, forms, time."""
