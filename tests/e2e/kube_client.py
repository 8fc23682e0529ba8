"""A minimal Kubernetes REST client on the standard library (no PyPI dependency).

Reads a kubeconfig with inline client certificate data, as `scripts/kube-local up` writes it
(JSON; a YAML kubeconfig is accepted too when PyYAML happens to be installed).
"""

import base64
import http.client
import json
import os
import ssl
import tempfile
import threading
import urllib.parse


class KubeError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def load_kubeconfig(path):
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        import yaml  # only for hand-written kubeconfigs

        return yaml.safe_load(text)


class Kube:
    """Thread-safe: one HTTPS connection per thread, re-opened after errors."""

    def __init__(self, kubeconfig):
        cfg = load_kubeconfig(kubeconfig)
        ctx_name = cfg["current-context"]
        ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
        cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
        user = next(u["user"] for u in cfg["users"] if u["name"] == ctx["user"])
        self.server = cluster["server"]
        url = urllib.parse.urlparse(self.server)
        self.host, self.port = url.hostname, url.port or 443
        self._dir = tempfile.mkdtemp(prefix="kube-client-")
        self.ca_file = self._write("ca.crt", cluster["certificate-authority-data"])
        self.ssl = ssl.create_default_context(cafile=self.ca_file)
        if "client-certificate-data" in user:
            self.ssl.load_cert_chain(
                self._write("client.crt", user["client-certificate-data"]),
                self._write("client.key", user["client-key-data"]),
            )
        self.token = user.get("token")
        self._local = threading.local()

    def _write(self, name, b64):
        path = os.path.join(self._dir, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(b64))
        return path

    @property
    def ca_pem(self):
        with open(self.ca_file) as f:
            return f.read()

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.ssl, timeout=30)
            self._local.conn = conn
        return conn

    def request(self, method, path, body=None, content_type="application/json", params=None):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        for attempt in (0, 1):
            conn = self._conn()
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt:
                    raise
        text = raw.decode(errors="replace")
        if resp.status >= 300:
            raise KubeError(resp.status, text)
        return json.loads(text) if text else None

    def get(self, path, **params):
        return self.request("GET", path, params=params or None)

    def get_or_none(self, path):
        try:
            return self.get(path)
        except KubeError as e:
            if e.status == 404:
                return None
            raise

    def post(self, path, body):
        return self.request("POST", path, body)

    def put(self, path, body):
        return self.request("PUT", path, body)

    def merge_patch(self, path, body):
        return self.request("PATCH", path, body, "application/merge-patch+json")

    def delete(self, path, body=None):
        return self.request("DELETE", path, body)
