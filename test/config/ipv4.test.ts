import t from 'tap';
import { classifyAddress, parseIpv4 } from '../../src/config/ipv4.js';
import { closestKey } from '../../src/config/suggest.js';

t.test('IPv4 addresses are parsed strictly and classified by role', async (t) => {
  const cases: [string, ReturnType<typeof classifyAddress>][] = [
    ['239.1.1.1', 'multicast'],
    ['224.0.0.0', 'multicast'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['223.255.255.255', 'unicast'],
    ['10.0.0.1', 'unicast'],
    ['1.0.0.0', 'unicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.254', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['01.2.3.4', null],
    [' 1.2.3.4', null],
    ['1.2.3.4 ', null],
    ['', null],
  ];
  for (const [text, expected] of cases) t.equal(classifyAddress(text), expected, JSON.stringify(text));
  t.equal(parseIpv4('239.1.2.3'), 239 * 2 ** 24 + 1 * 2 ** 16 + 2 * 2 ** 8 + 3);
  t.equal(parseIpv4('255.255.255.255'), 0xffffffff);
});

t.test('did-you-mean finds typos and leaves unrelated words alone', async (t) => {
  const keys = ['interface', 'group', 'port', 'ttl', 'source_address'];
  const cases: [string, string | undefined][] = [
    ['intreface', 'interface'],
    ['inteface', 'interface'],
    ['Group', 'group'],
    ['prot', 'port'],
    ['tll', 'ttl'],
    ['source_addr', 'source_address'],
    ['source-address', 'source_address'],
    ['colour', undefined],
    ['x', undefined],
    ['destination', undefined],
  ];
  for (const [typed, expected] of cases) t.equal(closestKey(typed, keys), expected, typed);
  t.equal(closestKey('anything', []), undefined);
});
