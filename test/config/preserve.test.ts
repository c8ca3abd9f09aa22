// source_address = "preserve" across address families: refused, whatever the families
// (the file format is IPv4 only today, so the check is held to its table here).
import t from 'tap';
import { preserveFamilyProblem } from '../../src/config/semantic.js';

t.test('a preserved source is refused exactly when the output is of another family than the input', async (t) => {
  const path = ['rule', 0, 'outputs', 1, 'source_address'];
  const cases: [string, string, string, string | undefined][] = [
    ['IPv4 to IPv4', '239.1.1.1', '239.2.2.2', undefined],
    ['IPv6 to IPv6', 'ff3e::1', 'ff3e::2', undefined],
    ['IPv4 unicast to IPv4 multicast', '10.0.0.1', '239.2.2.2', undefined],
    [
      'IPv4 to IPv6',
      '239.1.1.1',
      'FF3E::8000:1',
      'source_address = "preserve" cannot keep an IPv4 sender\'s address on an IPv6 output (the input 239.1.1.1 is IPv4, this output\'s group ff3e::8000:1 is IPv6); give source_address an IPv6 address, or leave it out',
    ],
    [
      'IPv6 to IPv4',
      'ff3e::1',
      '10.0.0.9',
      'source_address = "preserve" cannot keep an IPv6 sender\'s address on an IPv4 output (the input ff3e::1 is IPv6, this output\'s group 10.0.0.9 is IPv4); give source_address an IPv4 address, or leave it out',
    ],
    ['an IPv4-mapped IPv6 group is IPv6', '239.1.1.1', '::ffff:239.2.2.2', 'source_address = "preserve" cannot keep an IPv4 sender\'s address on an IPv6 output (the input 239.1.1.1 is IPv4, this output\'s group ::ffff:239.2.2.2 is IPv6); give source_address an IPv6 address, or leave it out'],
    ['an input that is not an address (reported elsewhere)', 'nope', 'ff3e::1', undefined],
    ['an output that is not an address (reported elsewhere)', '239.1.1.1', 'nope', undefined],
  ];
  for (const [what, input, output, message] of cases) {
    const problem = preserveFamilyProblem(path, input, output);
    if (message === undefined) t.equal(problem, undefined, what);
    else t.same(problem, { code: 'cannot-preserve', path, message }, what);
  }
});
