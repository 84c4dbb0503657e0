import type { Condition as ContractCondition } from '@contracts/segments';

/**
 * One node of the segment DSL as the builder edits it. `conditionSchema` is declared as
 * `z.ZodType<Condition>`, so `z.input<typeof conditionSchema>` collapses to `unknown`; the contract's
 * own `Condition` type is the typed form (what `conditionSchema.parse` returns, and valid input).
 * While being edited a node may be incomplete (e.g. a tag condition before a tag is chosen): check
 * it with `segmentDefinitionSchema.safeParse` before sending it.
 */
export type Condition = ContractCondition;
