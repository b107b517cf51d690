// scripts/cluster as a child process, for the cluster fault tests.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** scripts/cluster with `args`, and the lines it prints on stdout and on stderr. */
export function startCluster(args) {
  const child = spawn('bash', [join(ROOT, 'scripts/cluster'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const streams = { out: [], err: [] };
  const waiting = [];
  for (const [name, stream] of [['out', child.stdout], ['err', child.stderr]]) {
    createInterface({ input: stream }).on('line', (line) => {
      streams[name].push(line);
      for (const w of [...waiting]) if (w.name === name && w.pattern.test(line)) w.resolve(line);
    });
  }
  const exited = new Promise((resolve) => child.on('exit', resolve));
  /** The first line of stream `name`, from line `from` on, that matches `pattern`. */
  const seen = (name, pattern, from) => {
    const found = streams[name].slice(from).find((l) => pattern.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      waiting.push({ name, pattern, resolve });
      exited.then((code) => reject(new Error(`scripts/cluster exited (${code}) before ${pattern}:\n${streams.err.join('\n')}`)));
    });
  };
  return {
    child,
    exited,
    /** The first line on stdout from line `from` on that matches `pattern`. */
    line: (pattern, from = 0) => seen('out', pattern, from),
    /** The match of `pattern` in the first line on stderr (its log) that has it. */
    errorLine: async (pattern) => pattern.exec(await seen('err', pattern, 0)),
    get count() {
      return streams.out.length;
    },
  };
}
