"""Traces: one API request's spans (the HTTP request and the SQL it ran) reach an OTLP endpoint as
one trace that names the request id and the school. The endpoint is a real OTLP/HTTP receiver on
loopback; the app runs in a process of its own, since tracing is set up once per process."""

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from oneclass.settings import PROJECT_ROOT
from tests.conftest import TEST_PASSWORD, SchoolFixture, make_school


class OtlpReceiver(ThreadingHTTPServer):
    """Collects every span POSTed to /v1/traces (OTLP over HTTP, protobuf)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ExportHandler)
        self.spans: list[dict[str, object]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ExportHandler(BaseHTTPRequestHandler):
    server: OtlpReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        export = ExportTraceServiceRequest.FromString(body) if self.path == "/v1/traces" else ExportTraceServiceRequest()
        for resource_spans in export.resource_spans:
            service = next(a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name")
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: a.value.string_value or a.value.int_value for a in span.attributes}
                    self.server.spans.append({
                        "service": service, "name": span.name, "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                        "parent_id": span.parent_span_id.hex(), "scope": scope_spans.scope.name, "attributes": attributes,
                    })
        self.send_response(200 if self.path == "/v1/traces" else 404)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    server = OtlpReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def school() -> SchoolFixture:
    return make_school("traced")


SIGN_IN_TRACED = """
from fastapi.testclient import TestClient
from oneclass.tracing import configure_tracing, flush_spans

assert configure_tracing("oneclass-test")
from oneclass.api import build_api

client = TestClient(build_api())
answer = client.post(
    "/api/v1/auth/login",
    headers={{"Host": "{subdomain}.localhost:3000", "X-Request-ID": "traced-request-1"}},
    json={{"email": "teacher@{subdomain}.test", "password": "{password}"}},
)
print(answer.status_code)
flush_spans()
"""


def test_one_requests_spans_form_one_trace_with_its_request_id_and_school(receiver: OtlpReceiver, school: SchoolFixture) -> None:
    code = textwrap.dedent(SIGN_IN_TRACED.format(subdomain=school.subdomain, password=TEST_PASSWORD))
    env = {**__import__("os").environ, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.split() == ["200"], done.stderr[-3000:]

    requests = [span for span in receiver.spans if span["attributes"].get("oneclass.request_id") == "traced-request-1"]
    assert len(requests) == 1, receiver.spans
    request = requests[0]
    assert request["service"] == "oneclass-test" and request["parent_id"] == ""
    assert request["attributes"]["oneclass.school"] == school.subdomain
    in_trace = [span for span in receiver.spans if span["trace_id"] == request["trace_id"]]
    sql = [span for span in in_trace if span["scope"] == "oneclass.db"]
    assert sql, in_trace  # the sign-in read the account and wrote the session
    ids = {span["span_id"] for span in in_trace}
    assert all(span["parent_id"] in ids for span in in_trace if span is not request)  # one tree under the request
