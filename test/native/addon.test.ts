import t from 'tap';
import { OUTPUT_COUNTERS, PATH_COUNTERS, RULE_COUNTERS, WORKER_COUNTERS } from '../../src/counter-specs.js';
import { ADDON_ABI_VERSION } from '../../src/native/abi-version.js';
import { candidatePaths, EXPECTED_ADDON_VERSION, loadBinding, NativeLoadError } from '../../src/native/load-binding.js';

t.test('the addon built by npm ci loads and reports its version', async (t) => {
  const version = loadBinding().version();
  t.equal(version.addon, '5', 'the ABI version shipped (5: rules with several inputs, stream health)');
  t.equal(version.addon, ADDON_ABI_VERSION, 'the one written in src/native/abi-version.js, compiled in');
  t.equal(EXPECTED_ADDON_VERSION, ADDON_ABI_VERSION, 'and the one the loader asks for');
  t.equal(version.napi, 8);
  t.ok(version.cplusplus >= 201703, `compiled as C++${String(version.cplusplus).slice(2, 4)}`);
});

t.test('a missing addon is reported with every path tried and how to build it', async (t) => {
  const paths = ['/nonexistent/a/mcr_native.node', '/nonexistent/b/mcr_native.node'];
  const error = t.throws(() => loadBinding(paths)) as unknown as NativeLoadError;
  t.type(error, NativeLoadError);
  t.same(error.attempts, paths.map((path) => ({ path, reason: 'not found' })));
  t.match(error.message, 'the native data plane (mcr_native.node) could not be loaded; tried:');
  t.match(error.message, '  /nonexistent/a/mcr_native.node: not found');
  t.match(error.message, 'build it with `npm ci`');
});

t.test('MCR_NATIVE_ADDON overrides where the addon is looked for', async (t) => {
  t.same(candidatePaths({ MCR_NATIVE_ADDON: '/opt/mcr/mcr_native.node' }), ['/opt/mcr/mcr_native.node']);
  const defaults = candidatePaths({});
  t.equal(defaults.length, 2);
  t.match(defaults[0], /\/build\/Release\/mcr_native\.node$/);
});

t.test("the addon's counters are the counter list's, in its order", async (t) => {
  const binding = loadBinding();
  const plane = new binding.DataPlane({ workers: 1, maxRules: 2, maxOutputs: 2 }, () => {});
  try {
    const info = plane.info();
    t.same(info.workerCounters, WORKER_COUNTERS.map((spec) => spec.name), 'worker counters (a difference: rebuild the addon)');
    t.same(info.ruleCounters, RULE_COUNTERS.map((spec) => spec.name), 'rule counters');
    t.same(info.outputCounters, OUTPUT_COUNTERS.map((spec) => spec.name), 'output counters');
    t.same(info.pathCounters, PATH_COUNTERS.map((spec) => spec.name), 'path counters');
    // Worker counters, then 2 rule slots, 2 output slots, and the paths of each rule slot.
    const words = WORKER_COUNTERS.length + 2 * RULE_COUNTERS.length + 2 * OUTPUT_COUNTERS.length + 2 * (info.maxInputs ?? 0) * PATH_COUNTERS.length;
    t.equal(info.maxInputs, 4, 'up to 4 inputs per rule');
    t.equal(info.blockWords, words, 'a block holds exactly those words');
  } finally {
    plane.close();
  }
});
