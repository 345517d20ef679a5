// What routing decisions precompute about one set of provider snapshots: the providers by skill (a decision
// looks only at those that have the ticket's skill), their order by id (for the explanation), a number per
// id, and a calendar slot per provider. The router hands each decision a fresh array of the same snapshot
// objects (it updates counters in place and replaces a snapshot when its configuration changes), so the
// index of the last array is kept and reused while the same objects come in the same order. A snapshot's
// `skills` are never edited in place: a new configuration is a new snapshot object (and a replaced `skills`
// object is checked for too). Nothing else is taken from a snapshot here: the decision reads the rest live.
import { CalendarSlot } from './calendar.js';
import { ShareStandings } from './shares.js';
import type { ProviderSnapshot } from './types.js';

/** The providers that have one skill, in input order. */
export interface SkillHolders {
  readonly providers: readonly ProviderSnapshot[];
  /** Each one's proficiency in the skill. */
  readonly proficiency: readonly (number | undefined)[];
  /** Each one's place in the input. */
  readonly positions: Int32Array;
  /** Per place in the input, the holder there (its index in `providers`), or -1 without the skill. */
  readonly holderAt: Int32Array;
}

export class ProviderIndex {
  readonly providers: readonly ProviderSnapshot[];
  readonly #skills: readonly ProviderSnapshot['skills'][];
  readonly #bySkill = new Map<string, SkillHolders>();
  /** Per place in the input, what the calendar cache last answered for that provider. */
  readonly calendarSlots: readonly CalendarSlot[];
  #byId: Int32Array | undefined;
  #idRunEnds: Int32Array | undefined;
  #idNumbers: Int32Array | undefined;
  #distinctIds = 0;

  constructor(providers: readonly ProviderSnapshot[]) {
    this.providers = [...providers];
    this.#skills = providers.map((provider) => provider.skills);
    this.calendarSlots = providers.map(() => new CalendarSlot());
  }

  /** Whether these are the providers indexed: the same objects, with the same skills, in the same order. */
  covers(providers: readonly ProviderSnapshot[]): boolean {
    if (providers.length !== this.providers.length) return false;
    for (let i = 0; i < providers.length; i++) {
      const provider = providers[i]!;
      if (provider !== this.providers[i] || provider.skills !== this.#skills[i]) return false;
    }
    return true;
  }

  /** Providers with the skill as an own key (a skill named "constructor" finds none), in input order. */
  withSkill(skill: string): SkillHolders {
    let holders = this.#bySkill.get(skill);
    if (!holders) {
      holders = this.#holdersOf(skill);
      this.#bySkill.set(skill, holders);
    }
    return holders;
  }

  #holdersOf(skill: string): SkillHolders {
    const providers: ProviderSnapshot[] = [];
    const proficiency: (number | undefined)[] = [];
    const positions: number[] = [];
    const holderAt = new Int32Array(this.providers.length).fill(-1);
    this.providers.forEach((provider, position) => {
      if (!Object.hasOwn(provider.skills, skill)) return;
      holderAt[position] = providers.length;
      providers.push(provider);
      proficiency.push(provider.skills[skill]);
      positions.push(position);
    });
    return { providers, proficiency, positions: Int32Array.from(positions), holderAt };
  }

  /** Places in the input ordered by provider id, equal ids in input order. */
  positionsById(): Int32Array {
    if (!this.#byId) {
      const ids = this.providers.map((provider) => provider.providerId);
      const order = Array.from(ids, (_, position) => position);
      order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
      this.#byId = Int32Array.from(order);
      // Each run of equal ids, from its first entry in that order: where it ends.
      const runEnds = new Int32Array(order.length);
      for (let end = order.length, k = order.length - 1; k >= 0; k--) {
        if (k + 1 < order.length && ids[order[k]!] !== ids[order[k + 1]!]) end = k + 1;
        runEnds[k] = end;
      }
      this.#idRunEnds = runEnds;
    }
    return this.#byId;
  }

  /** For each entry of positionsById(), where the run of entries with its id ends (one past its last). */
  idRunEnds(): Int32Array {
    this.positionsById();
    return this.#idRunEnds!;
  }

  /** Per place in the input, a number for its provider id (0, 1, ...; equal ids get the same one). */
  idNumbers(): Int32Array {
    if (!this.#idNumbers) {
      const numbers = new Map<string, number>();
      this.#idNumbers = Int32Array.from(this.providers, ({ providerId }) => {
        let number = numbers.get(providerId);
        if (number === undefined) {
          number = numbers.size;
          numbers.set(providerId, number);
        }
        return number;
      });
      this.#distinctIds = numbers.size;
    }
    return this.#idNumbers;
  }

  /** How many different ids the providers have. */
  get distinctIds(): number {
    this.idNumbers();
    return this.#distinctIds;
  }

  #shareStandings: ShareStandings | undefined;

  /** Room for a decision's allocation-share standings, one per provider id (refilled by each decision). */
  shareStandings(): ShareStandings {
    this.#shareStandings ??= new ShareStandings(this.distinctIds);
    return this.#shareStandings;
  }
}

let last: ProviderIndex | undefined;

/** The index of these providers: built once per set of snapshots, then reused. */
export function providerIndex(providers: readonly ProviderSnapshot[]): ProviderIndex {
  if (!last?.covers(providers)) last = new ProviderIndex(providers);
  return last;
}
