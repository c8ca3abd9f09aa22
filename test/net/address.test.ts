// The address type's tables: what parses (and why not), the canonical text, and the
// classification that decides what an address may be used for.
import t from 'tap';
import { inputKey, outputKey } from '../../src/config/ruleset.js';
import { addressOf, canonicalText, classify, isMulticast, mappedIpv4, parseAddress, type Classification } from '../../src/net/address.js';

t.test('valid literals of both families parse to their canonical text', async (t) => {
  const cases: [string, string][] = [
    ['239.1.1.1', '239.1.1.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:1:1:0:0:1', '1::1:1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::', '2001:db8::'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['FF02::1', 'ff02::1'],
    ['ff0e:0:0:0:0:0:1:3', 'ff0e::1:3'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:0201', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['FE80:0::0:1%7', 'fe80::1%7'],
  ];
  for (const [text, canonical] of cases) {
    const result = parseAddress(text);
    t.same(result.ok && result.address.text, canonical, text);
  }
});

t.test('invalid literals are refused with the reason', async (t) => {
  const cases: [string, string][] = [
    ['', 'an address is empty'],
    ['256.1.1.1', '256 is over 255'],
    ['1.2.3', 'an IPv4 address has 4 numbers separated by dots (got 3)'],
    ['1.2.3.4.5', 'an IPv4 address has 4 numbers separated by dots (got 5)'],
    ['01.2.3.4', '"01" has a leading zero, which some tools read as octal'],
    ['1..3.4', 'an IPv4 address has an empty number'],
    [' 1.2.3.4', '" 1" is not a decimal number'],
    ['1.2.3.4 ', '"4 " is not a decimal number'],
    ['1.2.3.4%eth0', 'a zone ("%...") belongs to IPv6 addresses only'],
    ['1:2:3:4:5:6:7', 'an IPv6 address has 8 groups, or "::" for a run of zeros (got 7)'],
    ['1:2:3:4:5:6:7:8:9', 'an IPv6 address has 8 groups, or "::" for a run of zeros (got 9)'],
    ['1:2:3:4:5:6:7:8::', '"::" stands for at least one group of zeros, and 8 groups are written besides'],
    ['1::2::3', '"::" may appear only once in an IPv6 address'],
    [':::', 'an IPv6 address has ":::" in it'],
    [':1:2:3:4:5:6:7', 'an IPv6 address has an empty group (one ":" too many, or too few)'],
    ['1:2:3:4:5:6:7:', 'an IPv6 address has an empty group (one ":" too many, or too few)'],
    ['12345::1', 'the group "12345" has more than 4 hexadecimal digits'],
    ['2001:db8::g', '"g" is not a hexadecimal group'],
    ['1.2.3.4::', 'the IPv4 part "1.2.3.4" may only end the address'],
    ['::ffff:1.2.3.4:1', 'the IPv4 part "1.2.3.4" may only end the address'],
    ['::ffff:1.2.3.256', 'in the IPv4 part: 256 is over 255'],
    ['::ffff:01.2.3.4', 'in the IPv4 part: "01" has a leading zero, which some tools read as octal'],
    ['fe80::1%', 'the zone after "%" is empty'],
    ['fe80::1%a b', 'the zone "a b" is not an interface name or index'],
    ['fe80::1%a-name-much-too-long', 'the zone "a-name-much-too-long" is not an interface name or index'],
  ];
  for (const [text, reason] of cases) t.same(parseAddress(text), { ok: false, reason }, JSON.stringify(text));
});

t.test('addresses are classified by role, multicast with its scope', async (t) => {
  const cases: [string, Classification][] = [
    ['239.1.1.1', { kind: 'multicast', scope: 'admin' }],
    ['239.255.255.255', { kind: 'multicast', scope: 'admin' }],
    ['224.0.0.0', { kind: 'multicast', scope: 'link-local' }],
    ['224.0.0.251', { kind: 'multicast', scope: 'link-local' }],
    ['224.0.1.1', { kind: 'multicast', scope: 'global' }],
    ['232.1.1.1', { kind: 'multicast', scope: 'global' }],
    ['223.255.255.255', { kind: 'unicast' }],
    ['10.0.0.1', { kind: 'unicast' }],
    ['1.0.0.0', { kind: 'unicast' }],
    ['0.0.0.0', { kind: 'unspecified' }],
    ['169.254.1.1', { kind: 'link-local' }],
    ['0.1.2.3', { kind: 'unspecified' }],
    ['127.0.0.1', { kind: 'loopback' }],
    ['240.0.0.0', { kind: 'reserved' }],
    ['255.255.255.254', { kind: 'reserved' }],
    ['255.255.255.255', { kind: 'broadcast' }],
    ['ff00::1', { kind: 'multicast', scope: 'reserved' }],
    ['ff01::1', { kind: 'multicast', scope: 'interface-local' }],
    ['ff02::1', { kind: 'multicast', scope: 'link-local' }],
    ['ff03::1', { kind: 'multicast', scope: 'realm-local' }],
    ['ff14::1', { kind: 'multicast', scope: 'admin' }],
    ['ff35::1', { kind: 'multicast', scope: 'site' }],
    ['ff08::1', { kind: 'multicast', scope: 'organization' }],
    ['ff3e::8000:1', { kind: 'multicast', scope: 'global' }],
    ['ff06::1', { kind: 'multicast', scope: 'unassigned' }],
    ['ff0f::1', { kind: 'multicast', scope: 'reserved' }],
    ['fe80::1%eth0', { kind: 'link-local' }],
    ['febf::1', { kind: 'link-local' }],
    ['fec0::1', { kind: 'reserved' }],
    ['2001:db8::1', { kind: 'unicast' }],
    ['fd00::1', { kind: 'unicast' }],
    ['::', { kind: 'unspecified' }],
    ['::1', { kind: 'loopback' }],
    ['::ffff:10.0.0.1', { kind: 'ipv4-mapped' }],
    ['::10.0.0.1', { kind: 'reserved' }],
  ];
  for (const [text, expected] of cases) t.same(classify(addressOf(text)), expected, text);
});

t.test('the address carries its family, bytes and zone', async (t) => {
  t.same(addressOf('239.1.2.3'), { family: 'ipv4', bytes: [239, 1, 2, 3], zone: null, text: '239.1.2.3' });
  t.same(addressOf('255.255.255.255').bytes, [255, 255, 255, 255]);
  const linkLocal = addressOf('fe80::a%eth1');
  t.equal(linkLocal.family, 'ipv6');
  t.same(linkLocal.bytes, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a]);
  t.equal(linkLocal.zone, 'eth1');
  t.ok(Object.isFrozen(linkLocal) && Object.isFrozen(linkLocal.bytes), 'frozen, so a RuleSet holding it stays immutable');
});

t.test('an IPv4-mapped address gives back its IPv4 address; others give none', async (t) => {
  t.equal(mappedIpv4(addressOf('::ffff:192.0.2.1'))?.text, '192.0.2.1');
  t.equal(mappedIpv4(addressOf('::192.0.2.1')), null);
  t.equal(mappedIpv4(addressOf('192.0.2.1')), null);
});

t.test('multicast is recognised in both families', async (t) => {
  t.ok(isMulticast(addressOf('224.0.0.0')));
  t.ok(isMulticast(addressOf('ff05::2')));
  t.notOk(isMulticast(addressOf('223.0.0.1')));
  t.notOk(isMulticast(addressOf('fe80::1')));
});

t.test('canonical text names an address however it was spelled, and leaves a non-address as written', async (t) => {
  t.equal(canonicalText('FF02:0::1'), 'ff02::1');
  t.equal(canonicalText('10.0.0.1'), '10.0.0.1');
  t.equal(canonicalText('not an address'), 'not an address');
  t.throws(() => addressOf('1.2.3'), /internal error: "1.2.3" was taken for an address/);
});

t.test('two spellings of one address give one flow key and one output key', async (t) => {
  const input = (group: string, source: string | null) => ({ interface: 'eth0', group: addressOf(group), port: 5000, source: source === null ? null : addressOf(source) });
  t.equal(inputKey(input('FF3E:0:0::8000:1', '2001:DB8::0:9')), inputKey(input('ff3e::8000:1', '2001:db8::9')));
  t.equal(inputKey(input('ff3e::8000:1', '2001:db8::9')), 'eth0|ff3e::8000:1|5000|2001:db8::9');
  t.equal(inputKey(input('239.1.1.1', null)), 'eth0|239.1.1.1|5000|*', 'IPv4 keys are as they always were');
  const output = (group: string) => ({ interface: 'eth1', group: addressOf(group), port: 5000, ttl: 1, sourceAddress: null, egress: 'auto' as const, dscp: 0 });
  t.equal(outputKey(output('::FFFF:C000:0201')), outputKey(output('::ffff:192.0.2.1')));
});
