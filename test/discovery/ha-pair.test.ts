// Two mcrd reflecting the same group between the same two segments (an HA pair): each
// relays the other's copies back at most once, and its loop window stops the rest, so
// every original datagram reaches each segment at most once per relay, with no
// ping-pong and nothing left flowing after the sender stops.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { sendFrom, startWitness, witnessSkipReason } from '../helpers/witness.js';
import { delay, flowsOf, startReflector } from '../helpers/discovery.js';

const skip = rootSkipReason() || witnessSkipReason();
const COUNT = 300;
const PORT = 5353;

t.test('two relays on the same two segments relay each datagram at most once per relay per segment, count what they suppress, and go quiet when the sender stops', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['west', 'east'], { hosts: 2, relays: 2 });
  const lines = ['[[reflector]]', 'name = "pair"', 'group = "224.0.0.251"', `port = ${PORT}`, 'interfaces = ["west", "east"]'];
  const relays = await Promise.all(net.relays.map((relay) => startReflector(t, relay.ns, lines)));
  await Promise.all(relays.map((mcrd) => mcrd.waitForStats((stats) => Object.values(flowsOf(stats, 'pair')).filter((rule) => rule.state === 'active').length === 2)));
  const macs = await Promise.all(net.relays.map(async (relay) => ({ west: await relay.ns.mac('west'), east: await relay.ns.mac('east') })));
  const [sender, bystander] = [net.hosts.west![0]!, net.hosts.west![1]!];
  const receiver = net.hosts.east![0]!;
  const options = { interface: 'eth0', ports: [PORT], groups: ['224.0.0.251'], expect: 1_000_000, idle: 1.5 };
  const onA = await startWitness(bystander.ns, options);
  const onB = await startWitness(receiver.ns, options);
  t.equal(await sendFrom(sender.ns, { group: '224.0.0.251', port: PORT, sourcePort: PORT, count: COUNT, interface: 'eth0', gapMs: 5, ttl: 255 }), COUNT);
  const [a, b] = await Promise.all([onA.report, onB.report]);
  const senderMac = await sender.ns.mac('eth0');
  const framesA = a.frames[String(PORT)]?.src_mac ?? {};
  const framesB = b.frames[String(PORT)]?.src_mac ?? {};
  t.equal(framesA[senderMac], COUNT, 'the west segment saw every original once');
  const stats = await Promise.all(relays.map((mcrd) => mcrd.stats()));
  macs.forEach((mac, r) => {
    const toB = framesB[mac.east] ?? 0;
    const backToA = framesA[mac.west] ?? 0;
    t.equal(toB + backToA, COUNT, `relay ${r} sent each original exactly once: ${toB} to east, ${backToA} of the other relay's copies back to west`);
    const flows = flowsOf(stats[r]!, 'pair');
    const suppressed = (flows.west?.loop_suppressed ?? 0) + (flows.east?.loop_suppressed ?? 0);
    t.equal(suppressed, COUNT, `relay ${r} suppressed one copy per original (${flows.west?.loop_suppressed} on west, ${flows.east?.loop_suppressed} on east)`);
  });
  t.equal(b.ports[String(PORT)]?.count, Object.values(framesB).reduce((sum, n) => sum + n, 0), 'the east segment saw nothing but the relays\' copies');
  t.ok((b.ports[String(PORT)]?.count ?? 0) <= 2 * COUNT, `no growth: ${b.ports[String(PORT)]?.count} datagrams on east for ${COUNT} originals and two relays`);
  t.same(b.ports[String(PORT)]?.sources, { [`${sender.address}:${PORT}`]: b.ports[String(PORT)]?.count }, "every copy carries the sender's address and port");
  // The witnesses ended after 1.5 s of silence on each segment: nothing circulates. The
  // relays' counters agree a second later.
  const before = stats.map((s) => Object.values(flowsOf(s, 'pair')).reduce((sum, rule) => sum + rule.packets, 0));
  await delay(1000);
  const after = (await Promise.all(relays.map((mcrd) => mcrd.stats()))).map((s) => Object.values(flowsOf(s, 'pair')).reduce((sum, rule) => sum + rule.packets, 0));
  t.same(after, before, `no relay received anything after the sender stopped (${before.join(', ')} datagrams each)`);
});
