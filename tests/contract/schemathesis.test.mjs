// Both OpenAPI documents tell the whole contract of the reads: Schemathesis (PyPI, the
// reference OpenAPI fuzzer) generates requests from each document, valid and invalid, and
// runs all its checks on the answers: no server error, every status code and content type
// declared, every body valid against its schema, every schema-valid request accepted and every
// schema-violating one refused. The HSDS document is read-only; the API document's reads (GET)
// are fuzzed without a token and with a regional coordinator's, its writes, last (they change
// the demo's records), with the coordinator's: `hooks.py` gives those cases the demo's keys,
// which no schema can know. A write without a valid token is refused before its input is read,
// so tests/browser/openapi.test.mjs sends each the kinds of input fuzzing would (4,600 requests
// and three to six minutes here), in about five seconds. The Decidim import is left out: it would call the
// instance an agenda names. The seed is fixed, so a run is repeatable: a failure prints the
// `curl` that reproduces it.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from '../browser/support/common.mjs';
import { createToken } from '../browser/support/tokens.mjs';

// The writes with a token take 6 to 12 minutes beside the other stages on two cores.
const T = { timeout: 1_500_000 };
const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.AGIO_TEST_PYTHON;
const EXAMPLES = process.env.AGIO_SCHEMATHESIS_EXAMPLES ?? '30';

function schemathesis(document, base, extra, env = {}) {
  assert.ok(PYTHON, 'AGIO_TEST_PYTHON names the Python with Schemathesis (scripts/test sets it)');
  const args = ['run', `${BASE}${document}`, '--url', `${BASE}${base}`, '--checks', 'all', '--max-examples', EXAMPLES,
    '--workers', '1', '--continue-on-failure', '--seed', '20261206', '--no-color', ...extra];
  // Schemathesis keeps a cache where it runs: a scratch folder, not the checkout.
  const cwd = mkdtempSync(join(tmpdir(), 'agio-schemathesis-'));
  const run = spawnSync(join(dirname(PYTHON), 'schemathesis'), args, {
    cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env },
  });
  rmSync(cwd, { recursive: true, force: true });
  const out = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, `schemathesis ${args.join(' ')} found problems:\n${out.slice(-6000)}`);
  assert.match(out, /passed/, 'cases were run');
}

describe('the OpenAPI documents, fuzzed by Schemathesis with all checks', () => {
  let token;
  before(async () => {
    token = await createToken('regione@demo.agio.example', 'write');
  });

  it('HSDS, without a token', T, () => schemathesis('/hsds/openapi.json', '/hsds', []));
  it('HSDS, with a token', T, () =>
    schemathesis('/hsds/openapi.json', '/hsds', ['-H', `Authorization: Bearer ${token}`]));
  it('the API\'s reads, without a token', T, () =>
    schemathesis('/api/v1/openapi.json', '', ['--include-method', 'GET']));
  it('the API\'s reads, with a token', T, () =>
    schemathesis('/api/v1/openapi.json', '', ['--include-method', 'GET', '-H', `Authorization: Bearer ${token}`]));
  // Without the stateful phase: it infers links from each creation's answer, and a part's
  // creation answers its parent (an indicator's, the action), whose id is not the part's.
  it('the API\'s writes, with a token', T, () =>
    schemathesis('/api/v1/openapi.json', '', ['--exclude-method', 'GET', '-H', `Authorization: Bearer ${token}`,
      '--exclude-path', '/api/v1/agendas/{slug}/decidim/import', '--suppress-health-check=too_slow',
      '--phases', 'coverage,fuzzing'],
    { AGIO_URL: BASE, SCHEMATHESIS_HOOKS: join(HERE, 'hooks.py') }));
});
