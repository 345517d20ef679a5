// DynamoDB's billing rules, applied to item images (AttributeValue form, as
// the table's stream carries them). Used by bench/lifecycle.bench.ts.
//
// Item size (AWS "Item sizes and formats"): the sum over attributes of the
// name's UTF-8 bytes plus the value's size — String: UTF-8 bytes; Number:
// 1 byte per two significant digits + 1; Binary: bytes; Boolean and Null: 1;
// List and Map: 3 bytes + per element 1 byte + the element (+ the key's bytes
// in a Map); sets: the sum of their elements.
//
// Write units: 1 per started KB of the larger of the item before and after
// the write (a delete: the item removed), at least 1; transactional writes
// count twice (prepare and commit) for every item of the transaction.
//
// Global secondary indexes: an item has an entry in an index when it carries
// both of the index's key attributes (sparse indexes); the entry holds the
// table's keys, the index's keys and the projected attributes (ALL: every
// attribute; KEYS_ONLY: none more; INCLUDE: the listed ones). Per write and
// index: no entry before or after → 0; a new entry → 1 put; an entry removed
// → 1 delete; an index key attribute changed → 1 delete + 1 put; the same
// keys and a projected attribute changed → 1 update (larger of the two entry
// sizes); only non-projected attributes changed → 0. Each of these is billed
// 1 unit per started KB of the entry. Index maintenance within a transaction
// is billed once, not doubled: AWS doubles "every item in the transaction"
// (the prepare and the commit of the table item); the index is then
// propagated from the committed item like any other write.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Image = Record<string, AttributeValue>;

export interface IndexShape {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** undefined (ALL), 'ALL', 'KEYS_ONLY', or the non-key attributes projected (INCLUDE). */
  include?: readonly string[] | 'ALL' | 'KEYS_ONLY';
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

const binarySize = (value: Uint8Array | string) =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined)
    return (
      3 +
      Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0)
    );
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + utf8(element), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, element) => sum + numberSize(element), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, element) => sum + binarySize(element), 0);
  return 0;
}

export const itemSize = (image: Image | undefined): number =>
  image ? Object.entries(image).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0) : 0;

/** Write units for a size in bytes: one per started KB, at least one. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * The index definitions of infra/resources.ts in one shape, whatever form
 * their `projection` takes: absent or 'ALL', 'KEYS_ONLY', 'INCLUDE' with a
 * list (`nonKeyAttributes`, `attributes`, `include`), a list of names, or an
 * object `{ type, attributes }`.
 */
export function indexShapes(indexes: readonly Record<string, unknown>[]): IndexShape[] {
  return indexes.map((index) => {
    const projection = index.projection as unknown;
    const list = (value: unknown): string[] | undefined =>
      Array.isArray(value) ? value.map(String) : undefined;
    let include: IndexShape['include'];
    const named = (text: unknown) => String(text ?? 'ALL').toUpperCase();
    if (projection === undefined) include = 'ALL';
    else if (Array.isArray(projection)) include = projection.map(String);
    else if (typeof projection === 'string') {
      const type = named(projection);
      include =
        type === 'KEYS_ONLY'
          ? 'KEYS_ONLY'
          : type === 'INCLUDE'
            ? (list(index.nonKeyAttributes) ?? list(index.include) ?? list(index.attributes) ?? [])
            : 'ALL';
    } else if (typeof projection === 'object' && projection) {
      const object = projection as Record<string, unknown>;
      const attributes =
        list(object.nonKeyAttributes) ?? list(object.attributes) ?? list(object.include) ?? undefined;
      const type = named(object.type ?? object.projectionType ?? (attributes ? 'INCLUDE' : 'ALL'));
      include = type === 'KEYS_ONLY' ? 'KEYS_ONLY' : type === 'INCLUDE' ? (attributes ?? []) : 'ALL';
    }
    return {
      name: String(index.name),
      partitionKey: String(index.partitionKey),
      sortKey: String(index.sortKey),
      include,
    };
  });
}

/** The item's entry in the index, or undefined when the item is not in it. */
export function indexEntry(
  image: Image | undefined,
  index: IndexShape,
  tableKeys: readonly string[] = ['pk', 'sk'],
): Image | undefined {
  if (!image || !image[index.partitionKey] || !image[index.sortKey]) return undefined;
  if (index.include === 'ALL' || index.include === undefined) return image;
  const names = new Set([...tableKeys, index.partitionKey, index.sortKey]);
  if (Array.isArray(index.include)) for (const name of index.include) names.add(name);
  return Object.fromEntries(Object.entries(image).filter(([name]) => names.has(name)));
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  JSON.stringify(a, binaryReplacer) === JSON.stringify(b, binaryReplacer);
const binaryReplacer = (_key: string, value: unknown) =>
  value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;

const sameEntry = (a: Image, b: Image) => {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (!same(a[name], b[name])) return false;
  return true;
};

export interface IndexWrite {
  index: string;
  /** What the index did: put, delete, delete+put (key changed), update, or nothing. */
  action: 'put' | 'delete' | 'move' | 'update' | 'none';
  units: number;
}

/** What one table write costs in one index, by the rules in the header. */
export function indexWrite(
  before: Image | undefined,
  after: Image | undefined,
  index: IndexShape,
): IndexWrite {
  const old = indexEntry(before, index);
  const next = indexEntry(after, index);
  const name = index.name;
  if (!old && !next) return { index: name, action: 'none', units: 0 };
  if (!old) return { index: name, action: 'put', units: writeUnits(itemSize(next)) };
  if (!next) return { index: name, action: 'delete', units: writeUnits(itemSize(old)) };
  const keyChanged =
    !same(old[index.partitionKey], next[index.partitionKey]) ||
    !same(old[index.sortKey], next[index.sortKey]);
  if (keyChanged)
    return { index: name, action: 'move', units: writeUnits(itemSize(old)) + writeUnits(itemSize(next)) };
  if (sameEntry(old, next)) return { index: name, action: 'none', units: 0 };
  return { index: name, action: 'update', units: writeUnits(Math.max(itemSize(old), itemSize(next))) };
}

export interface ItemWriteCost {
  tableUnits: number;
  indexes: IndexWrite[];
}

/**
 * One item written (put, update or delete) with its images before and after:
 * the table's units (doubled in a transaction) and each index's.
 */
export function itemWriteCost(
  before: Image | undefined,
  after: Image | undefined,
  indexes: readonly IndexShape[],
  transactional: boolean,
): ItemWriteCost {
  const table = writeUnits(Math.max(itemSize(before), itemSize(after))) * (transactional ? 2 : 1);
  return { tableUnits: table, indexes: indexes.map((index) => indexWrite(before, after, index)) };
}
