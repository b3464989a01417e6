// graphile-worker reference for bench/queue_refs: drains N no-op jobs and prints one RESULT line.
//
// Usage: node drain.js DSN N. DSN names a fresh, empty database. Installs graphile-worker's schema
// (runMigrations), enqueues N jobs with the bulk `addJobs`, then times from `run()` until the task
// has run N times and `runner.stop()` has returned (which flushes the batched completions).
// Settings (the best for 0.17), by their 0.17 preset names: `concurrentJobs: 24`,
// `localQueue.size: 25`, `completeJobBatchDelay: 0`; `maxPoolSize: 26` is the docs' advice
// (concurrentJobs + 2). The per-job "Completed task" info log is dropped (warnings and errors go to
// stderr), so the run measures the queue, not the console. Everything but the RESULT line is stderr.
"use strict";
const { Logger, makeWorkerUtils, run, runMigrations } = require("graphile-worker");

const [dsn, nArg] = process.argv.slice(2);
const n = Number(nArg);
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile-worker ${level}: ${message}`);
});
const preset = {
  worker: {
    connectionString: dsn,
    concurrentJobs: 24,
    localQueue: { size: 25 },
    completeJobBatchDelay: 0,
    maxPoolSize: 26,
    logger,
  },
};

async function main() {
  await runMigrations({ preset });
  const utils = await makeWorkerUtils({ preset });
  for (let i = 0; i < n; i += 10000) {
    const specs = [];
    for (let j = i; j < Math.min(n, i + 10000); j++) specs.push({ identifier: "noop", payload: {} });
    await utils.addJobs(specs);
  }
  console.error(`graphile-worker: enqueued ${n} jobs`);

  let done = 0;
  let allRan;
  const ran = new Promise((resolve) => (allRan = resolve));
  const start = process.hrtime.bigint();
  const runner = await run({
    preset,
    noHandleSignals: true,
    taskList: {
      noop: async () => {
        if (++done === n) allRan(); // the no-op task: only counted
      },
    },
  });
  await ran;
  await runner.stop();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  // Honest check: every job ran once and none is left in the queue (completed jobs are deleted).
  const left = await utils.withPgClient(async (c) =>
    Number((await c.query("SELECT count(*) FROM graphile_worker._private_jobs")).rows[0].count),
  );
  await utils.release();
  if (done !== n || left !== 0) {
    console.error(`graphile-worker: drained badly: ran ${done}, left ${left} of ${n}`);
    process.exit(1);
  }
  console.log(
    `RESULT tool=graphile-worker jobs=${n} seconds=${seconds.toFixed(3)} jobs_per_s=${(n / seconds).toFixed(0)}`,
  );
}

main().catch((e) => {
  console.error("graphile-worker:", e);
  process.exit(1);
});
