"""A small HTTP server on 127.0.0.1 that answers /api/v1/query_range like Prometheus (matrix
results, string values, the 11,000-points-per-series refusal), for the Prometheus source tests."""

from __future__ import annotations

import json
import math
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Series = tuple[dict[str, str], Callable[[int], float]]


class FakePrometheus:
    def __init__(self, data: dict[str, list[Series]]) -> None:
        """`data`: query text (or its prefix, for long PromQL) -> series (labels, value of time)."""
        self.data = data
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(urllib.parse.urlparse(self.path).query)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self._answer(self.rfile.read(length).decode())

            def _answer(self, form: str) -> None:
                params = {k: v[0] for k, v in urllib.parse.parse_qs(form).items()}
                code, body = fake.query_range(params)
                payload = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePrometheus:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def query_range(self, params: dict[str, str]) -> tuple[int, dict]:
        self.requests.append(params)
        try:
            start, end = float(params["start"]), float(params["end"])
            step = float(params["step"])
            query = params["query"]
        except (KeyError, ValueError):
            return 400, {"status": "error", "errorType": "bad_data", "error": "invalid parameter"}
        if (end - start) / step > 11_000:
            return 400, {
                "status": "error",
                "errorType": "bad_data",
                "error": "exceeded maximum resolution of 11,000 points per timeseries. "
                "Try decreasing the query resolution (?step=XX)",
            }
        if query == "syntax error(":
            return 400, {"status": "error", "errorType": "bad_data", "error": "parse error"}
        matched = next((v for k, v in self.data.items() if query.startswith(k)), [])
        result = []
        steps = int(math.floor((end - start) / step))
        for labels, value in matched:
            values = []
            for i in range(steps + 1):
                t = int(start + i * step)
                v = value(t)
                values.append([t, "NaN" if math.isnan(v) else repr(v)])
            result.append({"metric": labels, "values": values})
        return 200, {"status": "success", "data": {"resultType": "matrix", "result": result}}
