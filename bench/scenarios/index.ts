// The scenarios a run knows, in the order it runs them. Each lives in its own file here
// and exports `scenario` (see ../lib/scenario.ts); a file not in this tree is reported
// as "not present" rather than failing the run, so scenarios can land one at a time.
import { existsSync } from 'node:fs';
import type { Scenario } from '../lib/scenario.js';

export const SCENARIO_IDS = ['forwarding', 'cpu', 'hops', 'streams', 'fanout', 'fanout-wide', 'dual-bridge', 'reload', 'memory', 'reflector'] as const;

export type Loaded = { id: string; scenario: Scenario } | { id: string; missing: true } | { id: string; error: string };

/** Imports a scenario's module; null when its file does not exist. Other errors throw. */
export async function loadScenario(id: string): Promise<Scenario | null> {
  const base = new URL(`./${id}`, import.meta.url);
  if (!existsSync(`${base.pathname}.ts`) && !existsSync(`${base.pathname}.js`)) return null;
  const module = (await import(`./${id}.js`)) as { scenario?: Scenario };
  if (!module.scenario || module.scenario.id !== id) throw new Error(`bench/scenarios/${id}.ts does not export a scenario with id "${id}"`);
  return module.scenario;
}

export async function loadScenarios(ids: readonly string[]): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const id of ids) {
    try {
      const scenario = await loadScenario(id);
      loaded.push(scenario ? { id, scenario } : { id, missing: true });
    } catch (error) {
      // One scenario that does not compile must not stop the others.
      loaded.push({ id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return loaded;
}
