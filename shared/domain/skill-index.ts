// Providers by skill for the routing decision, so it looks only at those that have the ticket's skill. The
// router hands each decision a fresh array of the same snapshot objects (it updates counters in place and
// replaces a snapshot when its configuration changes), so the index of the last array is kept and reused
// while the same objects come in the same order. A snapshot's `skills` are never edited in place: a new
// configuration is a new snapshot object (and a replaced `skills` object is checked for too).
import type { ProviderSnapshot } from './types.js';

class SkillIndex {
  readonly #providers: readonly ProviderSnapshot[];
  readonly #skills: readonly ProviderSnapshot['skills'][];
  readonly #bySkill = new Map<string, ProviderSnapshot[]>();

  constructor(providers: readonly ProviderSnapshot[]) {
    this.#providers = [...providers];
    this.#skills = providers.map((provider) => provider.skills);
  }

  /** Whether these are the providers indexed: the same objects, with the same skills, in the same order. */
  covers(providers: readonly ProviderSnapshot[]): boolean {
    if (providers.length !== this.#providers.length) return false;
    for (let i = 0; i < providers.length; i++) {
      const provider = providers[i]!;
      if (provider !== this.#providers[i] || provider.skills !== this.#skills[i]) return false;
    }
    return true;
  }

  /** Providers with the skill as an own key (a skill named "constructor" finds none), in input order. */
  withSkill(skill: string): readonly ProviderSnapshot[] {
    let holders = this.#bySkill.get(skill);
    if (!holders) {
      holders = this.#providers.filter((provider) => Object.hasOwn(provider.skills, skill));
      this.#bySkill.set(skill, holders);
    }
    return holders;
  }
}

let last: SkillIndex | undefined;

/** The providers that have `skill`, in input order; the index is built once per set of snapshots. */
export function providersWithSkill(
  providers: readonly ProviderSnapshot[],
  skill: string,
): readonly ProviderSnapshot[] {
  if (!last?.covers(providers)) last = new SkillIndex(providers);
  return last.withSkill(skill);
}
