"""JSON-LD contexts (and the Open Badges 3.0 JSON schema) stored with the code: a
credential is expanded, checked or signed without fetching anything (LICENSES.md says
where each file comes from)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "contexts/credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":
        "contexts/ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "contexts/data-integrity-v2.jsonld",
}
SCHEMA = HERE / "schema" / "ob_v3p0_achievementcredential_schema.json"


@cache
def context(url: str) -> dict[str, Any]:
    return json.loads((HERE / CONTEXTS[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """For pyld: the stored contexts, and an error for anything else (never the network)."""
    if url not in CONTEXTS:
        raise ValueError(f"JSON-LD context {url} is not stored with the platform")
    return {"contextUrl": None, "documentUrl": url, "document": context(url)}
