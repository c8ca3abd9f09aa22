// The kernel fast path's nftables script, as text (no root, no kernel): multicast MACs,
// copies ordered so each carries its own header, only changed fields set again, rules
// packed under the kernel's expression limit, and bad input refused with a reason.
import t from 'tap';
import { EXPRESSION_BUDGET, multicastMac, nftRelayScript, packRules, pathRules, type NftOutput } from '../../bench/lib/nft-script.js';

const out = (i: number, group = '239.2.2.2', port = 5000): NftOutput => ({ iface: `out${i}`, mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, group, port });

t.test('a group maps to 01:00:5e and its low 23 bits', async (t) => {
  const cases: [string, string][] = [
    ['239.1.1.1', '01:00:5e:01:01:01'],
    ['224.0.0.251', '01:00:5e:00:00:fb'],
    ['239.255.255.255', '01:00:5e:7f:ff:ff'],
    ['225.128.1.2', '01:00:5e:00:01:02'],
  ];
  for (const [group, mac] of cases) t.equal(multicastMac(group), mac, group);
  t.throws(() => multicastMac('10.0.0.1'), /10\.0\.0\.1 is not an IPv4 multicast group/);
  t.throws(() => multicastMac('239.1.1'), /bad IPv4 address "239\.1\.1"/);
  t.throws(() => multicastMac('239.1.1.256'), /bad IPv4 address/);
});

t.test('one output: the full rewrite, then fwd', async (t) => {
  const rules = pathRules({ inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: [out(0, '239.2.2.2', 6000)] });
  t.same(rules, ['ip daddr set 239.2.2.2 udp dport set 6000 ether daddr set 01:00:5e:02:02:02 ether saddr set 02:00:00:00:00:00 fwd to "out0"']);
});

t.test('copies to one group and port differ only in the Ethernet source, set before each dup', async (t) => {
  const [rule] = pathRules({ inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: [out(0), out(1), out(2)] });
  t.equal(
    rule,
    'ip daddr set 239.2.2.2 ether daddr set 01:00:5e:02:02:02 ether saddr set 02:00:00:00:00:00 dup to "out0" ' +
      'ether saddr set 02:00:00:00:00:01 dup to "out1" ether saddr set 02:00:00:00:00:02 fwd to "out2"',
  );
  t.notMatch(rule as string, /udp dport set/, 'the port is unchanged: not set');
});

t.test('copies with their own groups and ports each get their own fields before their dup', async (t) => {
  const [rule] = pathRules({ inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: [out(0, '239.2.0.1', 6000), out(1, '239.2.0.2', 6001)] });
  const statements = (rule as string).split(/ (?=ip |udp |ether |dup |fwd )/);
  t.same(statements, [
    'ip daddr set 239.2.0.1',
    'udp dport set 6000',
    'ether daddr set 01:00:5e:02:00:01',
    'ether saddr set 02:00:00:00:00:00',
    'dup to "out0"',
    'ip daddr set 239.2.0.2',
    'udp dport set 6001',
    'ether daddr set 01:00:5e:02:00:02',
    'ether saddr set 02:00:00:00:00:01',
    'fwd to "out1"',
  ]);
});

t.test('a wide fan-out is split into rules under the expression budget, copies never split', async (t) => {
  const outputs = Array.from({ length: 1000 }, (_, i) => out(i % 250, `239.2.${i >> 8}.${i & 255}`, 6000 + i));
  const rules = pathRules({ inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs });
  t.ok(rules.length > 80, `${rules.length} rules`);
  const copies = rules.flatMap((r) => r.match(/(dup|fwd) to "out\d+"/g) ?? []);
  t.equal(copies.length, 1000, 'every output once');
  t.equal(copies.at(-1), 'fwd to "out249"', 'the last copy is the frame itself');
  t.equal(copies.filter((c) => c.startsWith('fwd')).length, 1);
  // Each rule holds at most budget expressions: 2 per statement, 2 more per protocol it first touches.
  for (const r of rules) {
    const statements = r.split(/ (?=ip |udp |ether |dup |fwd )/);
    const protocols = new Set(statements.map((s) => s.split(' ')[0]).filter((p) => p !== 'dup' && p !== 'fwd'));
    t.ok(statements.length * 2 + protocols.size * 2 <= EXPRESSION_BUDGET, `rule of ${statements.length} statements fits`);
  }
  t.match(rules[1] as string, /^ip daddr set /, 'a copy starting a rule carries all its fields');
  // The rules run in order on one skb: fields set in an earlier rule stay set.
  const same = pathRules({ inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: Array.from({ length: 100 }, (_, i) => out(i)) });
  t.ok(same.length >= 2, `${same.length} rules for 100 copies to one group`);
  t.match(same[1] as string, /^ether saddr set [0-9a-f:]+ dup to "out\d+"/, 'a later rule sets only the Ethernet source');
});

t.test('packing: a new rule when the next copy would pass the budget, and a copy too big for any rule is refused', async (t) => {
  const copy = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `s${i}`, expressions: 2, needs: 'ether' as const }));
  t.same(packRules([copy(2), copy(2), copy(2)], 12), ['s0 s1 s0 s1', 's0 s1']);
  t.throws(() => packRules([copy(10)], 12), /one copy needs 22 expressions, over the 12 a rule may hold/);
});

t.test('the script: a table, a chain per path, a base chain per input matching group, port and source', async (t) => {
  const script = nftRelayScript('mcrbench1', [
    { inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: [out(0)] },
    { inputIface: 'in0', group: '239.1.1.2', port: 5001, source: '10.1.0.2', outputs: [out(1)] },
    { inputIface: 'in-1.5', group: '239.1.1.3', port: 5000, outputs: [out(2)] },
  ]);
  t.match(script, /^table netdev mcrbench1 \{\n  chain path0 \{\n    ip daddr set 239\.2\.2\.2/);
  t.match(script, '  chain in_in0 {\n    type filter hook ingress device "in0" priority 0; policy accept;\n    ip daddr 239.1.1.1 udp dport 5000 jump path0\n    ip daddr 239.1.1.2 ip saddr 10.1.0.2 udp dport 5001 jump path1\n  }');
  t.match(script, '  chain in_in_1_5 {\n    type filter hook ingress device "in-1.5" priority 0; policy accept;\n    ip daddr 239.1.1.3 udp dport 5000 jump path2\n  }');
  t.ok(script.endsWith('}\n'));
});

t.test('bad paths are refused with what is wrong', async (t) => {
  const path = { inputIface: 'in0', group: '239.1.1.1', port: 5000, outputs: [out(0)] };
  t.throws(() => nftRelayScript('bad name', [path]), /bad table name "bad name"/);
  t.throws(() => nftRelayScript('t', [{ ...path, outputs: [] }]), /the path 239\.1\.1\.1:5000 on in0 has no outputs/);
  t.throws(() => nftRelayScript('t', [{ ...path, outputs: [{ ...out(0), iface: 'x"; drop' }] }]), /bad interface name/);
  t.throws(() => nftRelayScript('t', [{ ...path, outputs: [{ ...out(0), mac: 'zz' }] }]), /bad MAC address "zz"/);
  t.throws(() => nftRelayScript('t', [{ ...path, outputs: [{ ...out(0), port: 0 }] }]), /bad UDP port 0/);
  t.throws(() => nftRelayScript('t', [{ ...path, outputs: [out(0, '10.2.2.2')] }]), /not an IPv4 multicast group/);
});

t.test('IPv6: a group maps to 33:33 and its low 32 bits, the rewrite and the match use ip6, and a family change is refused', async (t) => {
  t.equal(multicastMac('ff0e::2:2'), '33:33:00:02:00:02');
  t.equal(multicastMac('ff02::fb'), '33:33:00:00:00:fb');
  t.throws(() => multicastMac('2001:db8::1'), /2001:db8::1 is not an IPv6 multicast group/);
  const rules = pathRules({ inputIface: 'in0', group: 'ff0e::1:1', port: 5000, outputs: [out(0, 'ff0e::2:2', 6000)] });
  t.same(rules, ['ip6 daddr set ff0e::2:2 udp dport set 6000 ether daddr set 33:33:00:02:00:02 ether saddr set 02:00:00:00:00:00 fwd to "out0"']);
  const script = nftRelayScript('t6', [{ inputIface: 'in0', group: 'ff0e::1:1', port: 5000, source: 'fd00:1::2', outputs: [out(0, 'ff0e::2:2')] }]);
  t.match(script, '    ip6 daddr ff0e::1:1 ip6 saddr fd00:1::2 udp dport 5000 jump path0\n');
  t.throws(() => pathRules({ inputIface: 'in0', group: 'ff0e::1:1', port: 5000, outputs: [out(0, '239.2.2.2')] }), /nft cannot translate between IPv4 and IPv6/);
  t.throws(() => nftRelayScript('t6', [{ inputIface: 'in0', group: 'ff0e::1:1', port: 5000, source: '10.1.0.2', outputs: [out(0, 'ff0e::2:2')] }]), /not of the family/);
});
