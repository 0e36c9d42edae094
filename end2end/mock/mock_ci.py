"""The mock authorization server as a foreign app's CI uses it, with the standard library only.

Starts the server binary (argument 1) in mock mode with a seed file carrying signing keys,
waits for /readyz, mints a token through the control API, checks that the JWKS is the seeded
one, injects a temporarily_unavailable fault and sees it (in the answer and in the request
journal), moves the clock past the token's expiry and sees the token refused. Prints one line
per check and the time to ready; exits non-zero on the first failure.

The seed is end2end/mock/ci-seed.json (the app's clients, users and policies) with the test-only
keys of tests/fixtures/seed-keys.json added as its "keys".
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ADMIN = ("admin", "mock-ci-admin-password")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call(base, method, path, body=None, auth=None, form=None):
    """One request; returns (status, headers, parsed JSON or text)."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = form.encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth:
        headers["Authorization"] = auth
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, hdrs, parsed


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def b64url_json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def main():
    binary = sys.argv[1]
    with open(os.path.join(HERE, "ci-seed.json")) as f:
        seed = json.load(f)
    with open(os.path.join(ROOT, "tests", "fixtures", "seed-keys.json")) as f:
        seed["keys"] = json.load(f)["keys"]
    work = tempfile.mkdtemp(prefix="mock-ci-")
    seed_path = os.path.join(work, "seed.json")
    with open(seed_path, "w") as f:
        json.dump(seed, f)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SANDBOX_MOCK="true", RUST_LOG="warn")
    started = time.monotonic()
    server = subprocess.Popen(
        [binary, "--addr", f"127.0.0.1:{port}", "--issuer", base, "--no-demo",
         "--database-url", f"sqlite://{work}/mock.db", "--seed", seed_path,
         "--admin-password", ADMIN[1]],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        ready = None
        while time.monotonic() - started < 30:
            if server.poll() is not None:
                print(server.stderr.read().decode(errors="replace"))
                check(False, "the server started")
            try:
                status, _, _ = call(base, "GET", "/readyz")
                if status == 200:
                    ready = time.monotonic() - started
                    break
            except OSError:
                pass
            time.sleep(0.01)
        check(ready is not None, "GET /readyz answered 200")
        print(f"time to ready: {ready * 1000:.0f} ms")
        admin = basic(*ADMIN)

        # A token without a browser.
        status, headers, minted = call(
            base, "POST", "/mock/token", auth=admin,
            body={"client_id": "orders-service", "sub": "tester", "scope": "patient.read",
                  "claims": {"tenant": "acme"}, "expires_in": 60, "kind": "access"},
        )
        check(status == 200 and headers.get("Cache-Control") == "no-store",
              "POST /mock/token minted a token (no-store)")
        token = minted["access_token"]
        header, claims = (b64url_json(p) for p in token.split(".")[:2])
        check(claims["sub"] == "tester" and claims["tenant"] == "acme" and claims["mock"] is True,
              "the token carries its subject, its extra claim and mock: true")

        # The JWKS is the seeded one: the same kids and public parts.
        status, _, jwks = call(base, "GET", "/.well-known/jwks.json")
        published = {k["kid"]: k for k in jwks["keys"]}
        seeded = {k["kid"]: k for k in seed["keys"]}
        check(set(published) == set(seeded), f"the JWKS holds exactly the seeded kids {sorted(seeded)}")
        for kid, key in seeded.items():
            public = {m: key[m] for m in ("n", "e", "x", "y", "crv") if m in key}
            check(all(published[kid].get(m) == v for m, v in public.items())
                  and "d" not in published[kid],
                  f"{kid}: the published key is the seeded key's public half")
        check(header["kid"] == seed["keys"][0]["kid"], "the first seeded key signed the token")

        bearer = f"Bearer {token}"
        status, _, _ = call(base, "GET", "/fhir/Patient", auth=bearer)
        check(status == 200, "the demo API accepts the minted token")

        # A fault: the next token request answers temporarily_unavailable.
        status, _, fault = call(base, "POST", "/mock/faults", auth=admin, body={
            "endpoint": "/auth/token", "status": 503, "error": "temporarily_unavailable",
            "count": 1, "delay_ms": 0})
        check(status == 201, "POST /mock/faults injected a fault")
        status, _, faults = call(base, "GET", "/mock/faults", auth=admin)
        check([f["id"] for f in faults["faults"]] == [fault["id"]], "GET /mock/faults lists it")
        client = basic("orders-service", "orders-service-secret")
        status, _, answer = call(base, "POST", "/auth/token", auth=client,
                                 form="grant_type=client_credentials")
        check(status == 503 and answer["error"] == "temporarily_unavailable",
              "the token endpoint answered 503 temporarily_unavailable")
        status, _, answer = call(base, "POST", "/auth/token", auth=client,
                                 form="grant_type=client_credentials")
        check(status == 200 and "access_token" in answer, "the next token request succeeded")

        # The journal shows both requests, the secret masked.
        status, _, journal = call(
            base, "GET", "/mock/requests?endpoint=/auth/token&client_id=orders-service",
            auth=admin)
        entries = journal["requests"]
        check([e["status"] for e in entries] == [503, 200] and entries[0]["fault"] == fault["id"],
              "GET /mock/requests shows the faulted and the good request")
        check("orders-service-secret" not in json.dumps(journal)
              and entries[0]["authorization"] == "Basic ***",
              "the journal masks the client secret")

        # The clock moves past the token's expiry: the token is refused.
        status, _, clock = call(base, "POST", "/mock/clock", auth=admin,
                                body={"advance_seconds": 61})
        check(status == 200 and clock["offset_seconds"] >= 61, "POST /mock/clock moved the clock 61 s")
        status, headers, _ = call(base, "GET", "/fhir/Patient", auth=bearer)
        check(status == 401 and "invalid_token" in headers.get("WWW-Authenticate", ""),
              "the expired token is refused (401 invalid_token)")
        status, _, facts = call(base, "POST", "/auth/introspect", auth=client,
                                form=f"token={token}")
        check(status == 200 and facts == {"active": False}, "introspection says active: false")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
