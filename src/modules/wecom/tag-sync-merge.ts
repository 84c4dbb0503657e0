/**
 * The three-way merge of one person's synced tag: what Siyu holds now, what the consultants'
 * friendships carry in WeCom now, and what both held at the last sync. A side that moved away from
 * the last sync is followed; when both moved apart, the later change wins. A tag set in WeCom by any
 * consultant counts as held there. What is pulled from WeCom is never pushed back: marks go to WeCom
 * only when Siyu's side is followed, and to a friendship seen for the first time (the new consultant
 * gets the tags the person already had in Siyu).
 */

export interface MergeFollow {
  id: string;
  /** The friendship carries the corp tag in WeCom now. */
  has: boolean;
  /** It carried it at the last sync; null for a friendship not synced before. */
  had: boolean | null;
  /** When Siyu last stored a change of the friendship read from WeCom. */
  changedAt: Date;
}

export interface MergeInput {
  /** A rule tag follows its definition: WeCom cannot change who holds it. */
  rule: boolean;
  /** The person holds the tag in Siyu now. */
  holds: boolean;
  /** The person held it (on both sides) at the last sync. */
  held: boolean;
  follows: readonly MergeFollow[];
  /** When the person's tag last changed in Siyu, if known. */
  siyuChangedAt: Date | null;
}

export interface MergeDecision {
  /** Whether the person holds the tag after the sync (the new last-synced value). */
  result: boolean;
  /** The change to make in Siyu, if any. */
  siyu: 'apply' | 'remove' | null;
  /** Friendships to mark the tag on, and to remove it from. */
  add: string[];
  remove: string[];
}

export function mergeTag(input: MergeInput): MergeDecision {
  const { holds, held, follows } = input;
  const moved = follows.filter((f) => f.has !== (f.had ?? false));
  const inWecom = follows.some((f) => f.has);
  const siyuMoved = holds !== held;
  let result = holds;
  let fromSiyu = siyuMoved;
  if (moved.length > 0) {
    if (!siyuMoved) {
      result = inWecom;
      fromSiyu = false;
    } else if (holds === inWecom) {
      fromSiyu = false;
    } else {
      const wecomAt = Math.max(...moved.map((f) => f.changedAt.getTime()));
      const siyuAt = input.siyuChangedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
      fromSiyu = siyuAt >= wecomAt;
      result = fromSiyu ? holds : inWecom;
    }
  }
  if (input.rule && result !== holds) {
    // WeCom moved a rule tag: Siyu's side stands and is marked back.
    result = holds;
    fromSiyu = true;
  }
  // Siyu's side goes to every friendship; otherwise only a friendship seen for the first time gets
  // what the person already had in Siyu (never what this merge pulled from another consultant).
  const targets = fromSiyu ? follows : holds && result ? follows.filter((f) => f.had === null) : [];
  return {
    result,
    siyu: result === holds ? null : result ? 'apply' : 'remove',
    add: result ? targets.filter((f) => !f.has).map((f) => f.id) : [],
    remove: result ? [] : targets.filter((f) => f.has).map((f) => f.id),
  };
}
