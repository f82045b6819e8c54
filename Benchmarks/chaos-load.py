#!/usr/bin/env python3
"""Continuous AdmissionReviews over TLS keep-alive for Benchmarks/chaos.sh, checking every verdict.

    chaos-load.py HOST PORT WORLD_JSON STOP_FILE [WORKERS]

Each worker keeps one HTTP/1.1 connection (reopened when the server answers `Connection: close`
or the connection drops) and cycles through every scenario of the world whose expected verdict
is allow, audit or deny, sending it as a Pod review and comparing the answer's `allowed` (and
warnings, for audit) with the expectation. Runs until STOP_FILE exists, then prints the counts
as JSON on stdout. A failed request (no answer, a non-200 status) and a wrong verdict are both
failures; nothing is retried.
"""
import http.client, json, ssl, sys, threading, time, collections

host, port, world_path, stop_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
workers = int(sys.argv[5]) if len(sys.argv) > 5 else 8
world = json.load(open(world_path))

def review(uid, image):
    return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"}, "operation": "CREATE",
        "namespace": "prod", "name": "p", "userInfo": {"username": "chaos"},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "prod"},
                   "spec": {"containers": [{"name": "app", "image": image}]}}}}).encode()

cases = [(i["scenario"], i["reference"], i["expected"]) for i in world["images"]
         if i.get("expected") in ("allow", "audit", "deny") and not i.get("after")]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the certificate is rotated mid-run; TLS itself is what is exercised
counts = collections.Counter()
failures = collections.Counter()
lock = threading.Lock()
stop = threading.Event()

def worker(index):
    connection = None
    n = 0
    while not stop.is_set():
        scenario, image, expected = cases[(index + n) % len(cases)]
        n += 1
        try:
            if connection is None:
                connection = http.client.HTTPSConnection(host, port, context=context, timeout=15)
            connection.request("POST", "/validate?timeout=10s", body=review(f"chaos-{index}-{n}", image),
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            body = answer.read()
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
            if answer.status != 200:
                raise RuntimeError(f"HTTP {answer.status}: {body[:120]!r}")
            response = json.loads(body)["response"]
            # auditAnnotations.decision names the verdict of a flagged review ("audit" or "deny");
            # an allowed review without findings has none (tag-resolution warnings are advisory).
            decision = json.loads(response.get("auditAnnotations", {}).get("decision", "{}") or "{}")
            verdict = "deny" if not response["allowed"] else decision.get("verdict", "allow")
            ok = verdict == expected
            with lock:
                counts["reviews"] += 1
                if not ok:
                    failures[f"wrong verdict for {scenario}: {verdict}, expected {expected}"] += 1
        except Exception as error:  # noqa: BLE001 - every failure is counted, by kind
            with lock:
                counts["reviews"] += 1
                failures[f"request failed: {type(error).__name__}"] += 1
            if connection is not None:
                connection.close()
            connection = None

threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
started = time.monotonic()
for t in threads:
    t.start()
import os
while not os.path.exists(stop_file):
    time.sleep(0.05)
stop.set()
for t in threads:
    t.join(timeout=20)
elapsed = time.monotonic() - started
print(json.dumps({"reviews": counts["reviews"], "failed": sum(failures.values()), "seconds": round(elapsed, 1),
                  "rate": round(counts["reviews"] / elapsed, 1), "failures": dict(failures), "scenarios": len(cases)}))
