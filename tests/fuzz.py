"""Schemathesis driven in-process: cases generated from the API's own OpenAPI schema, sent
through Django's WSGI handler as one user after another, every response checked, every
failure kept.

Failures are collected, never raised inside Hypothesis: nothing is shrunk or retried, and
the test reports them all at once. Each operation draws its cases from a fixed seed of its
own, so a run sends the same requests every time, whatever the code around it, and the
example database is off: ``.hypothesis/`` (ignored by git) only gets Hypothesis's caches.
"""

import json
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_URL = "/api/schema/?format=json"
# No 5xx; every status, media type and body as the schema documents them; invalid input refused.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
SEED = 9
EXCERPT = 300


@contextmanager
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, sharing the test's connection and transaction.

    A request closes the connection when it ends; Django's test client keeps it open the
    same way, so that every request sees the seeded rows and leaves with the test's rollback.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(app: WSGIHandler, *, token: str):
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app, headers=auth_header(token))
    # Every request carries a valid token; who may do what is the access matrix's test.
    schema.config.generation.update(with_security_parameters=False)
    # Literals harvested from the application's modules are capped and gathered in no fixed
    # order, so they would make two runs send different requests.
    schema.config.analysis.constants.enabled = False
    return schema


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def explained(failure) -> str:
    """A failure's title and the first lines of its message (which part broke which rule)."""
    lines = [line for line in failure.message.splitlines() if line.strip()][:6]
    return "\n".join([f"{failure.title}:", *(f"  {line}" for line in lines)])


def excerpt(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


@dataclass(frozen=True)
class Finding:
    """One response that failed a check, with what it takes to send the request again."""

    role: str
    mode: str
    operation: str
    method: str
    url: str
    body: str
    status: int
    failures: tuple[str, ...]
    details: tuple[str, ...]
    response: str

    def __str__(self) -> str:
        return "\n".join(
            [
                f"{self.method} {self.url}  (as {self.role}, {self.mode} data)",
                f"  body: {self.body}",
                f"  -> {self.status}: {'; '.join(self.failures)}",
                *(f"     {line}" for detail in self.details for line in detail.splitlines()),
                f"  response: {self.response}",
            ]
        )


@dataclass
class Fuzzing:
    """One run over a schema: what was sent as whom, what came back, and what failed.

    ``ids`` names the seeded rows of each collection (``{"prospects": [...]}``): about half
    the cases of an operation with a path id use one of them, so that they reach real rows
    (and a body is validated, not refused first for naming no prospect); the others take any
    id the schema allows or, negative, does not.
    """

    schema: object
    ids: dict[str, list[int]]
    examples: int
    bodies: dict[str, st.SearchStrategy] = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)

    def run(self, *, role: str, token: str) -> None:
        """Up to ``examples`` positive and as many negative cases per operation, as ``role``."""
        operations = [result.ok() for result in self.schema.get_all_operations()]
        # Deletions last, so that the reads and changes of a row come before the row may be gone.
        operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
        for operation in operations:
            for mode in GenerationMode:
                strategy = self.cases(operation, mode)
                if strategy is not None:
                    self.send(strategy, role=role, token=token, seed_text=f"{role} {operation.label} {mode}")

    def cases(self, operation, mode: GenerationMode) -> st.SearchStrategy | None:
        inputs = len(operation.query) + len(operation.body)
        if mode.is_negative and not (inputs or len(operation.path_parameters)):
            return None  # Nothing to make invalid: /api/me/ reads no input.
        names = [parameter.name for parameter in operation.path_parameters]
        seeded = self.ids.get(operation.path.split("/")[2], [])
        anywhere = self.generated(operation, mode)
        if not names or not seeded or (mode.is_negative and not inputs):
            return anywhere
        on_rows = [self.generated(operation, mode, path_parameters={names[0]: pk}) for pk in seeded]
        return st.one_of(st.sampled_from(on_rows).flatmap(lambda strategy: strategy), anywhere)

    def generated(self, operation, mode: GenerationMode, **fixed) -> st.SearchStrategy:
        """Schemathesis's cases; positive ones half the time with a realistic body, if given.

        Generated bodies rarely get through intake's rules (evidence per source type, an
        address that normalises, a declared purpose), so creation itself would go untested.
        """
        strategy = operation.as_strategy(generation_mode=mode, **fixed)
        realistic = self.bodies.get(operation.label)
        if mode.is_negative or realistic is None:
            return strategy
        return st.one_of(strategy, st.tuples(strategy, realistic).map(with_body))

    def send(self, strategy: st.SearchStrategy, *, role: str, token: str, seed_text: str) -> None:
        @seed(zlib.crc32(f"{SEED} {seed_text}".encode()))
        @settings(
            max_examples=self.examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def send_one(case) -> None:
            response = case.call(headers=auth_header(token))
            self.sent[role] += 1
            self.answered[(role, case.operation.label, response.status_code // 100)] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                self.findings.append(finding(case, response, group, role=role))

        send_one()

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def succeeded(self, role: str, operation: str) -> bool:
        return self.answered[(role, operation, 2)] > 0

    def report(self, *, examples: int = 2) -> str:
        """Each kind of failure once, with its count and the first requests that showed it."""
        kinds: dict[tuple, list[Finding]] = {}
        for found in self.findings:
            kinds.setdefault((found.operation, found.status, found.failures), []).append(found)
        parts = [f"{len(self.findings)} failing responses of {self.total} sent, {len(kinds)} kinds:"]
        for (operation, status, failures), found in kinds.items():
            parts.append(f"\n{operation} -> {status} {'; '.join(failures)} ({len(found)} times)")
            parts.extend(str(one) for one in found[:examples])
        return "\n".join(parts)


def with_body(pair: tuple) -> object:
    case, body = pair
    case.body = body
    return case


def finding(case, response, group: FailureGroup, *, role: str) -> Finding:
    return Finding(
        role=role,
        mode=case.meta.generation.mode.value if case.meta else "unknown",
        operation=case.operation.label,
        method=case.method,
        url=response.request.url,
        body=excerpt(response.request.body or ""),
        status=response.status_code,
        failures=tuple(sorted({failure.title for failure in group.exceptions})),
        details=tuple(sorted({explained(failure) for failure in group.exceptions})),
        response=excerpt(response.content),
    )
