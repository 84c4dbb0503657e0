/**
 * Where a V8 CPU profile spent its time: `npx tsx bench/tools/cpuprofile-summary.ts <file.cpuprofile>`.
 * Prints self time by area (PGlite/WASM, zod, Fastify, JSON, GC, ...) and the top functions by self
 * and by inclusive time. Make a profile with `BENCH_CPU_PROF=<dir> npm run bench -- ingest`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function isProfile(value: unknown): value is Profile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

const AREAS: [string, (f: CallFrame) => boolean][] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  ['PGlite (WASM)', (f) => f.url.startsWith('wasm://')],
  ['PGlite (JS glue)', (f) => f.url.includes('@electric-sql/pglite')],
  ['zod', (f) => f.url.includes('/node_modules/zod/')],
  ['fastify + plugins', (f) => /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify)/.test(f.url)],
  ['pino', (f) => /node_modules\/(pino|thread-stream|sonic-boom)/.test(f.url)],
  ['kysely', (f) => f.url.includes('/node_modules/kysely/')],
  ['siyu src/', (f) => f.url.includes('/src/')],
  ['node internals', (f) => f.url.startsWith('node:')],
  ['other node_modules', (f) => f.url.includes('/node_modules/')],
  ['builtins (JSON, regexp, strings, ...)', (f) => f.url === ''],
];

const key = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${f.lineNumber + 1}`;

function main(file: string | undefined): void {
  if (!file) throw new Error('usage: tsx bench/tools/cpuprofile-summary.ts <file.cpuprofile>');
  const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    total += dt;
    self.set(key(node.callFrame), (self.get(key(node.callFrame)) ?? 0) + dt);
    const area = AREAS.find(([, test]) => test(node.callFrame))?.[0] ?? 'other';
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame) seen.add(key(frame));
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  });

  const busy = total - (areas.get('idle') ?? 0);
  const pct = (ms: number, of: number) => `${((100 * ms) / of).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const out = [`${file}: ${(total / 1000).toFixed(2)} s sampled, ${(busy / 1000).toFixed(2)} s busy (percentages of busy time)`, '', 'self time by area:'];
  for (const [area, ms] of top(areas, AREAS.length + 1)) if (area !== 'idle') out.push(`  ${pct(ms, busy)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${area}`);
  out.push('', 'top functions by self time:');
  for (const [k, ms] of top(self, 25)) if (!k.startsWith('(idle)')) out.push(`  ${pct(ms, busy)}  ${k}`);
  out.push('', 'siyu src/ functions by inclusive time:');
  for (const [k, ms] of top(new Map([...inclusive].filter(([k]) => k.includes(' src/'))), 15)) out.push(`  ${pct(ms, busy)}  ${k}`);
  out.push('', 'top functions by inclusive time (synchronous stacks only):');
  for (const [k, ms] of top(inclusive, 30)) if (!/^\((root|idle|program)\)/.test(k)) out.push(`  ${pct(ms, busy)}  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main(process.argv[2]);
