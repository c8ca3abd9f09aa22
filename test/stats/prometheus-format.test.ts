import t from 'tap';
import { checkExposition, parseExposition, valueOf } from './prometheus-format.js';

const HEAD = '# HELP m_total Things.\n# TYPE m_total counter\n';

t.test('the checker accepts valid text', async (t) => {
  const good: Record<string, string> = {
    'nothing at all': '',
    'a family without samples': HEAD,
    'a plain sample': `${HEAD}m_total 1\n`,
    labels: `${HEAD}m_total{a="x",b="y"} 1\nm_total{a="x",b="z"} 2\n`,
    'a trailing comma in labels': `${HEAD}m_total{a="x",} 1\n`,
    'escapes in a label value': `${HEAD}m_total{a="back\\\\slash \\"quoted\\" new\\nline"} 1\n`,
    'escapes in HELP': '# HELP g A \\\\ and a \\n.\n# TYPE g gauge\ng 1\n',
    'float forms': '# HELP g G.\n# TYPE g gauge\ng{v="1"} -1.5e-3\ng{v="2"} NaN\ng{v="3"} +Inf\ng{v="4"} -Inf\ng{v="5"} .5\ng{v="6"} 7.\n',
    'comments and blank lines': `# a comment\n\n${HEAD}# another\nm_total 1\n`,
    'histogram and summary suffixes':
      '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n' +
      '# HELP s S.\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 3\ns_count 2\n',
    'colons in a metric name': '# HELP job:m:rate5m R.\n# TYPE job:m:rate5m gauge\njob:m:rate5m 1\n',
  };
  for (const [name, text] of Object.entries(good)) t.same(checkExposition(text), [], name);
});

t.test('the checker rejects each broken rule, naming the line', async (t) => {
  const bad: [string, string, string][] = [
    ['no final newline', `${HEAD}m_total 1`, 'the text must end with a newline'],
    ['a bad metric name in a sample', `${HEAD}1m 1\n`, 'line 3: bad metric name "1m"'],
    ['a bad metric name in HELP', '# HELP m-x X.\n', 'line 1: bad metric name "m-x"'],
    ['a sample with no HELP or TYPE', 'm_total 1\n', 'line 1: m_total has no HELP and TYPE before it'],
    ['a sample before its TYPE', '# HELP m_total M.\nm_total 1\n# TYPE m_total counter\n', 'line 2: m_total has no HELP and TYPE before it'],
    ['a family with HELP only', '# HELP g G.\n', 'g has no TYPE'],
    ['a family with TYPE only', '# TYPE g gauge\n', 'g has no HELP'],
    ['a second HELP', `${HEAD}# HELP m_total Again.\n`, 'line 3: second HELP for m_total'],
    ['a second TYPE', `${HEAD}# TYPE m_total counter\n`, 'line 3: second TYPE for m_total'],
    ['an unknown TYPE', '# HELP g G.\n# TYPE g number\n', 'line 2: unknown TYPE "number"'],
    ['a family split in two', `${HEAD}m_total{a="1"} 1\n# HELP g G.\n# TYPE g gauge\ng 1\nm_total{a="2"} 1\n`, 'line 7: the lines of m_total are not together'],
    ['a bad label name', `${HEAD}m_total{1a="x"} 1\n`, 'line 3: bad label name "1a"'],
    ['a reserved label name', `${HEAD}m_total{__name__="x"} 1\n`, 'line 3: label name "__name__" is reserved (starts with __)'],
    ['a label given twice', `${HEAD}m_total{a="x",a="y"} 1\n`, 'line 3: label "a" given twice'],
    ['an unquoted label value', `${HEAD}m_total{a=x} 1\n`, 'line 3: label a: expected ="value"'],
    ['an unterminated label value', `${HEAD}m_total{a="x} 1\n`, 'line 3: label a: unterminated value'],
    ['an invalid escape', `${HEAD}m_total{a="\\t"} 1\n`, 'line 3: label a: invalid escape "\\t" (only \\\\, \\" and \\n)'],
    ['labels without a comma', `${HEAD}m_total{a="x"b="y"} 1\n`, 'line 3: label a: expected "," or "}" after the value'],
    ['an invalid escape in HELP', '# HELP g A \\t.\n# TYPE g gauge\n', 'line 1: invalid escape in HELP (only \\\\ and \\n)'],
    ['a value that is not a float', `${HEAD}m_total one\n`, 'line 3: value "one" is not a float'],
    ['no value', `${HEAD}m_total\n`, 'line 3: expected "NAME{LABELS} VALUE"'],
    ['no space before the value', `${HEAD}m_total{a="x"}1\n`, 'line 3: expected "NAME{LABELS} VALUE"'],
    ['too many fields', `${HEAD}m_total 1 2 3\n`, 'line 3: expected "NAME{LABELS} VALUE"'],
    ['a timestamp', `${HEAD}m_total 1 1736942400000\n`, 'line 3: a timestamp (the textfile collector refuses them)'],
    ['a timestamp that is not an integer', `${HEAD}m_total 1 soon\n`, 'line 3: timestamp "soon" is not an integer'],
    ['a duplicate series', `${HEAD}m_total{a="x"} 1\nm_total{a="x"} 2\n`, 'line 4: duplicate series m_total{a="x"}'],
    ['a duplicate series, labels reordered', `${HEAD}m_total{a="x",b="y"} 1\nm_total{b="y",a="x"} 2\n`, 'line 4: duplicate series m_total{a="x",b="y"}'],
    ['a negative counter', `${HEAD}m_total -1\n`, 'line 3: counter m_total is negative'],
    ['a counter without _total', '# HELP m M.\n# TYPE m counter\nm 1\n', 'counter m does not end in _total'],
    ['a gauge with _total', '# HELP g_total G.\n# TYPE g_total gauge\ng_total 1\n', 'gauge g_total ends in _total, which is for counters'],
  ];
  for (const [name, text, problem] of bad) t.same(checkExposition(text), [problem], name);
});

t.test('options: timestamps allowed, naming conventions skipped', async (t) => {
  t.same(checkExposition(`${HEAD}m_total 1 1736942400000\n`, { allowTimestamps: true }), []);
  t.same(checkExposition('# HELP m M.\n# TYPE m counter\nm 1\n', { formatOnly: true }), []);
});

t.test('parsed samples keep their labels, unescaped, and their values', async (t) => {
  const parsed = parseExposition(`${HEAD}m_total{a="x\\"y\\\\z\\n"} 12.5\n`);
  t.same(parsed.families.get('m_total'), {
    name: 'm_total',
    help: 'Things.',
    type: 'counter',
    samples: [{ name: 'm_total', labels: { a: 'x"y\\z\n' }, value: 12.5, line: 3 }],
  });
  t.equal(valueOf(parsed, 'm_total', { a: 'x"y\\z\n' }), 12.5);
  t.equal(valueOf(parsed, 'm_total'), undefined, 'labels must match exactly');
  t.equal(valueOf(parsed, 'other'), undefined);
});
