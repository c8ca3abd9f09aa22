// Which interfaces the rules name are down: read from sysfs when a file is applied,
// kept up to date by the data plane's link changes.
import t from 'tap';
import { LinkState, linkIsDown, operstateIsDown } from '../../src/daemon/links.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

t.test('an operstate of down, lowerlayerdown or dormant means no traffic flows', async (t) => {
  const cases: [string, boolean][] = [
    ['up\n', false],
    ['unknown\n', false],
    ['down\n', true],
    ['lowerlayerdown\n', true],
    ['dormant\n', true],
    ['notpresent\n', false],
  ];
  for (const [state, down] of cases) t.equal(operstateIsDown(state), down, JSON.stringify(state));
});

t.test('a missing interface is not down (the data plane reports it pending); loopback is not down', async (t) => {
  t.equal(linkIsDown('mcr-no-such-if'), false);
  t.equal(linkIsDown('lo'), false);
});

t.test('link state is read for every interface a file names, then follows the changes', async (t) => {
  const down = new Set(['out1']);
  const read: string[] = [];
  const links = new LinkState((name) => {
    read.push(name);
    return down.has(name);
  });
  links.read(ruleSetOf(rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out1 239.2.2.2:5000')));
  t.same(read, ['in0', 'out0', 'out1']);
  t.same(['in0', 'out0', 'out1'].map((name) => links.isDown(name)), [false, false, true]);
  t.equal(links.apply({ name: 'in0', state: 'down' }), 'interface in0 down');
  t.equal(links.apply({ name: 'out1', state: 'up' }), 'interface out1 up');
  t.equal(links.apply({ name: 'out0', state: 'removed' }), 'interface out0 removed');
  t.same(['in0', 'out0', 'out1'].map((name) => links.isDown(name)), [true, true, false]);
  t.equal(links.apply({ name: '', state: 'up' }), null, 'lost events name no link: nothing to say');
  down.clear();
  links.read(ruleSetOf(rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')));
  t.same(['in0', 'out0'].map((name) => links.isDown(name)), [false, false], 'a new file reads them again');
});
