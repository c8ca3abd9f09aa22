// One relay scenario: start the relay with its rules, start the sinks, run the
// generator, collect every report. Shared by the data plane integration tests.
import type { Netns } from './netns.js';
import { startRelay, type CountersReply, type Relay, type RuleStatusReply } from './relay.js';
import { runGen, startSink, type GenOptions, type GenReport, type SinkOptions, type SinkReport } from './traffic.js';

export interface Scenario {
  relay: Netns;
  relayOptions?: { backend?: string; workers?: number };
  rules: string[];
  sinks: { ns: Netns; options: SinkOptions }[];
  gen: { ns: Netns; options: GenOptions };
}

export interface Outcome {
  relay: Relay;
  gen: GenReport;
  sinks: SinkReport[];
  counters: CountersReply;
}

export async function runScenario(scenario: Scenario): Promise<Outcome> {
  const relay = await startRelay(scenario.relay, scenario.relayOptions ?? {});
  let status = await relay.apply(...scenario.rules);
  // A unicast frame output resolves its next hop first (a neighbour event, moments later).
  const active = (rules: RuleStatusReply[]) => rules.every((rule) => rule.state === 'active' && rule.outputs.every((o) => o.state === 'active'));
  if (status.some((rule) => rule.outputs.some((o) => o.state === 'resolving'))) status = await relay.waitForStatus(active, 5_000).catch(() => status);
  const inactive = status.filter((rule) => rule.state !== 'active' || rule.outputs.some((o) => o.state !== 'active'));
  if (inactive.length > 0) throw new Error(`rules not active: ${JSON.stringify(inactive)}`);
  const sinks = await Promise.all(scenario.sinks.map((sink) => startSink(sink.ns, sink.options)));
  const gen = await runGen(scenario.gen.ns, scenario.gen.options);
  const reports = await Promise.all(sinks.map((sink) => sink.report));
  const counters = await relay.counters();
  return { relay, gen, sinks: reports, counters };
}

/** What a sink must report when every datagram arrived intact and in order. */
export function perfect(count: number) {
  return { received: count, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };
}
