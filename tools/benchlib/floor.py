"""The floor of the stack: what RabbitMQ through oslo.messaging and PostgreSQL cost on
this machine before any workflow logic runs.

A chain hop of any Mistral-shaped service is at least one cast to an executor, one cast
of the result back, and one transaction that records the result and creates the next
task. A single-task execution is at least one RPC call from the API to the engine, those
two casts, and two HTTP requests (start it, see it finished); its ceiling here counts
only those, not its transactions, so it is generous. Timing the bare operations gives
the fastest any implementation on this stack can be on this machine, and so the largest
ratio against a measured upstream figure that is reachable at all.

The far side of each measurement runs in a child process, as the services do: an
oslo.messaging echo server (threading executor), and a pecan + WSME app on waitress.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings

ECHO_SECONDS = 120.0


def _transport(url):
    with warnings.catch_warnings():
        # Importing oslo.messaging warns that eventlet is deprecated; nothing here uses it.
        warnings.simplefilter("ignore")
        import oslo_messaging as messaging
    from oslo_config import cfg

    # oslo.messaging registers some of its options (tracing) on the global CONF only.
    if not getattr(_transport, "parsed", False):
        cfg.CONF([], project="bench-floor")
        _transport.parsed = True
    transport = messaging.get_rpc_transport(cfg.CONF, url=url)
    if url.startswith("rabbit"):
        # The measurement's queues go with it instead of piling up on the broker.
        cfg.CONF.set_override("amqp_auto_delete", True, group="oslo_messaging_rabbit")
    return messaging, transport


def echo_main(url: str, topic: str, seconds: float) -> None:
    """The echo side: answers calls, and casts every ``ping`` back to ``topic + '_back'``."""
    messaging, transport = _transport(url)
    back = messaging.get_rpc_client(transport, messaging.Target(topic=topic + "_back"))

    class Endpoint:
        def ping(self, ctxt, i):
            back.cast({}, "pong", i=i)

        def call(self, ctxt, i):
            return i

    server = messaging.get_rpc_server(
        transport, messaging.Target(topic=topic, server="echo"), [Endpoint()]
    )
    server.start()
    print("ready", flush=True)
    time.sleep(seconds)
    server.stop()
    server.wait()


def _start_child(args):
    tools_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=tools_dir, PYTHONWARNINGS="ignore")
    errors = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchlib.floor", *args, str(ECHO_SECONDS)],
        stdout=subprocess.PIPE, stderr=errors, text=True, env=env,
    )
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        proc.wait()
        errors.seek(0)
        tail = errors.read()[-2000:]
        raise RuntimeError("the echo process of the floor did not start:\n" + tail)
    errors.close()
    return proc


def measure_broker(url: str, rounds: int = 300, callers: int = 10,
                   seconds: float = 3.0) -> dict:
    """Cast round trips one at a time, and RPC calls with ``callers`` in flight."""
    topic = "bench_floor_" + uuid.uuid4().hex[:8]
    messaging, transport = _transport(url)
    echo = _start_child(["broker", url, topic])
    arrived = threading.Event()

    class Back:
        def pong(self, ctxt, i):
            arrived.set()

    server = messaging.get_rpc_server(
        transport, messaging.Target(topic=topic + "_back", server="bench"), [Back()]
    )
    server.start()
    try:
        client = messaging.get_rpc_client(transport, messaging.Target(topic=topic),
                                          timeout=30)
        round_trips = []
        for i in range(rounds + 20):
            arrived.clear()
            started = time.perf_counter()
            client.cast({}, "ping", i=i)
            if not arrived.wait(10):
                raise RuntimeError("a cast was not echoed within 10 s")
            if i >= 20:  # the first ones open connections and declare queues
                round_trips.append(time.perf_counter() - started)
        client.call({}, "call", i=0)
        calls = _rate(lambda n: lambda: client.call({}, "call", i=n), callers, seconds)
    finally:
        server.stop()
        server.wait()
        echo.kill()
        echo.wait()
        transport.cleanup()
    return {"cast_round_trip_p50_s": statistics.median(round_trips),
            "cast_round_trip_min_s": min(round_trips),
            "calls_per_s": calls, "callers": callers}


def _rate(work, workers, seconds):
    """Calls per second with ``workers`` threads calling at once; thread ``n`` calls
    what ``work(n)`` returns, so each can keep its own connection."""
    done = [0] * workers
    stop = time.monotonic() + seconds

    def worker(n):
        call = work(n)
        while time.monotonic() < stop:
            call()
            done[n] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def http_echo_main(port: int, seconds: float) -> None:
    """A pecan + WSME controller answering one small object, served by waitress: the
    API's stack with nothing behind it."""
    import pecan
    import pecan.rest
    import waitress.server
    import wsmeext.pecan as wsme_pecan
    from wsme import types as wtypes

    class State(wtypes.Base):
        id = wtypes.text
        state = wtypes.text

    class Root(pecan.rest.RestController):
        @wsme_pecan.wsexpose(State, wtypes.text)
        def get_one(self, id):
            return State(id=id, state="SUCCESS")

    app = pecan.make_app(Root())
    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    print("ready", flush=True)
    time.sleep(seconds)


def measure_http(clients: int = 10, seconds: float = 3.0) -> dict:
    """GET requests per second through pecan, WSME and waitress, ``clients`` at once."""
    import socket

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    echo = _start_child(["http", str(port)])
    try:
        url = "http://127.0.0.1:%d/x" % port

        def getter(n):
            session = requests.Session()
            return lambda: session.get(url).raise_for_status()

        rate = _rate(getter, clients, seconds)
    finally:
        echo.kill()
        echo.wait()
    return {"http_requests_per_s": rate, "http_clients": clients}


# One hop of a chain as statements: lock the execution, load the finished action and its
# task, store the result, finish the task, create the next task and its action.
_HOP_SETUP = (
    "CREATE TEMP TABLE floor_wf (id text PRIMARY KEY, state text, ctx text)",
    "CREATE TEMP TABLE floor_task (id text PRIMARY KEY, wf_id text, state text, ctx text)",
    "CREATE TEMP TABLE floor_action (id text PRIMARY KEY, task_id text, state text, "
    "output text)",
    "CREATE INDEX ON floor_task (wf_id)",
    "INSERT INTO floor_wf VALUES ('wf', 'RUNNING', '{}')",
)


def measure_database(dsn: str, rounds: int = 300) -> dict:
    """Hop-shaped transactions (six statements between BEGIN and COMMIT) one at a time."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        cur = conn.cursor()
        for stmt in _HOP_SETUP:
            cur.execute(stmt)
        conn.commit()
        task_id, action_id = "t0", "a0"
        cur.execute("INSERT INTO floor_task VALUES (%s, 'wf', 'RUNNING', '{}')", (task_id,))
        cur.execute("INSERT INTO floor_action VALUES (%s, %s, 'RUNNING', NULL)",
                    (action_id, task_id))
        conn.commit()
        times = []
        for i in range(1, rounds + 1):
            started = time.perf_counter()
            cur.execute("SELECT * FROM floor_wf WHERE id = 'wf' FOR UPDATE")
            cur.fetchall()
            cur.execute("SELECT a.*, t.* FROM floor_action a JOIN floor_task t "
                        "ON t.id = a.task_id WHERE a.id = %s", (action_id,))
            cur.fetchall()
            cur.execute("UPDATE floor_action SET state = 'SUCCESS', output = '{}' "
                        "WHERE id = %s", (action_id,))
            cur.execute("UPDATE floor_task SET state = 'SUCCESS' WHERE id = %s", (task_id,))
            task_id, action_id = "t%d" % i, "a%d" % i
            cur.execute("INSERT INTO floor_task VALUES (%s, 'wf', 'RUNNING', '{}')",
                        (task_id,))
            cur.execute("INSERT INTO floor_action VALUES (%s, %s, 'RUNNING', NULL)",
                        (action_id, task_id))
            conn.commit()
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    return {"hop_transaction_p50_s": statistics.median(times[20:] or times)}


def measure(transport_url: str, dsn: str) -> dict:
    """Both floors and what follows from them."""
    result = dict(measure_broker(transport_url))
    result.update(measure_database(dsn))
    result.update(measure_http())
    hop = result["cast_round_trip_p50_s"] + result["hop_transaction_p50_s"]
    result["chain_hop_floor_s"] = hop
    result["chain20_floor_s"] = 20 * hop
    # A single-task execution is at least one RPC call and two casts (about two calls'
    # worth of messages) and two HTTP requests (start it, see it finished). Each rate
    # was measured with the machine busy, so their costs add up.
    per_exec = 2 / result["calls_per_s"] + 2 / result["http_requests_per_s"]
    result["single_ceiling_execs_per_s"] = 1 / per_exec
    return result


def upstream_figures(results: list[dict]) -> dict:
    """Upstream's chain20 time and single-task rate from a saved run, where present."""
    by_name = {r.get("scenario"): r for r in results}
    figures = {}
    if (by_name.get("chain20") or {}).get("p50_s"):
        figures["chain20_s"] = by_name["chain20"]["p50_s"]
    if (by_name.get("single") or {}).get("executions_per_s"):
        figures["single_execs_per_s"] = by_name["single"]["executions_per_s"]
    return figures


def text_report(floor: dict, upstream: dict | None = None) -> str:
    """The floor as a table; with upstream's chain20 and single figures, the largest
    ratios any implementation on this stack could show against them."""
    ms = 1000.0
    lines = [
        "floor of the stack on this machine (no workflow logic)",
        "",
        "oslo.messaging cast round trip over the broker, p50  %7.2f ms (min %.2f)"
        % (floor["cast_round_trip_p50_s"] * ms, floor["cast_round_trip_min_s"] * ms),
        "oslo.messaging calls/s with %d in flight             %7.0f"
        % (floor["callers"], floor["calls_per_s"]),
        "hop-shaped PostgreSQL transaction, p50              %7.2f ms"
        % (floor["hop_transaction_p50_s"] * ms),
        "chain hop floor (round trip + transaction)          %7.2f ms"
        % (floor["chain_hop_floor_s"] * ms),
        "chain20 floor                                       %7.3f s"
        % floor["chain20_floor_s"],
        "HTTP GETs/s through pecan + WSME, %d clients         %7.0f"
        % (floor["http_clients"], floor["http_requests_per_s"]),
        "single-task executions/s ceiling (2 calls + 2 GETs) %7.0f"
        % floor["single_ceiling_execs_per_s"],
    ]
    if upstream:
        lines.append("")
        chain = upstream.get("chain20_s")
        if chain:
            lines.append("largest possible chain20 ratio vs upstream %.3f s     %7.1fx"
                         % (chain, chain / floor["chain20_floor_s"]))
        single = upstream.get("single_execs_per_s")
        if single:
            lines.append("largest possible single ratio vs upstream %.1f/s      %7.1fx"
                         % (single, floor["single_ceiling_execs_per_s"] / single))
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "http":
        http_echo_main(int(sys.argv[2]), float(sys.argv[3]))
    else:
        echo_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))
