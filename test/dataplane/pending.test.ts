// A rule whose input interface does not exist is accepted as pending; it starts by
// itself when the interface appears (the data plane watches rtnetlink), pauses when the
// interface is deleted, and resumes when it is created again under a new ifindex.
import t from 'tap';
import { Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { startRelay, type RuleStatusReply } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 5_000;

function stateOf(status: RuleStatusReply[]): string {
  return status.map((r) => `${r.state}@${r.ifindex === 0 ? '-' : 'if'}`).join(',');
}

async function wireInput(lab: Lab, src: Netns, relay: Netns): Promise<void> {
  await lab.wire({
    veths: [[{ ns: relay, name: 'in0', address: '10.1.0.1/24' }, { ns: src, name: 'eth0', address: '10.1.0.2/24' }]],
    routes: [{ ns: src, to: '224.0.0.0/4', dev: 'eth0' }],
  });
}

async function deliver(src: Netns, rx: Netns): Promise<void> {
  const sink = await startSink(rx, { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 });
  const gen = await runGen(src, { group: '239.1.1.1', port: 5000, count: COUNT, rate: 10_000, size: 256 });
  if (gen.sent !== COUNT) throw new Error(`gen sent ${gen.sent}`);
  const report = await sink.report;
  for (const [key, value] of Object.entries(perfect(COUNT))) {
    if (report[key as keyof typeof report] !== value) throw new Error(`sink ${key} = ${String(report[key as keyof typeof report])}`);
  }
}

t.test('a rule on a missing interface is pending, starts when it appears, pauses when it goes, resumes when it returns', { skip }, async (t) => {
  const lab = Lab.create(t);
  const [src, relayNs, rx] = (await lab.namespaces('src', 'relay', 'rx')) as [Netns, Netns, Netns];
  await lab.wire({
    veths: [[{ ns: relayNs, name: 'out0', address: '10.2.0.1/24' }, { ns: rx, name: 'eth0', address: '10.2.0.2/24' }]],
    routes: [{ ns: rx, to: '224.0.0.0/4', dev: 'eth0' }],
  });
  const relay = await startRelay(relayNs);
  const initial = await relay.apply(rule('late', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000'));
  t.equal(stateOf(initial), 'pending@-', 'pending while in0 does not exist');

  let started = Date.now();
  const appeared = relay.nextLinkEvent((status) => stateOf(status) === 'active@if');
  await wireInput(lab, src, relayNs);
  const active = await appeared;
  t.ok(Date.now() - started < 2_000, `active ${Date.now() - started} ms after in0 appeared`);
  const firstIfindex = active[0]?.ifindex;
  await deliver(src, rx);
  t.pass('relays once the interface exists');

  const gone = relay.nextLinkEvent((status) => stateOf(status) === 'pending@-');
  await relayNs.ip('link', 'del', 'in0');
  await gone;
  t.pass('pending again once in0 is deleted');

  started = Date.now();
  const back = relay.nextLinkEvent((status) => stateOf(status) === 'active@if');
  await wireInput(lab, src, relayNs);
  const resumed = await back;
  t.ok(Date.now() - started < 2_000, `active again ${Date.now() - started} ms after in0 returned`);
  t.not(resumed[0]?.ifindex, firstIfindex, 'under a new ifindex');
  await deliver(src, rx);
  t.pass('relays again');
  const counters = await relay.counters();
  t.equal(counters.rules['in0|239.1.1.1|5000|*']?.packets, 2 * COUNT, 'one rule, counting across both lives of the interface');
  await relay.close();
});
