// The pure half of the namespace builder (src/netns): the `ip -batch` lines a wiring
// spec turns into, the IPv6 twin of a lab address, and an end host's routes. No root.
import t from 'tap';
import { hostRoutes, ipv6Twin, link, type Endpoint } from '../../src/netns/endpoints.js';
import { Netns } from '../../src/netns/namespace.js';
import { planWiring, type WireSpec } from '../../src/netns/wiring.js';

const a = new Netns('lab-a', 'a', () => undefined);
const b = new Netns('lab-b', 'b', () => undefined);

/** The plan with namespaces by name, so a case reads as plain lines. */
function lines(spec: WireSpec) {
  const plan = planWiring(spec);
  const byName = (map: Map<Netns, string[]>) => Object.fromEntries([...map].map(([ns, l]) => [ns.name, l]));
  return { create: byName(plan.create), configure: byName(plan.configure), waitFor: byName(plan.waitFor) };
}

t.test('a veth pair is created from its first end straight into the second namespace', async (t) => {
  t.same(lines({ veths: [[{ ns: a, name: 'in0', address: '10.1.0.1/24', mtu: 9000 }, { ns: b, name: 'eth0', address: '10.1.0.2/24' }]] }), {
    create: { 'lab-a': ['link add in0 mtu 9000 type veth peer name eth0 netns lab-b'] },
    configure: {
      'lab-a': ['addr add 10.1.0.1/24 dev in0', 'link set in0 up'],
      'lab-b': ['addr add 10.1.0.2/24 dev eth0', 'link set eth0 up'],
    },
    waitFor: { 'lab-a': ['in0'], 'lab-b': ['eth0'] },
  });
});

t.test('IPv6 addresses are added nodad, and an explicit MAC is set before the link comes up', async (t) => {
  const plan = lines({
    veths: [[{ ns: a, name: 'eth0', address: ['10.9.0.2/24', 'fd00:9::2/64'], mac: '02:00:00:00:09:02' }, { ns: b, name: 'eth0' }]],
  });
  t.same(plan.configure['lab-a'], [
    'link set dev eth0 address 02:00:00:00:09:02',
    'addr add 10.9.0.2/24 dev eth0',
    'addr add fd00:9::2/64 dev eth0 nodad',
    'link set eth0 up',
  ]);
  t.same(plan.configure['lab-b'], ['link set eth0 up'], 'an end with nothing asked of it is only brought up');
});

t.test('a bridge gets its MAC and addresses, its members are enslaved first, routes come last', async (t) => {
  const plan = lines({
    bridges: [{ ns: a, name: 'br0', address: 'fd00:30::1/64', mac: '02:00:00:00:30:01', snooping: false }],
    veths: [[{ ns: a, name: 'p1', master: 'br0' }, { ns: b, name: 'eth0' }]],
    routes: [
      { ns: b, to: 'ff00::/8', dev: 'eth0' },
      { ns: b, to: '::/0', via: 'fd00:30::1' },
    ],
  });
  t.same(plan.create['lab-a'], ['link add br0 type bridge mcast_snooping 0', 'link add p1 type veth peer name eth0 netns lab-b']);
  t.same(plan.configure['lab-a'], [
    'link set dev br0 address 02:00:00:00:30:01',
    'addr add fd00:30::1/64 dev br0 nodad',
    'link set br0 up',
    'link set p1 master br0',
    'link set p1 up',
  ]);
  t.same(plan.configure['lab-b'], ['link set eth0 up', 'route add ff00::/8 dev eth0', 'route add ::/0 via fd00:30::1']);
});

t.test('what would break a batch line is refused with the value named', async (t) => {
  const veth = (extra: object): WireSpec => ({ veths: [[{ ns: a, name: 'x0', ...extra }, { ns: b, name: 'x1' }]] });
  t.throws(() => planWiring(veth({ mac: '02:00:00:00:00' })), { message: 'bad MAC address "02:00:00:00:00" (six hex pairs, e.g. 02:00:00:00:01:02)' });
  t.throws(() => planWiring(veth({ address: '10.1.0.1/24\nnetns del x' })), { message: /^bad address "10\.1\.0\.1\/24\nnetns del x" \(one word, no spaces\)$/ });
  t.throws(() => planWiring({ veths: [[{ ns: a, name: 'a-name-that-is-too-long' }, { ns: b, name: 'x1' }]] }), {
    message: 'bad interface name "a-name-that-is-too-long" (1 to 15 characters)',
  });
  t.throws(() => planWiring({ routes: [{ ns: a, to: 'default', via: '10.0.0.1 dev lo' }] }), { message: 'bad gateway "10.0.0.1 dev lo" (one word, no spaces)' });
});

t.test('the IPv6 twin of a 10.A.B.H address is fd00:A:B::H, written as ip prints it', async (t) => {
  const cases: [string, string][] = [
    ['10.1.0.2', 'fd00:1::2'],
    ['10.2.0.1', 'fd00:2::1'],
    ['10.128.49.1', 'fd00:128:49::1'],
    ['10.0.5.3', 'fd00:0:5::3'],
    ['10.0.0.7', 'fd00::7'],
    ['10.20.1.0', 'fd00:20:1::'],
  ];
  for (const [v4, v6] of cases) t.equal(ipv6Twin(v4), v6, v4);
  t.throws(() => ipv6Twin('192.168.1.1'), { message: 'no IPv6 twin for "192.168.1.1": only 10.0.0.0/8 addresses have one' });
  t.throws(() => ipv6Twin('10.1.300.1'), { message: /^no IPv6 twin for "10\.1\.300\.1"/ });
});

t.test('a link puts IPv4 in a /24 and IPv6 in a /64; an end host routes multicast of both families out of it', async (t) => {
  const host: Endpoint = { ns: a, iface: 'eth0', address: '10.1.0.2', address6: 'fd00:1::2' };
  const gateway: Endpoint = { ns: b, iface: 'in0', address: '10.1.0.1', address6: 'fd00:1::1' };
  const [near, far] = link(host, gateway, { mtu: 1400 });
  t.same(near, { ns: a, name: 'eth0', address: ['10.1.0.2/24', 'fd00:1::2/64'], mtu: 1400 });
  t.same(far, { ns: b, name: 'in0', address: ['10.1.0.1/24', 'fd00:1::1/64'], mtu: 1400 });
  t.same(hostRoutes(host, gateway), [
    { ns: a, to: '224.0.0.0/4', dev: 'eth0' },
    { ns: a, to: 'default', via: '10.1.0.1' },
    { ns: a, to: 'ff00::/8', dev: 'eth0' },
    { ns: a, to: '::/0', via: 'fd00:1::1' },
  ]);
  t.same(hostRoutes({ ns: a, iface: 'eth0', address: '10.9.0.2' }), [{ ns: a, to: '224.0.0.0/4', dev: 'eth0' }], 'IPv4 only, no gateway');
});
