// The topologies the bench's multi-relay scenarios build (src/netns/topologies.ts):
// series (a relay per hop), fan (many legs into one receiver namespace) and direct (no
// relay), each with the names and addresses the bench's rules refer to, and each link
// carrying a datagram.
import t from 'tap';
import { direct, fan, Lab, listNamespaces, rootSkipReason, series, type Endpoint } from '../helpers/netns.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();

/** One unicast datagram from one endpoint to another arrives (mcr-gen to mcr-sink). */
async function reaches(from: Endpoint, to: Endpoint): Promise<boolean> {
  const sink = await startSink(to.ns, { group: to.address, port: 7000, expect: 1, idleTimeout: 1 });
  await runGen(from.ns, { group: to.address, port: 7000, count: 1, rate: 0, size: 64 });
  return (await sink.report).received === 1;
}

const named = (end: Endpoint) => `${end.ns.label}/${end.iface} ${end.address}`;

t.test('series(3): src, r1, r2, r3, rx in a line, link i on 10.(20+i).0.0/24', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await series(lab, 3);
  t.same(listNamespaces(`${lab.id}-`), ['r1', 'r2', 'r3', 'rx', 'src'].map((l) => `${lab.id}-${l}`));
  t.same(
    [net.src, ...net.hops.flatMap((h) => [h.in0, h.out0]), net.rx].map(named),
    ['src/eth0 10.20.0.2', 'r1/in0 10.20.0.1', 'r1/out0 10.21.0.2', 'r2/in0 10.21.0.1', 'r2/out0 10.22.0.2', 'r3/in0 10.22.0.1', 'r3/out0 10.23.0.2', 'rx/eth0 10.23.0.1'],
  );
  t.ok(await reaches(net.src, net.hops[0]!.in0), 'src reaches the first relay');
  t.ok(await reaches(net.hops[0]!.out0, net.hops[1]!.in0), 'r1 reaches r2');
  t.ok(await reaches(net.rx, net.hops[2]!.out0), 'rx reaches the last relay');
});

t.test('fan(4): four legs from the relay into one receiver namespace', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await fan(lab, 4);
  t.equal(listNamespaces(`${lab.id}-`).length, 3, 'src, relay, rx');
  t.same(net.rxs.map(named), ['rx/rx0 10.128.0.2', 'rx/rx1 10.128.1.2', 'rx/rx2 10.128.2.2', 'rx/rx3 10.128.3.2']);
  t.same(net.outs.map(named), ['relay/out0 10.128.0.1', 'relay/out1 10.128.1.1', 'relay/out2 10.128.2.1', 'relay/out3 10.128.3.1']);
  t.ok(await reaches(net.src, net.in0), 'src reaches the relay');
  t.ok(await reaches(net.outs[3]!, net.rxs[3]!), 'the last leg carries a datagram');
});

t.test('direct: src and rx on one veth, nothing between', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await direct(lab);
  t.same([net.src, net.rx].map(named), ['dsrc/eth0 10.9.0.2', 'drx/eth0 10.9.0.3']);
  t.ok(await reaches(net.src, net.rx), 'src reaches rx');
});
