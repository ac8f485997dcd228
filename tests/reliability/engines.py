"""Search engines for failure tests: a Meilisearch stand-in, and a proxy that can hang.

`HangingProxy` sits between the forum and an engine. "forward": it relays bytes
both ways. "hang": it accepts new connections and never answers (reads and
drops what it is sent), the way an engine stuck in a long compaction or a
half-dead host behaves; the client sees only its own timeout.

`MeiliStandIn` answers the part of Meilisearch's HTTP API the forum's client
uses (indexes, settings, tasks, documents, search), keeping documents in memory
and finishing every task at once. It is used when no real Meilisearch is
configured (FORUM_TEST_MEILI_URL); its search is a plain word match, enough to
say whether a document reached the engine. The forum itself is always driven
through the official `meilisearch` client, over HTTP.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


class MeiliStandIn:
    def __init__(self) -> None:
        self.indexes: dict[str, dict[int, dict[str, Any]]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _body(self) -> Any:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else None

            def _send(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._send(*stand_in.handle("GET", self.path, None))

            def do_POST(self) -> None:  # noqa: N802
                self._send(*stand_in.handle("POST", self.path, self._body()))

            def do_PATCH(self) -> None:  # noqa: N802
                self._send(*stand_in.handle("PATCH", self.path, self._body()))

            def do_PUT(self) -> None:  # noqa: N802
                self._send(*stand_in.handle("PUT", self.path, self._body()))

            def do_DELETE(self) -> None:  # noqa: N802
                self._send(*stand_in.handle("DELETE", self.path, self._body()))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def documents(self, index: str) -> dict[int, dict[str, Any]]:
        with self._lock:
            return dict(self.indexes.get(index, {}))

    def _task(self, index: str | None, kind: str) -> tuple[int, dict[str, Any]]:
        now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        uid = len(self.tasks)
        self.tasks[uid] = {"uid": uid, "indexUid": index, "status": "succeeded", "type": kind,
                           "enqueuedAt": now, "startedAt": now, "finishedAt": now}
        return 202, {"taskUid": uid, "indexUid": index, "status": "enqueued", "type": kind, "enqueuedAt": now}

    def handle(self, method: str, raw_path: str, body: Any) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        path, query = parts.path.rstrip("/"), parse_qs(parts.query)
        with self._lock:
            if path == "/health":
                return 200, {"status": "available"}
            if path == "/indexes" and method == "POST":
                self.indexes.setdefault(body["uid"], {})
                return self._task(body["uid"], "indexCreation")
            if path == "/tasks":
                return 200, {"results": [], "limit": 20, "from": None, "next": None, "total": 0}
            if match := re.fullmatch(r"/tasks/(\d+)", path):
                return 200, self.tasks[int(match.group(1))]
            match = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
            if not match:
                return 404, {"message": f"not in the stand-in: {method} {path}", "code": "not_found"}
            name, rest = match.group(1), match.group(2) or ""
            docs = self.indexes.setdefault(name, {})
            if rest == "/settings":
                return self._task(name, "settingsUpdate")
            if rest == "/documents" and method in ("POST", "PUT"):
                for doc in body:
                    docs[int(doc["id"])] = doc
                return self._task(name, "documentAdditionOrUpdate")
            if rest == "/documents/delete-batch":
                for doc_id in body:
                    docs.pop(int(doc_id), None)
                return self._task(name, "documentDeletion")
            if rest == "/documents" and method == "DELETE":
                docs.clear()
                return self._task(name, "documentDeletion")
            if rest in ("/documents/fetch", "/documents"):
                params = body or {k: v[0] for k, v in query.items()}
                offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
                ids = sorted(docs)[offset:offset + limit]
                return 200, {"results": [{"id": i} for i in ids], "offset": offset, "limit": limit,
                             "total": len(docs)}
            if rest == "/search":
                return 200, self._search(docs, body)
            if rest == "" and method == "DELETE":
                self.indexes.pop(name, None)
                return self._task(name, "indexDeletion")
            return 404, {"message": f"not in the stand-in: {method} {path}", "code": "not_found"}

    @staticmethod
    def _search(docs: dict[int, dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        words = [w for w in re.findall(r"\w+", _fold(body.get("q") or ""))]
        pre, post = body.get("highlightPreTag", "<em>"), body.get("highlightPostTag", "</em>")
        hits = []
        for doc in sorted(docs.values(), key=lambda d: -int(d["created_at"])):
            text = _fold(f"{doc['title']} {doc['body']}")
            if words and all(w in text for w in words):
                body_text = doc["body"]
                for word in words:
                    body_text = re.sub(f"({re.escape(word)})", f"{pre}\\1{post}", body_text, flags=re.I)
                hits.append({**doc, "_formatted": {**doc, "body": body_text}})
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 20))
        return {"hits": hits[offset:offset + limit], "estimatedTotalHits": len(hits), "query": body.get("q"),
                "processingTimeMs": 0, "offset": offset, "limit": limit}


class HangingProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.hanging = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._held: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        self.hanging.set()

    def answer(self) -> None:
        self.hanging.clear()

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        for conn in self._held:
            conn.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                return
            if self.hanging.is_set():
                self._held.append(conn)  # accepted, read, never answered
                threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()
            else:
                threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    @staticmethod
    def _swallow(conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def _relay(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream)
        except OSError:
            conn.close()
            return

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
        pump(conn, upstream)
