import t from 'tap';
import { formatCount, formatDuration, padEnd, padStart, printable, truncate, widthOf } from '../../src/stats/humanize.js';

t.test('counts and rates read at a glance', async (t) => {
  const cases: [number, string][] = [
    [0, '0'],
    [0.4, '0.4'],
    [0.04, '0'],
    [3, '3'],
    [9.96, '10'],
    [12.4, '12'],
    [999, '999'],
    [999.6, '1.0k'],
    [1000, '1.0k'],
    [12_345, '12.3k'],
    [999_949, '999.9k'],
    [999_960, '1.0M'],
    [1_234_567, '1.2M'],
    [5e9, '5.0G'],
    [2e12, '2.0T'],
    [3e18, '3000.0P'],
    [-1500, '-1.5k'],
    [NaN, '-'],
    [Infinity, '-'],
  ];
  for (const [n, text] of cases) t.equal(formatCount(n), text, String(n));
});

t.test('durations as their two largest units', async (t) => {
  const cases: [number, string][] = [
    [0, '0s'],
    [-5, '0s'],
    [45.9, '45s'],
    [60, '1m 0s'],
    [185, '3m 5s'],
    [7384, '2h 3m'],
    [90_000, '1d 1h'],
  ];
  for (const [seconds, text] of cases) t.equal(formatDuration(seconds), text, String(seconds));
});

t.test('truncation and padding count code points, not UTF-16 units', async (t) => {
  t.equal(truncate('camera-1', 8), 'camera-1');
  t.equal(truncate('camera-12', 8), 'camera-…');
  t.equal(truncate('abc', 1), '…');
  t.equal(truncate('abc', 0), '');
  t.equal(widthOf('caméra-📷'), 8);
  t.equal(truncate('📷📷📷', 2), '📷…');
  t.equal(padEnd('ab', 4), 'ab  ');
  t.equal(padStart('ab', 4), '  ab');
  t.equal(padStart('abcde', 4), 'abcde', 'never cuts');
});

t.test('control characters are shown escaped', async (t) => {
  t.equal(printable('plain text'), 'plain text');
  t.equal(printable('a\nb\tc\u001b[0m\u007f'), 'a\\nb\\x09c\\x1b[0m\\x7f');
});
