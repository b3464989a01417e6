"""pgqueuer reference for bench/queue_refs: drains N no-op jobs and prints one RESULT line.

Usage: queue_pgqueuer.py DSN N [CONSUMERS]. DSN names a fresh, empty database. Installs pgqueuer's
schema, enqueues N jobs in one bulk `enqueue` (lists), then times from the consumers' start until
`QueueManager.run(mode=drain)` returns: the queue is empty and the completion log is flushed.
Batch size 100 (the issue's setting), asyncpg and uvloop (pgqueuer's recommended driver and the loop
its own CLI and benchmark use). CONSUMERS QueueManagers run on one event loop, each on its own
connection, as pgqueuer's own drain benchmark does (`tools/benchmark.py --dequeue`, default 5, the
default here too: on this 2-core machine 1 drains ~8,600 jobs/s, 2 ~10,000, 4 and 8 ~13,000).
Everything but the RESULT line goes to stderr.
"""

import asyncio
import sys
import time

import asyncpg
import uvloop
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.models import Job
from pgqueuer.types import QueueExecutionMode

BATCH_SIZE = 100  # the best setting for pgqueuer


async def main(dsn: str, n: int, consumers: int) -> None:
    setup = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(setup))
    await queries.install()
    await queries.enqueue(["noop"] * n, [None] * n, [0] * n)
    print(f"pgqueuer: enqueued {n} jobs", file=sys.stderr)

    done = 0
    managers = []
    for _ in range(consumers):
        qm = QueueManager(Queries(AsyncpgDriver(await asyncpg.connect(dsn))))

        @qm.entrypoint("noop")
        async def noop(job: Job) -> None:  # the no-op task: only counted
            nonlocal done
            done += 1

        managers.append(qm)

    start = time.perf_counter()
    await asyncio.gather(
        *(qm.run(batch_size=BATCH_SIZE, mode=QueueExecutionMode.drain) for qm in managers)
    )
    seconds = time.perf_counter() - start

    # Honest check: every job ran once, the queue table is empty and each job is logged successful.
    left = await setup.fetchval("SELECT count(*) FROM pgqueuer")
    ok = await setup.fetchval("SELECT count(*) FROM pgqueuer_log WHERE status = 'successful'")
    if done != n or left != 0 or ok != n:
        sys.exit(f"pgqueuer: drained badly: ran {done}, left {left}, logged successful {ok} of {n}")
    print(f"RESULT tool=pgqueuer jobs={n} seconds={seconds:.3f} jobs_per_s={n / seconds:.0f}")


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 5))
