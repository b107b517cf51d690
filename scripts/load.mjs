#!/usr/bin/env node
// The mixed load of scripts/bench-cluster and scripts/bench-soak: 90% reads (public pages, the
// API, search, and pages of a signed-in coordinator), 10% writes (an objective added to the
// Rimini agenda), against one address (nginx in front of the instances). The pages read do not
// list the objectives added, so a long run measures the same pages from start to end.
//
//   node scripts/load.mjs --url http://127.0.0.1:8090 --seconds 30 --workers 16
//       closed loop: 16 clients, each sends its next request when the last is answered
//   node scripts/load.mjs --url … --seconds 600 --rate 40 --pids 123,456 --every 60
//       open loop: 40 requests a second whatever the answers, the RSS of the given processes
//       and the latency reported every 60 seconds
//
// Prints one JSON object per period (with --every) and one for the whole run, on stdout.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { GUASTALLA, RIMINI, addObjective, signInCoordinator } from '../tests/cluster/coordinator.mjs';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '30' },
    workers: { type: 'string' },
    rate: { type: 'string' },
    pids: { type: 'string', default: '' },
    every: { type: 'string' },
  },
});
const base = opts.url;
if (!base || (!opts.workers && !opts.rate)) {
  console.error('usage: node scripts/load.mjs --url URL --seconds S (--workers N | --rate R) [--pids P,P] [--every S]');
  process.exit(2);
}
const seconds = Number(opts.seconds);
const pids = opts.pids.split(',').filter(Boolean).map(Number);

// The coordinator of both districts, signed in through the proxy.
const coordinator = await signInCoordinator(base);
if (coordinator.status !== 303) throw new Error(`sign-in answered ${coordinator.status}`);
const { session } = coordinator;

const READS = [
  [`/agende/${GUASTALLA}`, {}],
  [`/agende/${RIMINI}/azioni/A01`, {}],
  ['/api/v1/actions?per_page=20', {}],
  ['/servizi?q=anziani', {}],
  ['/', {}],
  [`/agende/${GUASTALLA}`, { cookie: session }],
  ['/area-personale', { cookie: session }],
  ['/api/v1/agendas', {}],
  ['/servizi?q=sportello%20digitale', {}],
];
const run = `${process.pid}`;
let sent = 0;

/** One request of the mix: every tenth a write. Resolves with [kind, ok, milliseconds]. */
async function one() {
  const n = sent++;
  const started = performance.now();
  let kind = 'read';
  try {
    let res;
    if (n % 10 === 9) {
      kind = 'write';
      res = await addObjective(base, coordinator, RIMINI, `Obiettivo di carico ${run}-${n}`);
    } else {
      const [path, headers] = READS[n % READS.length];
      res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
      await res.arrayBuffer();
    }
    return [kind, res.status === (kind === 'write' ? 303 : 200), performance.now() - started];
  } catch {
    return [kind, false, performance.now() - started];
  }
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

function rssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Math.round(Number(line[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Figures of a set of answers. */
function summary(answers, elapsed, extra = {}) {
  const latencies = answers.map((a) => a[2]).sort((x, y) => x - y);
  return {
    requests: answers.length,
    writes: answers.filter((a) => a[0] === 'write').length,
    errors: answers.filter((a) => !a[1]).length,
    per_second: Math.round(answers.length / elapsed),
    p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
    rss_mib: pids.map(rssMiB),
    ...extra,
  };
}

const all = [];
let period = [];
const record = (answer) => {
  all.push(answer);
  period.push(answer);
};
const started = performance.now();
const deadline = started + seconds * 1000;
const reporter = opts.every && setInterval(() => {
  const minute = Math.round((performance.now() - started) / 1000);
  console.log(JSON.stringify(summary(period, Number(opts.every), { at_s: minute })));
  period = [];
}, Number(opts.every) * 1000);

if (opts.workers) {
  const worker = async () => {
    while (performance.now() < deadline) record(await one());
  };
  await Promise.all(Array.from({ length: Number(opts.workers) }, worker));
} else {
  // Open loop: a request every 1/rate s, answered or not (at most 1,000 under way).
  const interval = 1000 / Number(opts.rate);
  const underWay = new Set();
  for (let next = started; next < deadline; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (underWay.size >= 1000) {
      record(['read', false, 0]);
      continue;
    }
    const request = one().then(record).finally(() => underWay.delete(request));
    underWay.add(request);
  }
  await Promise.all(underWay);
}
if (reporter) {
  clearInterval(reporter);
  // The last period, when the run ended before its report.
  if (period.length > Number(opts.every) * 0.5 * (all.length / ((performance.now() - started) / 1000))) {
    console.log(JSON.stringify(summary(period, Number(opts.every), { at_s: Math.round((performance.now() - started) / 1000) })));
  }
}
console.log(JSON.stringify(summary(all, (performance.now() - started) / 1000, { total: true })));
