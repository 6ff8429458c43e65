import { GroupRow, GroupSpec } from './document-store';

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The fields a group spec reads. They come from code, but a `$` or a dot would change what MongoDB computes. */
export function groupFields(spec: GroupSpec): string[] {
  const fields = [...(spec.by !== undefined ? [spec.by] : []), ...(spec.sum ?? []), ...(spec.average ?? [])];
  for (const field of fields) if (!FIELD_NAME.test(field)) throw new Error(`Not a plain field name for group: ${JSON.stringify(field)}`);
  return [...new Set(fields)];
}

type Key = GroupRow['key'];

/** BSON order for the key types we group by: null, then numbers, then strings. */
function compareKeys(a: Key, b: Key): number {
  const rank = (key: Key) => (key === null ? 0 : typeof key === 'number' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a === null || b === null) return 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What MongoDB's `$group` with `$sum` and `$avg` gives, computed over documents in the process. */
export function groupInProcess(documents: Iterable<Record<string, unknown>>, spec: GroupSpec): GroupRow[] {
  groupFields(spec);
  const sumFields = spec.sum ?? [];
  const averageFields = spec.average ?? [];
  const groups = new Map<Key, { count: number; sums: number[]; totals: number[]; numbers: number[] }>();
  for (const document of documents) {
    const raw = spec.by === undefined ? null : document[spec.by];
    const key: Key = typeof raw === 'string' || typeof raw === 'number' ? raw : null;
    let group = groups.get(key);
    if (!group) {
      group = { count: 0, sums: sumFields.map(() => 0), totals: averageFields.map(() => 0), numbers: averageFields.map(() => 0) };
      groups.set(key, group);
    }
    group.count += 1;
    sumFields.forEach((field, i) => {
      const value = document[field];
      if (typeof value === 'number') group.sums[i] += value;
    });
    averageFields.forEach((field, i) => {
      const value = document[field];
      if (typeof value === 'number') {
        group.totals[i] += value;
        group.numbers[i] += 1;
      }
    });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, group]) => ({
      key,
      count: group.count,
      sums: Object.fromEntries(sumFields.map((field, i) => [field, group.sums[i]])),
      averages: Object.fromEntries(
        averageFields.map((field, i) => [field, group.numbers[i] > 0 ? group.totals[i] / group.numbers[i] : null]),
      ),
    }));
}
