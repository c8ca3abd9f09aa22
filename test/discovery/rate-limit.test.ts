// A reflector's rate limit under a flood: 20,000 pps offered for 5 s into a token bucket
// of 1,000 pps with a burst of 2,000. What gets through is at most 1,000 x 5 + 2,000 and
// at least 90 % of that; everything else is counted as rate_limited, exactly.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { flowsOf, startReflector } from '../helpers/discovery.js';

const skip = rootSkipReason();
const RATE = 20_000;
const SECONDS = 5;
const PPS = 1_000;
const BURST = 2_000;

t.test('20,000 pps for 5 s into a 1,000 pps / 2,000 burst reflector: at most 7,000 delivered and at least 90 % of that, the rest counted as rate_limited', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot']);
  const mcrd = await startReflector(t, net.relays[0]!.ns, [
    '[[reflector]]',
    'name = "storm"',
    'group = "239.255.255.250"',
    'port = 1900',
    'interfaces = ["lan", "iot"]',
    `rate_limit = { pps = ${PPS}, burst = ${BURST} }`,
  ]);
  await mcrd.waitForStats((stats) => Object.values(flowsOf(stats, 'storm')).filter((rule) => rule.state === 'active').length === 2);
  const [iot, lan] = [net.hosts.iot![0]!, net.hosts.lan![0]!];
  const sink = await startSink(lan.ns, { group: '239.255.255.250', port: 1900, interface: 'eth0', idleTimeout: 1.5, durationLimit: 20 });
  const gen = await runGen(iot.ns, { group: '239.255.255.250', port: 1900, count: RATE * SECONDS, rate: RATE, interface: 'eth0', size: 200, durationLimit: 15 });
  t.equal(gen.sent, RATE * SECONDS, `the generator offered ${gen.sent} datagrams in ${gen.seconds.toFixed(2)} s`);
  const report = await sink.report;
  // The bucket fills on the relay's clock, from its first datagram to its last; a relay
  // that lags behind the sender at the end stretches that span a little past the
  // sender's own (7,001 of a 7,000.4 ceiling was seen on a loaded machine): 0.1 s more.
  const ceiling = PPS * (gen.seconds + 0.1) + BURST;
  t.ok(report.datagrams <= ceiling, `delivered ${report.datagrams} <= ${Math.round(ceiling)} (1,000 x (${gen.seconds.toFixed(2)} + 0.1) s + 2,000)`);
  t.ok(report.datagrams >= 0.9 * PPS * SECONDS + 0.9 * BURST, `delivered ${report.datagrams} >= 90 % of 7,000`);
  const stats = await mcrd.waitForStats((s) => (flowsOf(s, 'storm').iot?.packets ?? 0) >= gen.sent);
  const flow = flowsOf(stats, 'storm').iot!;
  t.equal(flow.packets, gen.sent, 'the reflector received every datagram offered');
  t.equal(flow.rate_limited, flow.packets - flow.outputs[0]!.packets, `what it did not relay is counted: rate_limited ${flow.rate_limited}`);
  t.equal(flow.outputs[0]!.packets, report.datagrams, 'what it relayed is what the receiver got');
  t.equal(flow.loop_suppressed + flow.source_denied, 0, 'nothing else was dropped');
});
