#!/usr/bin/env python3
"""Backpressure with DataHub's own Python SDK (acryl-datahub), unchanged: a bulk ingestion against a throttled service.

The service runs with BACKPRESSURE_MAX_LAG set low, so while its MCE consumer is behind, asynchronous writes answer
429 with Retry-After. The SDK's emitter retries 429 (urllib3's Retry: Retry-After respected, 429s weighted so that
a request gets about twice its normal retries). We send several thousand aspects with emit_mcps(ASYNC) in the SDK's
own batches of 200 and check that:
  1. the ingestion completes without an exception, and the service did throttle it: its 429 count (GET /metrics)
     grew, the SDK logged as many retries after a 429, each with a Retry-After of at least 1 s;
  2. both consumer groups catch up (GET /openapi/v1/consumers: lag 0 for MCE and MAE);
  3. nothing was doubled: the proposal topic grew by exactly the number of aspects sent (a refused batch queued
     nothing, so its retry is its only copy);
  4. nothing was lost: every aspect reads back with the value sent.

test/sdk-backpressure.e2e-spec.ts runs it against a service whose MCE consumer starts only once the backlog has passed
the bound, so that throttling certainly happens (the SDK alone, serializing on one core, is slower than our consumer).

Usage: throttled_ingest.py --gms URL [--aspects N] [--report FILE]
Exit status: 0 every check passed; 1 a check failed; 2 the service could not be reached or the SDK is missing.
"""

import argparse
import json
import logging
import os
import re
from datetime import datetime
import sys
import time
import traceback
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

os.environ.setdefault("DATAHUB_TELEMETRY_ENABLED", "false")

try:
    import requests

    import datahub
    from datahub.emitter.mce_builder import make_dataset_urn
    from datahub.emitter.mcp import MetadataChangeProposalWrapper
    from datahub.emitter.rest_emitter import DatahubRestEmitter, EmitMode
    from datahub.metadata.schema_classes import DatasetPropertiesClass, StatusClass
except ImportError as e:  # pragma: no cover
    print(f"ERROR: acryl-datahub is not importable ({e}); run scripts/compat-test.sh", file=sys.stderr)
    sys.exit(2)

# The compat test's own failure type and assertion (this script runs from its folder, beside it).
from datahub_sdk_compat import CheckFailed, expect  # noqa: E402

CHECKS = 4


class Run:
    def __init__(self, gms: str, aspects: int, timeout: float) -> None:
        self.gms = gms.rstrip("/")
        self.timeout = timeout
        self.results: List[Dict[str, Any]] = []
        suffix = f"{time.strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:8]}"
        # Two aspects per dataset: datasetProperties carrying a value of its own, and status.
        self.datasets = [make_dataset_urn("hive", f"sdk_throttled.t{suffix}_{i:05d}", "PROD") for i in range(aspects // 2)]
        self.aspects = 2 * len(self.datasets)
        # When emit_mcps returned (check_ingest): the consumers view must be sampled after it to count every batch.
        self.emitted_at = float("inf")
        # What reached the SDK's caller (urllib3 retries a 429 inside, unseen by requests' hooks) ...
        self.statuses: Dict[int, int] = {}
        # ... and the SDK's own account of its 429 retries, from its emitter's debug log.
        self.retries: List[str] = []
        self.session = requests.Session()

    def hook(self, response: "requests.Response", *args: Any, **kwargs: Any) -> None:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1

    def refused_by_server(self) -> int:
        """429 answers the service counted (http_request_duration_seconds on GET /metrics)."""
        text = self.session.get(f"{self.gms}/metrics", timeout=10).text
        return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines() if line.startswith("http_request_duration_seconds_count{") and 'status="429"' in line)

    def check(self, name: str, fn: Callable[[], Optional[str]]) -> bool:
        t0 = time.monotonic()
        try:
            detail = fn()
            self.results.append({"name": name, "ok": True})
            print(f"PASS  {name} ({time.monotonic() - t0:.1f}s){': ' + detail if detail else ''}", flush=True)
            return True
        except Exception as e:  # noqa: BLE001 - every failure is reported
            kind = "" if isinstance(e, CheckFailed) else f"{type(e).__module__}.{type(e).__name__}: "
            self.results.append({"name": name, "ok": False})
            print(f"FAIL  {name} ({time.monotonic() - t0:.1f}s): {kind}{e}", flush=True)
            if not isinstance(e, CheckFailed):
                traceback.print_exc()
            return False

    def consumers(self) -> Dict[str, Any]:
        r = self.session.get(f"{self.gms}/openapi/v1/consumers", timeout=10)
        expect(r.status_code == 200, f"GET /openapi/v1/consumers answered {r.status_code}: {r.text[:200]}")
        return r.json()

    def proposals_on_topic(self, view: Dict[str, Any]) -> int:
        # The MCE group reads only the proposal topic: its partitions' end offsets sum to the messages ever sent.
        mce = view["groups"][0]
        return sum(int(p["endOffset"]) for p in mce["partitions"])

    def description(self, urn: str) -> str:
        return f"throttled ingestion of {urn}"

    # ---- the checks ------------------------------------------------------------------------------------------

    def check_ingest(self) -> str:
        self.before = self.proposals_on_topic(self.consumers())
        refused_before = self.refused_by_server()
        emitter = DatahubRestEmitter(gms_server=self.gms, openapi_ingestion=True)
        emitter.session.hooks["response"].append(self.hook)
        mcps: List[MetadataChangeProposalWrapper] = []
        for urn in self.datasets:
            mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=DatasetPropertiesClass(description=self.description(urn))))
            mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=StatusClass(removed=False)))
        t0 = time.monotonic()
        emitter.emit_mcps(mcps, emit_mode=EmitMode.ASYNC)
        seconds = time.monotonic() - t0
        self.emitted_at = time.time()
        emitter.close()
        refused = self.refused_by_server() - refused_before
        expect(refused > 0, f"the service never throttled the ingestion (answers {self.statuses}): the test proves nothing")
        expect(len(self.retries) == refused, f"the service refused {refused} requests, the SDK logged {len(self.retries)} retries after a 429")
        waits = [re.search(r"after (\d+)s$", r) for r in self.retries]
        expect(all(w and int(w.group(1)) >= 1 for w in waits), f"a 429 without a Retry-After of >= 1 s: {self.retries[:3]}")
        expect(set(self.statuses) == {202}, f"answers other than 202 reached the SDK's caller: {self.statuses}")
        seconds_waited = sorted({int(w.group(1)) for w in waits if w})
        return f"{self.aspects} aspects in {seconds:.1f}s; {self.statuses[202]} batches accepted after {refused} answers 429 (Retry-After {seconds_waited} s), each retried by the SDK"

    def check_caught_up(self) -> str:
        deadline = time.monotonic() + self.timeout
        lags: Dict[str, int] = {}
        while time.monotonic() < deadline:
            view = self.consumers()
            lags = {g["groupId"]: g["lag"] for g in view["groups"]}
            # The view is the monitor's latest sample: only one begun after the last batch was accepted counts it.
            sampled = datetime.fromisoformat(view["sampledAt"].replace("Z", "+00:00")).timestamp() if view.get("sampledAt") else 0.0
            if sampled > self.emitted_at and all(lag == 0 for lag in lags.values()):
                self.after = self.proposals_on_topic(view)
                return f"lag 0 for {', '.join(lags)}"
            time.sleep(0.5)
        raise CheckFailed(f"the consumers did not catch up within {self.timeout:.0f}s: lag {lags}")

    def check_not_doubled(self) -> str:
        sent = self.after - self.before
        expect(sent == self.aspects, f"the proposal topic grew by {sent} messages for {self.aspects} aspects sent")
        return f"the proposal topic grew by exactly {sent}"

    def check_not_lost(self) -> str:
        def read(urn: str) -> Optional[str]:
            r = self.session.get(f"{self.gms}/openapi/v3/entity/dataset/{urllib.parse.quote(urn, safe='')}", timeout=10)
            if r.status_code != 200:
                return f"{urn}: {r.status_code}"
            entity = r.json()
            if entity.get("datasetProperties", {}).get("value", {}).get("description") != self.description(urn) or entity.get("status", {}).get("value") != {"removed": False}:
                return f"{urn}: {entity}"
            return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            wrong = [w for w in pool.map(read, self.datasets) if w]
        expect(not wrong, f"{len(wrong)} of {len(self.datasets)} datasets do not read back as sent, e.g. {wrong[:3]}")
        return f"all {self.aspects} aspects of {len(self.datasets)} datasets read back as sent"


class RetryLog(logging.Handler):
    def __init__(self, into: List[str]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Retrying after 429"):
            self.into.append(message)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gms", required=True, help="a service with backpressure on (BACKPRESSURE_MAX_LAG)")
    parser.add_argument("--aspects", type=int, default=int(os.environ.get("COMPAT_THROTTLED_ASPECTS", "3000")))
    parser.add_argument("--timeout", type=float, default=120.0, help="how long the consumers may take to catch up (s)")
    parser.add_argument("--report", help="write {passed, failed} as JSON to this file (checks not reached count as failed)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run = Run(args.gms, args.aspects, args.timeout)
    # The emitter logs each retry after a 429 at DEBUG ("Retrying after 429, ... after Ns"): collected, not printed.
    emitter_log = logging.getLogger("datahub.emitter.rest_emitter")
    emitter_log.setLevel(logging.DEBUG)
    emitter_log.propagate = False
    emitter_log.addHandler(RetryLog(run.retries))
    print(f"acryl-datahub {datahub.__version__} -> {run.gms}: {run.aspects} aspects, throttled")
    try:
        requests.get(f"{run.gms}/config", timeout=10)
    except requests.RequestException as e:
        print(f"ERROR: {run.gms} is not reachable: {e}", file=sys.stderr)
        return 2

    if run.check("T1 emit_mcps(ASYNC) of several thousand aspects against a throttled service completes; 429s retried", run.check_ingest):
        if run.check("T2 both consumer groups catch up (GET /openapi/v1/consumers)", run.check_caught_up):
            run.check("T3 nothing doubled: the proposal topic grew by exactly the aspects sent", run.check_not_doubled)
            run.check("T4 nothing lost: every aspect reads back as sent", run.check_not_lost)

    failed = [r for r in run.results if not r["ok"]]
    not_reached = max(0, CHECKS - len(run.results))
    print(f"{len(run.results) - len(failed)}/{CHECKS} throttled-ingestion checks passed" + (" - FAILED" if failed or not_reached else ""))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"passed": len(run.results) - len(failed), "failed": len(failed) + not_reached}, f)
    return 1 if failed or not_reached else 0


if __name__ == "__main__":
    sys.exit(main())
