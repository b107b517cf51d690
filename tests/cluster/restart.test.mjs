// PostgreSQL stopped and started again under a load of reads and writes through nginx in front
// of two AGIO instances (scripts/cluster, with its own throwaway PostgreSQL). While the database
// is down every answer is a page or a 503 with Retry-After, never a 500 or a dropped
// connection; each instance's readiness fails and its liveness does not; once PostgreSQL is
// back the instances serve again by themselves, and no acknowledged write is lost.
// Needs AGIO_BIN (the agio binary); scripts/test sets it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { GUASTALLA, RIMINI, addObjective, signInCoordinator } from './coordinator.mjs';
import { freePort, startCluster } from './support.mjs';

/** Runs PostgreSQL's pg_ctl on the cluster's data folder, as its owner. */
function pgCtl(dataDir, args) {
  // postmaster.opts holds the server's command line: pg_ctl sits next to the server binary.
  const opts = readFileSync(join(dataDir, 'postmaster.opts'), 'utf8');
  const server = opts.split(' ')[0];
  const asOwner = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const command = [...asOwner, join(dirname(server), 'pg_ctl'), '-D', dataDir, ...args];
  return execFileSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The server's options from postmaster.opts (port, socket folder, settings), for a new start. */
function serverOptions(dataDir) {
  // The server binary, then its quoted arguments; -D and its folder are pg_ctl's own.
  const words = [...readFileSync(join(dataDir, 'postmaster.opts'), 'utf8').matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const dataAt = words.indexOf('-D');
  return words.filter((_, i) => i !== dataAt && i !== dataAt + 1).join(' ');
}

test('PostgreSQL restarted under load: 503 with Retry-After while down, back by itself, no acknowledged write lost', { timeout: 300_000 }, async (t) => {
  assert.ok(process.env.AGIO_BIN, 'AGIO_BIN (scripts/test sets it)');
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'agio-restart-test-'));
  const cluster = startCluster(['--instances', '2', '--port', String(port), '--bin', process.env.AGIO_BIN,
    '--folder', folder]);
  const load = { stop: false, answers: 0, wrong: [], unavailable: 0, unavailableWrites: 0, acknowledged: [] };
  t.after(async () => {
    load.stop = true;
    cluster.child.kill('SIGTERM');
    await cluster.exited;
  });
  await cluster.line(/^ready /);
  const pg = (await cluster.errorLine(/throwaway PostgreSQL on port (\d+) \((\S+)\)/));
  const [, pgPort, pgDir] = pg;
  const dataDir = join(pgDir, 'data');
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/agio`;
  const instancePorts = await Promise.all([1, 2].map(async (i) =>
    (await cluster.line(new RegExp(`^instance ${i} serving on 127\\.0\\.0\\.1:(\\d+)`))).match(/:(\d+)/)[1]));

  const base = `http://127.0.0.1:${port}`;
  const coordinator = await signInCoordinator(base);
  const { status, session } = coordinator;
  assert.equal(status, 303);

  const reads = [`/agende/${GUASTALLA}`, '/api/v1/actions?per_page=20', '/servizi?q=anziani', '/area-personale'];
  const judge = (what, res, expected) => {
    load.answers++;
    if (res.status === expected) return true;
    if (res.status === 503 && res.headers.get('retry-after')) {
      load.unavailable++;
      if (expected === 303) load.unavailableWrites++;
    } else {
      load.wrong.push(`${what}: ${res.status}`);
    }
    return false;
  };
  const reader = async (k) => {
    for (let n = k; !load.stop; n++) {
      const path = reads[n % reads.length];
      try {
        const res = await fetch(`${base}${path}`, { headers: { cookie: session }, redirect: 'manual' });
        await res.arrayBuffer();
        judge(path, res, 200);
      } catch (e) {
        load.answers++;
        load.wrong.push(`${path}: ${e.cause?.code ?? e.message}`);
      }
    }
  };
  const writer = async (slug) => {
    for (let n = 1; !load.stop; n++) {
      const title = `Obiettivo al riavvio ${slug.split('-')[3]} ${n}`;
      try {
        const res = await addObjective(base, coordinator, slug, title);
        if (judge(title, res, 303)) load.acknowledged.push(title);
      } catch (e) {
        load.answers++;
        load.wrong.push(`${title}: ${e.cause?.code ?? e.message}`);
      }
      // While the database is down a refused write comes back at once: do not spin.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** Waits until `condition` holds, 60 s at most. */
  const until = async (condition, what) => {
    const deadline = Date.now() + 60_000;
    while (!condition()) {
      assert.ok(Date.now() < deadline, `within a minute: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const workers = [0, 1, 2, 3].map(reader).concat([writer(GUASTALLA), writer(RIMINI)]);

  await until(() => load.answers >= 200, '200 answers before the restart');
  const options = serverOptions(dataDir);
  pgCtl(dataDir, ['-m', 'fast', '-w', 'stop']);
  // Down: each instance is alive, not ready, and says when to try again.
  for (const p of instancePorts) {
    const ready = await fetch(`http://127.0.0.1:${p}/readyz`);
    assert.equal(ready.status, 503, `instance on ${p} is not ready`);
    assert.equal((await fetch(`http://127.0.0.1:${p}/healthz`)).status, 200, `instance on ${p} is alive`);
  }
  // Down for three seconds: reads and writes go on meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  assert.ok(load.unavailable > 0 && load.unavailableWrites > 0, 'reads and writes met the database down');
  pgCtl(dataDir, ['-w', '-l', join(pgDir, 'server.log'), '-o', options, 'start']);

  // Back: both instances ready again by themselves, and writes acknowledged again.
  for (const p of instancePorts) {
    let ready;
    for (let i = 0; i < 600 && ready !== 200; i++) {
      ready = (await fetch(`http://127.0.0.1:${p}/readyz`)).status;
      if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(ready, 200, `instance on ${p} is ready again`);
  }
  const acknowledgedBefore = load.acknowledged.length;
  await until(() => load.acknowledged.length >= acknowledgedBefore + 10, 'writes acknowledged again');
  load.stop = true;
  await Promise.all(workers);

  console.log(`# ${load.answers} answers, ${load.unavailable} were 503 with Retry-After, ` +
    `${load.acknowledged.length} writes acknowledged`);
  assert.deepEqual(load.wrong, [], 'every answer is the page or a 503 with Retry-After');
  const stored = new Set(execFileSync('psql', ['-At', databaseUrl, '-c',
    "SELECT title FROM objectives WHERE title LIKE 'Obiettivo al riavvio %'"], { encoding: 'utf8' })
    .split('\n').filter(Boolean));
  assert.deepEqual(load.acknowledged.filter((title) => !stored.has(title)), [], 'no acknowledged write is lost');
});
