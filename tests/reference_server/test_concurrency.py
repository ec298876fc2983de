"""200 concurrent keep-alive connections: no resets, no 5xx (docs/architecture.md, "The
reference server under load": the stdlib server's backlog of 5 resets connections under load;
this server must not).

httpcore's async pool scans every connection for every queued request, so one AsyncClient with
200 connections spends seconds of client CPU per few hundred requests. The test therefore opens
the 200 connections once through one such client (and counts them from the server's side), and
drives the 2000-request load through 200 single-connection clients: the same 200 concurrent
keep-alive connections, without the client-side quadratic cost.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from .helpers import CUSTOMER_ADD, CUSTOMER_GET, TOKEN_HEADER, ServerProcess, customer_body, unique_mobile

CONNECTIONS = 200
REQUESTS_PER_CONNECTION = 10


def _established(server_pid: int, port: int | None) -> int:
    """Server-side ESTABLISHED sockets on `port`, from /proc (Linux; no psutil dependency)."""
    count = 0
    for table in (f"/proc/{server_pid}/net/tcp", f"/proc/{server_pid}/net/tcp6"):
        with open(table) as handle:
            next(handle)  # column titles
            for line in handle:
                local, state = line.split()[1], line.split()[3]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


async def _request(http: httpx.AsyncClient, i: int, token: str) -> int:
    if i % 4 == 0:
        response = await http.post(CUSTOMER_ADD, json=customer_body(unique_mobile()), headers={TOKEN_HEADER: token})
    elif i % 4 == 1:
        response = await http.get("/.well-known/jwks.json")
    else:
        response = await http.get(CUSTOMER_GET, params={"mobile": str(i)}, headers={TOKEN_HEADER: token})
    return response.status_code


async def _one_pool_of_200(base_url: str, token: str, pid: int) -> tuple[list[int | BaseException], int]:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:
        results = await asyncio.gather(*(_request(http, i, token) for i in range(CONNECTIONS)),
                                       return_exceptions=True)
        return results, _established(pid, urlsplit(base_url).port)  # the pool still holds them


async def _200_clients(base_url: str, token: str, pid: int) -> tuple[list[int | BaseException], int]:
    # One shared SSL context: each new client would otherwise load the CA bundle (~30 ms apiece).
    tls = ssl.create_default_context()
    clients = [httpx.AsyncClient(base_url=base_url, timeout=30, verify=tls, limits=httpx.Limits(max_connections=1))
               for _ in range(CONNECTIONS)]

    async def worker(n: int) -> list[int | BaseException]:
        out: list[int | BaseException] = []
        for k in range(REQUESTS_PER_CONNECTION):
            try:
                out.append(await _request(clients[n], n * REQUESTS_PER_CONNECTION + k, token))
            except httpx.HTTPError as exc:
                out.append(exc)
        return out

    try:
        per_worker = await asyncio.gather(*(worker(n) for n in range(CONNECTIONS)))
        return [r for results in per_worker for r in results], _established(pid, urlsplit(base_url).port)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def _check(results: list[int | BaseException], established: int) -> None:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} transport errors, first: {errors[0]!r}"
    assert all(status == 200 for status in results), sorted({s for s in results if isinstance(s, int) and s != 200})
    assert established >= CONNECTIONS * 0.95, f"only {established} connections were open at once"


def test_one_client_opens_200_keep_alive_connections(server: ServerProcess, token: Callable[[str], str]) -> None:
    _check(*asyncio.run(_one_pool_of_200(server.base_url, token("pos_gateway"), server.proc.pid)))


def test_2000_requests_over_200_keep_alive_connections(server: ServerProcess, token: Callable[[str], str]) -> None:
    results, established = asyncio.run(_200_clients(server.base_url, token("pos_gateway"), server.proc.pid))
    assert len(results) == CONNECTIONS * REQUESTS_PER_CONNECTION
    _check(results, established)
