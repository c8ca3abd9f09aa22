// mcr check's warnings about a good file on this host: the logic, held to a table with
// made-up interfaces (test/dataplane/frame-egress-check.test.ts runs the real command
// in a namespace).
import t from 'tap';
import { hostWarnings, WARNING_CODES, type InterfaceFacts } from '../../src/config/host-checks.js';
import { locateWarnings } from '../../src/config/load.js';
import { formatConfigWarning } from '../../src/config/problems.js';
import { addressOf } from '../../src/net/address.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

const ether = (mtu: number, ...addresses: string[]): InterfaceFacts => ({ mtu, ethernet: true, addresses: addresses.map(addressOf) });
const HOST: Record<string, InterfaceFacts> = {
  in0: ether(1500, '10.1.0.1'),
  jumbo: ether(9000, '10.3.0.1'),
  out0: ether(1500, '10.2.0.1'),
  small: ether(1000, '10.4.0.1'),
  bare: ether(1500),
  v6only: ether(1500, 'fe80::1', '2001:db8::1'),
  wg0: { mtu: 1420, ethernet: false, addresses: [addressOf('10.8.0.1')] },
};
const host = (name: string) => HOST[name] ?? null;

/** The warnings of one rule's outputs, as "OUTPUT_INDEX code: message". */
function warnings(input: string, ...outputs: string[]): string[] {
  return hostWarnings(ruleSetOf(rule('r', input, ...outputs)), host).map((w) => `${w.path[3]} ${w.code}: ${w.message}`);
}

t.test('an input MTU above an output MTU is a warning that says what happens to the larger datagrams', async (t) => {
  t.same(warnings('in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'), [], 'equal MTUs');
  t.same(warnings('small 239.1.1.1:5000', 'out0 239.2.2.1:5000'), [], 'a smaller input');
  t.same(warnings('jumbo 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out0 239.2.2.2:5000 egress socket', 'wg0 10.8.0.2:5000'), [
    '0 mtu-mismatch: input interface jumbo has MTU 9000, output interface out0 has MTU 1500: datagrams with more than 1472 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)',
    '1 mtu-mismatch: input interface jumbo has MTU 9000, output interface out0 has MTU 1500: datagrams with more than 1472 bytes of payload are fragmented by the kernel on this output',
    '2 mtu-mismatch: input interface jumbo has MTU 9000, output interface wg0 has MTU 1420: datagrams with more than 1392 bytes of payload are fragmented by the kernel on this output',
  ]);
  t.same(warnings('in0 239.1.1.1:5000', 'small 239.2.2.1:5000 egress frame'), [
    '0 mtu-mismatch: input interface in0 has MTU 1500, output interface small has MTU 1000: datagrams with more than 972 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)',
  ]);
});

t.test('a frame output without an address of its family to send from is a warning that says what to set', async (t) => {
  t.same(warnings('in0 239.1.1.1:5000', 'bare 239.2.2.1:5000'), [
    '0 no-source-address: interface bare has no IPv4 address for this frame output to send from, so it will fail; set source_address to an IPv4 address, or to "preserve" (the sender\'s)',
  ]);
  t.same(warnings('in0 239.1.1.1:5000', 'v6only 239.2.2.1:5000 egress frame'), [
    '0 no-source-address: interface v6only has no IPv4 address for this frame output to send from, so it will fail; set source_address to an IPv4 address, or to "preserve" (the sender\'s)',
  ], 'IPv6 addresses do not count for an IPv4 output');
  t.same(warnings('in0 239.1.1.1:5000', 'bare 239.2.2.1:5000 from 10.9.9.9', 'bare 239.2.2.2:5000 from preserve'), [], 'an explicit or preserved source');
  t.same(warnings('in0 239.1.1.1:5000', 'bare 239.2.2.1:5000 egress socket'), [], 'a socket output: the kernel picks an address');
});

t.test('frames asked of an interface without an Ethernet header are a warning', async (t) => {
  t.same(warnings('small 239.1.1.1:5000', 'wg0 10.8.0.2:5000'), [], 'auto picks a socket there');
  t.same(warnings('small 239.1.1.1:5000', 'wg0 10.8.0.2:5000 egress frame', 'wg0 10.8.0.3:5000 from preserve'), [
    '0 not-ethernet: interface wg0 has no Ethernet header, so this output cannot send frames and will fail; use egress = "socket" (or "auto")',
    '1 not-ethernet: interface wg0 has no Ethernet header, so this output cannot send frames and will fail; source_address = "preserve" needs frames',
  ]);
});

t.test('interfaces that do not exist say nothing: they may appear later', async (t) => {
  t.same(warnings('nope0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'nope1 239.2.2.2:5000'), []);
  t.same(warnings('jumbo 239.1.1.1:5000', 'nope1 239.2.2.2:5000'), []);
});

t.test('IPv6 sources are picked by scope, as the data plane picks them', async (t) => {
  // The file format is IPv4 only today: the IPv6 output is put in by hand.
  const ruleSet = ruleSetOf(rule('r', 'small 239.1.1.1:5000', 'bare 239.2.2.1:5000'));
  const toV6 = (group: string) => ({ ...ruleSet, rules: [{ ...ruleSet.rules[0]!, outputs: [{ interface: 'v6only', group: addressOf(group), port: 5000, ttl: 1, sourceAddress: null, egress: 'auto' as const, dscp: 0 }] }] });
  t.same(hostWarnings(toV6('ff3e::1'), host), [], 'a global group: the global address');
  t.same(hostWarnings(toV6('ff02::1'), host), [], 'a link-scope group: the link-local address');
  const translated = { ...toV6('ff3e::1'), rules: [{ ...toV6('ff3e::1').rules[0]!, input: { ...ruleSet.rules[0]!.input, interface: 'in0' } }] };
  t.same(hostWarnings(translated, host).map((w) => w.message), [
    'input interface in0 has MTU 1500, output interface v6only has MTU 1500: datagrams with more than 1452 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)',
  ], 'IPv4 in, IPv6 out on equal MTUs: the IPv6 header is 20 bytes longer');
  const linkLocalOnly: Record<string, InterfaceFacts> = { v6only: ether(1500, 'fe80::1') };
  const only = hostWarnings(toV6('ff3e::1'), (name) => linkLocalOnly[name] ?? HOST[name] ?? null);
  t.same(only.map((w) => w.message), [
    'interface v6only has no IPv6 address for this frame output to send from, so it will fail; set source_address to an IPv6 address, or to "preserve" (the sender\'s)',
  ], 'a global group needs more than a link-local address');
});

t.test('warnings are pinned to the output, and formatted as FILE:LINE:COL: warning: ...', async (t) => {
  const text = [rule('r', 'jumbo 239.1.1.1:5000', 'bare 239.2.2.1:5000')].join('\n') + '\n';
  const located = locateWarnings(hostWarnings(ruleSetOf(text), host), text, 'f.toml');
  t.same(located.map(formatConfigWarning), [
    'f.toml:4:27: warning: input interface jumbo has MTU 9000, output interface bare has MTU 1500: datagrams with more than 1472 bytes of payload are not sent on this output (counted as too_big: mcr never fragments)',
    'f.toml:4:13: warning: interface bare has no IPv4 address for this frame output to send from, so it will fail; set source_address to an IPv4 address, or to "preserve" (the sender\'s)',
  ]);
});

t.test('every warning code has a case above', async (t) => {
  const seen = new Set<string>();
  const all = ruleSetOf(
    rule('a', 'jumbo 239.1.1.1:5000', 'bare 239.2.2.1:5000'),
    rule('b', 'small 239.1.1.2:5000', 'wg0 10.8.0.2:5000 egress frame'),
  );
  for (const warning of hostWarnings(all, host)) seen.add(warning.code);
  t.same([...seen].sort(), [...WARNING_CODES].sort());
});
