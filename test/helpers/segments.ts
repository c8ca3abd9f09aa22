// The discovery tests' segments (src/netns/segments.ts), under the helpers' name.
export * from '../../src/netns/segments.js';
