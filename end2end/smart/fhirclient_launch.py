"""A standalone and an EHR launch by the Python SMART client library `fhirclient`.

Starts the server binary (argument 1) on a fresh database, registers a public SMART app through
the admin REST API, then lets fhirclient discover the server (its CapabilityStatement), build
the authorization requests and redeem the codes, and read the patient in context. The person's
part (sign-in, the patient picker, consent) is played by a cookie-keeping HTTP session that
fills the server's HTML forms as a browser would. Prints one line per check; exits non-zero on
the first failure.
"""

import base64
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests
from fhirclient import client
from fhirclient.models.patient import Patient

ADMIN_PASSWORD = "fhirclient-admin-password"
REDIRECT = "http://127.0.0.1/py/callback"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        raise SystemExit(1)


def hidden(html, name):
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    if not m:
        raise SystemExit(f"FAIL no hidden {name} in page:\n{html[:2000]}")
    return m.group(1)


class Person:
    """Signs in, picks a patient and consents through the server's pages."""

    def __init__(self, issuer):
        self.issuer = issuer
        self.http = requests.Session()

    def follow(self, url, user, password, patient=None):
        """From an authorization URL to the redirect back to the app; returns that URL."""
        r = self.http.get(url, allow_redirects=False)
        for _ in range(8):
            if r.status_code in (302, 303):
                location = r.headers["location"]
                if location.startswith(REDIRECT):
                    return location
                r = self.http.get(urllib.parse.urljoin(self.issuer, location), allow_redirects=False)
                continue
            check("the server shows a page", r.status_code == 200, f"{r.status_code} {r.text[:500]}")
            html = r.text
            form = {"request": hidden(html, "request"), "csrf": hidden(html, "csrf")}
            if 'name="password"' in html:
                form.update(username=user, password=password)
                r = self.http.post(self.issuer + "/auth/login", data=form, allow_redirects=False)
            elif 'name="patient"' in html:
                check("the patient picker offers " + patient, f'value="{patient}"' in html)
                form["patient"] = patient
                r = self.http.post(self.issuer + "/auth/patient", data=form, allow_redirects=False)
            elif 'name="decision"' in html:
                form["decision"] = "approve"
                r = self.http.post(self.issuer + "/auth/consent", data=form, allow_redirects=False)
            else:
                raise SystemExit("FAIL an unexpected page:\n" + html[:2000])
        raise SystemExit("FAIL too many steps before the redirect")


def main():
    binary = sys.argv[1]
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp()
    server = subprocess.Popen(
        [binary, "--addr", f"127.0.0.1:{port}", "--issuer", issuer,
         "--database-url", f"sqlite://{data}/smart.db", "--admin-password", ADMIN_PASSWORD,
         "--log", "warn"],
    )
    try:
        for _ in range(200):
            try:
                if requests.get(issuer + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        admin = ("admin", ADMIN_PASSWORD)
        app = {
            "client_name": "fhirclient (Python)", "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT],
            "scope": "openid fhirUser launch launch/patient patient/*.rs",
            "launch_uri": "http://127.0.0.1/py/launch",
        }
        r = requests.put(issuer + "/Client/py-smart", json=app, auth=admin)
        check("the app is registered", r.status_code == 201, r.text)
        person = Person(issuer)

        # Standalone launch: launch/patient, and the person picks pat-2.
        smart = client.FHIRClient(settings={
            "app_id": "py-smart", "api_base": issuer + "/fhir", "redirect_uri": REDIRECT,
            "scope": "openid fhirUser launch/patient patient/*.rs",
        })
        url = smart.authorize_url
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        check("fhirclient found the authorize endpoint", url.startswith(issuer + "/auth/authorize"), url)
        check("fhirclient sends aud = the FHIR base", query.get("aud") == issuer + "/fhir", str(query))
        back = person.follow(url, "alice", "alice-password", patient="pat-2")
        smart.handle_callback(back)
        check("standalone: the token names the picked patient", smart.patient_id == "pat-2", str(smart.patient_id))
        patient = smart.patient
        check("standalone: fhirclient reads Patient/pat-2",
              isinstance(patient, Patient) and patient.id == "pat-2", repr(patient))
        print("     " + smart.human_name(patient.name[0]))
        other = smart.server.session.get(issuer + "/fhir/Patient/pat-1",
                                         headers={"Authorization": "Bearer " + smart.server.auth.access_token})
        check("standalone: another patient is 403 insufficient_scope",
              other.status_code == 403 and "insufficient_scope" in other.headers.get("www-authenticate", ""),
              f"{other.status_code} {other.text}")

        # EHR launch: the EHR (POST /Launch) opens the app's launch URL with iss and launch.
        r = requests.post(issuer + "/Launch", json={"client_id": "py-smart", "patient": "pat-3",
                                                    "fhirUser": "Practitioner/prac-1"}, auth=admin)
        check("POST /Launch answers 201", r.status_code == 201, r.text)
        launch_url = urllib.parse.urlsplit(r.json()["launch_url"])
        params = dict(urllib.parse.parse_qsl(launch_url.query))
        ehr = client.FHIRClient(settings={
            "app_id": "py-smart", "api_base": params["iss"], "redirect_uri": REDIRECT,
            "scope": "openid fhirUser launch patient/*.rs", "launch_token": params["launch"],
        })
        back = person.follow(ehr.authorize_url, "alice", "alice-password")
        ehr.handle_callback(back)
        check("EHR: the token names the launch's patient", ehr.patient_id == "pat-3", str(ehr.patient_id))
        check("EHR: fhirclient reads Patient/pat-3", ehr.patient.id == "pat-3")
        id_token = (ehr.launch_context or {}).get("id_token")
        check("EHR: an ID token came with the tokens", bool(id_token), str(ehr.launch_context))
        payload = id_token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        fhir_user = json.loads(base64.urlsafe_b64decode(payload)).get("fhirUser")
        check("EHR: the ID token's fhirUser is the launch's",
              fhir_user == issuer + "/fhir/Practitioner/prac-1", str(fhir_user))
        # The launch works once.
        again = client.FHIRClient(settings={
            "app_id": "py-smart", "api_base": params["iss"], "redirect_uri": REDIRECT,
            "scope": "openid fhirUser launch patient/*.rs", "launch_token": params["launch"],
        })
        back = person.follow(again.authorize_url, "alice", "alice-password")
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
        check("EHR: the same launch again is refused", answer.get("error") == "invalid_request"
              and "already used" in answer.get("error_description", ""), str(answer))
        print("fhirclient: all checks passed")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
