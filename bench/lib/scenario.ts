// The contract every benchmark scenario follows, so that run.ts can run any subset in
// one process and bench/results/latest.{json,md} can be put together from their results
// without knowing what is inside them.
import type { Placement } from './affinity.js';
import type { ScriptHost } from './host.js';
import type { BuildInfo } from './snapshot.js';
import type { TargetRow } from './targets.js';

export interface ScenarioContext {
  quick: boolean;
  /** System ids from the command line; a scenario runs those it supports, in order. */
  systems: string[];
  /** The build snapshot taken once per run, shared by every scenario. */
  build: BuildInfo;
  /** Where the traffic tools and the relays run (the bench has pinned itself already). */
  placement: Placement;
  log(line: string): void;
}

/** One headline figure per system for the README table ("n/a" where it does not apply). */
export interface HeadlineRow {
  measure: string;
  values: Record<string, string>;
}

export interface Scenario<R = unknown> {
  /** Short id: the key in latest.json and the name of bench/results/<id>.json. */
  id: string;
  /** Heading of its section in latest.md. */
  title: string;
  /** Runs the scenario; R holds every raw figure (each trial), JSON-serialisable. */
  run(host: ScriptHost, ctx: ScenarioContext): Promise<R>;
  /** Its section of latest.md: tables with ratios to kernel and socat, and the method. */
  render(result: R): string;
  headline?(result: R): HeadlineRow[];
  /** The targets this result judges (latest.md gathers them in one table). */
  targets?(result: R): TargetRow[];
  /** An SVG chart of the result (bench/results/latest.svg); at most one scenario draws one. */
  chart?(result: R): string;
}
