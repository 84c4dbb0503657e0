import { afterEach } from 'vitest';
import { takeContractViolations } from './contract.js';

/** A response that does not match the API document fails the test that caused it. */
afterEach(() => {
  const found = takeContractViolations();
  if (found.length === 0) return;
  const shown = found.slice(0, 20).map((f) => `  - ${f}`);
  if (found.length > shown.length) shown.push(`  … and ${found.length - shown.length} more`);
  throw new Error(`${found.length} responses do not match /openapi.json:\n${shown.join('\n')}`);
});
