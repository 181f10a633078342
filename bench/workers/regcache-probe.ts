// regcache's ready-made worker with timers on its store and strategy (probe-timers.ts).
import './probe-timers.js';
import '../../src/sw/worker.js';
