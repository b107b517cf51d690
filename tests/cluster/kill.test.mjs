// Two AGIO instances behind nginx on one PostgreSQL, started by scripts/cluster as a person
// would, and one of them killed with -9 in the middle of a load of reads and writes: no read
// fails (nginx tries a failed GET on the other instance), no acknowledged write is lost, and the
// killed instance is started again and serves. Needs AGIO_BIN (the agio binary) and
// AGIO_TEST_PG_URL (a PostgreSQL server the test may create a database on); scripts/test sets both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GUASTALLA, RIMINI, addObjective, signInCoordinator } from './coordinator.mjs';
import { freePort, startCluster } from './support.mjs';

test('an instance killed with -9 under load: no read fails, no acknowledged write is lost', { timeout: 300_000 }, async (t) => {
  const admin = process.env.AGIO_TEST_PG_URL;
  assert.ok(admin && process.env.AGIO_BIN, 'AGIO_TEST_PG_URL and AGIO_BIN (scripts/test sets them)');
  const database = `agio_cluster_${process.pid}`;
  execFileSync('psql', ['-q', admin, '-c', `CREATE DATABASE ${database}`]);
  const databaseUrl = admin.replace(/\/postgres$/, `/${database}`);
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'agio-cluster-test-'));
  const cluster = startCluster(['--instances', '2', '--port', String(port), '--database', databaseUrl,
    '--bin', process.env.AGIO_BIN, '--folder', folder]);
  // Stopped however the test ends, a timeout included (scripts/cluster's own trap cleans up).
  t.after(async () => {
    cluster.child.kill('SIGTERM');
    await cluster.exited;
  });
  await cluster.line(/^ready /);
  const base = `http://127.0.0.1:${port}`;

  // The coordinator of both districts, signed in through nginx.
  const coordinator = await signInCoordinator(base);
  const { status, session } = coordinator;
  assert.equal(status, 303);

  const reads = [
    [`/agende/${GUASTALLA}`, {}],
    [`/agende/${RIMINI}/azioni/A01`, {}],
    ['/api/v1/actions?per_page=20', {}],
    ['/servizi?q=anziani', {}],
    [`/agende/${RIMINI}`, { cookie: session }],
    ['/area-personale', { cookie: session }],
  ];
  const load = { stop: false, reads: 0, failedReads: [], acknowledged: [], notAcknowledged: [] };
  let readsReached = () => {};
  const reachReads = (n) => new Promise((resolve) => {
    readsReached = () => load.reads >= n && resolve();
  });
  const reader = async (k) => {
    for (let n = k; !load.stop; n++) {
      const [path, headers] = reads[n % reads.length];
      try {
        const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
        await res.arrayBuffer();
        if (res.status !== 200) load.failedReads.push(`${path}: ${res.status}`);
      } catch (e) {
        load.failedReads.push(`${path}: ${e.cause?.code ?? e.message}`);
      }
      load.reads++;
      readsReached();
    }
  };
  const writer = async (slug) => {
    for (let n = 1; !load.stop; n++) {
      const title = `Obiettivo sotto carico ${slug.split('-')[3]} ${n}`;
      try {
        const res = await addObjective(base, coordinator, slug, title);
        (res.status === 303 ? load.acknowledged : load.notAcknowledged).push(`${title} (${res.status})`);
      } catch (e) {
        load.notAcknowledged.push(`${title} (${e.cause?.code ?? e.message})`);
      }
    }
  };
  const workers = [...[0, 1, 2, 3, 4, 5].map(reader), writer(GUASTALLA), writer(RIMINI)];

  await reachReads(300);
  const from = cluster.count;
  const killed = Number(readFileSync(join(folder, 'instance-1.pid'), 'utf8'));
  process.kill(killed, 'SIGKILL');
  await cluster.line(/^instance 1 \(pid \d+\) stopped with status 137/, from);
  const again = await cluster.line(/^instance 1 serving on /, from);
  const readsBefore = load.reads;
  await reachReads(readsBefore + 300);
  load.stop = true;
  await Promise.all(workers);

  console.log(`# ${load.reads} reads, ${load.acknowledged.length} writes acknowledged, ` +
    `${load.notAcknowledged.length} not (${load.notAcknowledged.join(', ')})`);
  assert.deepEqual(load.failedReads, [], 'no read fails');
  assert.ok(load.acknowledged.length >= 10, `writes went on: ${load.acknowledged.length}`);

  // Every acknowledged write is in the database.
  const stored = new Set(execFileSync('psql', ['-At', databaseUrl, '-c',
    "SELECT title FROM objectives WHERE title LIKE 'Obiettivo sotto carico %'"], { encoding: 'utf8' })
    .split('\n').filter(Boolean));
  const lost = load.acknowledged.map((a) => a.replace(/ \(303\)$/, '')).filter((title) => !stored.has(title));
  assert.deepEqual(lost, [], 'no acknowledged write is lost');

  // The instance started again serves, straight on its own port, with the writes of both.
  const ownPort = again.match(/127\.0\.0\.1:(\d+)/)[1];
  const page = await fetch(`http://127.0.0.1:${ownPort}/agende/${RIMINI}`, { headers: { cookie: session } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Obiettivo sotto carico rimini 1\b/);
});
