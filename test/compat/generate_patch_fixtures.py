#!/usr/bin/env python3
"""Writes libs/ingest/src/patch/fixtures/sdk-patches.json: the patches DataHub's Python SDK (acryl-datahub, the
version pinned in requirements.txt) builds with its own patch builders, exactly as it sends them (the JSON of each
MCP's aspect value). The patch engine's unit tests apply them. Run with the compat virtualenv:

    .stack/venv-compat/bin/python test/compat/generate_patch_fixtures.py
"""

import json
import os
import warnings

import datahub
from datahub.emitter.mce_builder import make_dataset_urn, make_schema_field_urn, make_tag_urn, make_term_urn, make_user_urn
from datahub.metadata.schema_classes import (
    DatasetLineageTypeClass,
    FineGrainedLineageClass,
    FineGrainedLineageDownstreamTypeClass,
    FineGrainedLineageUpstreamTypeClass,
    GlossaryTermAssociationClass,
    MetadataAttributionClass,
    OwnerClass,
    OwnershipTypeClass,
    TagAssociationClass,
    UpstreamClass,
)
from datahub.specific.dataset import DatasetPatchBuilder

warnings.simplefilter("ignore", DeprecationWarning)

URN = make_dataset_urn("hive", "db.patched", "PROD")
UPSTREAM = make_dataset_urn("hive", "db.upstream", "PROD")

CASES = {
    "add_tag": lambda b: b.add_tag(TagAssociationClass(make_tag_urn("pii"))),
    "remove_tag": lambda b: b.remove_tag(make_tag_urn("pii")),
    "add_term": lambda b: b.add_term(GlossaryTermAssociationClass(make_term_urn("Sensitive"))),
    "remove_term": lambda b: b.remove_term(make_term_urn("Sensitive")),
    "add_owner": lambda b: b.add_owner(OwnerClass(make_user_urn("alice"), OwnershipTypeClass.TECHNICAL_OWNER)),
    "add_owner_with_attribution": lambda b: b.add_owner(
        OwnerClass(
            make_user_urn("alice"),
            OwnershipTypeClass.TECHNICAL_OWNER,
            attribution=MetadataAttributionClass(time=1, actor=make_user_urn("bot"), source="urn:li:dataHubAction:sync"),
        )
    ),
    "remove_owner": lambda b: b.remove_owner(make_user_urn("alice")),
    "remove_owner_of_type": lambda b: b.remove_owner(make_user_urn("alice"), OwnershipTypeClass.TECHNICAL_OWNER),
    "set_description": lambda b: b.set_description("a/b ~ c"),
    "add_custom_property": lambda b: b.add_custom_property("team/~x", "growth"),
    "remove_custom_property": lambda b: b.remove_custom_property("team/~x"),
    "add_upstream_lineage": lambda b: b.add_upstream_lineage(
        UpstreamClass(dataset=UPSTREAM, type=DatasetLineageTypeClass.TRANSFORMED)
    ),
    "remove_upstream_lineage": lambda b: b.remove_upstream_lineage(UPSTREAM),
    "add_fine_grained_upstream_lineage": lambda b: b.add_fine_grained_upstream_lineage(
        FineGrainedLineageClass(
            upstreamType=FineGrainedLineageUpstreamTypeClass.FIELD_SET,
            downstreamType=FineGrainedLineageDownstreamTypeClass.FIELD,
            upstreams=[make_schema_field_urn(UPSTREAM, "a")],
            downstreams=[make_schema_field_urn(URN, "b")],
            transformOperation="IDENTITY",
            confidenceScore=0.5,
        )
    ),
}


def main() -> None:
    out = {"sdk": f"acryl-datahub {datahub.__version__}", "urn": URN, "cases": {}}
    for name, build in CASES.items():
        mcps = build(DatasetPatchBuilder(URN)).build()
        assert len(mcps) == 1, name
        mcp = mcps[0]
        out["cases"][name] = {
            "changeType": mcp.changeType,
            "aspectName": mcp.aspectName,
            "contentType": mcp.aspect.contentType,
            "value": json.loads(mcp.aspect.value),
        }
    path = os.path.join(os.path.dirname(__file__), "../../libs/ingest/src/patch/fixtures/sdk-patches.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out['cases'])} patches to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
