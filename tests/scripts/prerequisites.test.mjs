// The prerequisite check of scripts/test (check_prerequisites in scripts/lib.sh): a missing or
// broken Chromium, or a PostgreSQL override without initdb, stops scripts/test within seconds,
// before anything is built or installed, with exit status 2 and a message that names what is
// missing and how to get it. Builds nothing; runs in a few seconds.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.env.AGIO_PREREQUISITES_TEST) {
  // Started by a scripts/test that this file started: its check let it through.
  console.error('scripts/test went past its prerequisite check');
  process.exit(3);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'agio-prerequisites-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Stand-ins for cargo, npm and apt-get, first on the PATH: they record every call, answer
// --version with the real program and refuse anything else, so a check that let scripts/test
// through would fail here at once instead of building or installing.
const calls = join(tmp, 'calls.log');
const shims = join(tmp, 'bin');
mkdirSync(shims);
for (const name of ['cargo', 'npm', 'apt-get']) {
  const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!real) continue;
  writeFileSync(join(shims, name), [
    '#!/bin/sh',
    `echo "${name} $*" >> '${calls}'`,
    `case "$*" in *--version) exec '${real}' "$@";; esac`,
    'exit 97',
    '',
  ].join('\n'), { mode: 0o755 });
}

// What a build leaves behind: these must not change.
const outputs = ['node_modules', 'web/dist', 'tests/oidc/node_modules', 'target/test-logs', 'target/test-python'];
const snapshot = () => outputs.map((path) => {
  const full = join(root, path);
  return `${path}: ${existsSync(full) ? statSync(full).mtimeMs : 'absent'}`;
});

/** Runs scripts/test with ENV added; checks that it stopped at its check; returns its output. */
function stoppedAtCheck(env) {
  writeFileSync(calls, '');
  const before = snapshot();
  const started = Date.now();
  const childEnv = { ...process.env, ...env, PATH: `${shims}:${process.env.PATH}`, AGIO_PREREQUISITES_TEST: '1' };
  delete childEnv.NODE_TEST_CONTEXT; // else a `node --test` inside would skip its files
  const run = spawnSync(join(root, 'scripts', 'test'), [], {
    env: childEnv,
    encoding: 'utf8',
    timeout: 90_000,
  });
  const seconds = (Date.now() - started) / 1000;
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 2, `exit status ${run.status} (signal ${run.signal}) instead of 2:\n${output}`);
  assert.ok(seconds < 60, `took ${seconds} s`);
  const ran = readFileSync(calls, 'utf8').split('\n').filter((line) => line && !line.endsWith(' --version'));
  assert.deepEqual(ran, [], 'ran more than a version check before stopping');
  assert.deepEqual(snapshot(), before, 'changed the build output');
  return output;
}

test('a Chromium that does not exist: named, with the package that provides it', () => {
  const output = stoppedAtCheck({ AGIO_CHROMIUM: '/nonexistent/chromium' });
  assert.match(output, /Chromium/);
  assert.match(output, /AGIO_CHROMIUM=\/nonexistent\/chromium does not exist/);
  assert.match(output, /apt-get install chromium/);
});

test('a PostgreSQL folder without initdb and pg_ctl: named', () => {
  const output = stoppedAtCheck({ AGIO_PG_BINDIR: '/nonexistent' });
  assert.match(output, /PostgreSQL/);
  assert.match(output, /AGIO_PG_BINDIR=\/nonexistent has no initdb and pg_ctl/);
  assert.match(output, /apt-get install postgresql/);
});

test('a Chromium that fails to start', () => {
  const broken = join(tmp, 'broken-chromium');
  writeFileSync(broken, '#!/bin/sh\necho "cannot open shared object file" >&2\nexit 1\n', { mode: 0o755 });
  const output = stoppedAtCheck({ AGIO_CHROMIUM: broken });
  assert.match(output, /Chromium: AGIO_CHROMIUM=\S+ does not start \(exit status 1: cannot open shared object file\)/);
});

test('a Chromium that is not executable', () => {
  const plain = join(tmp, 'plain-chromium');
  writeFileSync(plain, 'not a program\n');
  chmodSync(plain, 0o644);
  const output = stoppedAtCheck({ AGIO_CHROMIUM: plain });
  assert.match(output, /Chromium: AGIO_CHROMIUM=\S+ does not start \(exit status 126\b/);
});
