import t from 'tap';
import { closestKey } from '../../src/config/suggest.js';

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
