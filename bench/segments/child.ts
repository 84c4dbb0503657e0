/**
 * One phase of the segments benchmark in its own process (so that the figures of one do not include
 * the memory of the other): `generate` writes the data set, `measure` runs the previews, the
 * materialisations and the refresh. Input: one JSON argument; output: a line `RESULT <json>` on
 * stdout; progress on stderr.
 */
import { z } from 'zod';
import { openStore } from '../../src/platform/db/index.js';
import { generateDataset } from './dataset.js';
import { measure } from './measure.js';

const childInputSchema = z.object({
  phase: z.enum(['generate', 'measure']),
  store: z.union([
    z.object({ engine: z.literal('pglite'), dataDir: z.string() }),
    z.object({ engine: z.literal('postgres'), url: z.string(), poolMax: z.number() }),
  ]),
  profiles: z.number(),
  events: z.number(),
  runs: z.number(),
  /** measure: the data set's tenant. */
  tenantId: z.string().optional(),
});
export type ChildInput = z.infer<typeof childInputSchema>;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: child.ts <json input>');
  const input = childInputSchema.parse(JSON.parse(raw));
  const store = await openStore(input.store);
  try {
    let result: unknown;
    if (input.phase === 'generate') {
      result = await generateDataset(store, { profiles: input.profiles, events: input.events, end: new Date() }, log);
    } else {
      if (!input.tenantId) throw new Error('measure needs tenantId');
      result = await measure(store, input.tenantId, input.runs, log);
    }
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`segments child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
