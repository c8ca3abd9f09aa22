// The driver lives in harness/ (shared with the bench); tests import it from here.
export * from '../../harness/traffic.js';
