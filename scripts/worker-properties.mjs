// Property names the build of the ready-made worker (dist/regcache-sw.js) shortens, for its
// gzipped size budget (docs/size.md). A minifier shortens variables and #private members, but
// not property names: whatever reads an object from outside (IndexedDB, a page, the browser)
// reads it by name. These names are regcache's own, on objects that never leave the worker
// script: a request as the strategy reads it, its replies, options objects, and methods that
// only regcache calls.
//
// Not here, ever: a field of a stored record (schema.ts) or of anything a page receives
// (protocol.ts), a configuration name (read by computed key), and any name a Web platform or
// JavaScript object has (terser's list of them), since every access of a listed name is
// renamed, whatever the object. test/unit/worker-properties.test.ts checks those rules; the
// contract specs, which run against the built worker, check the rest. A name missing here
// costs bytes only; a wrong one breaks the worker, so when in doubt, leave it out.
export const WORKER_PROPERTIES = [
  // A request as the strategy reads it (strategy/ask.ts) and its target.
  'wanted',
  'acceptHeader',
  'acceptKey',
  'authorization',
  'credentialed',
  'ifNoneMatch',
  'noStore',
  'noCache',
  'revalidating',
  'isDigest',
  // What the strategy decides and shares between requests.
  'record',
  'answer',
  'fetched',
  'joined',
  'stored',
  'until',
  'gone',
  'hit',
  'fwd',
  'fwdStatus',
  'declared',
  // Options objects and seams for tests.
  'maintenance',
  'recency',
  'ownOrigin',
  'timers',
  'timeoutMs',
  'numbers',
  'addRoute',
  'handler',
  'params',
  'alarm',
  'nextDue',
  'fire',
  // Methods only regcache calls.
  'handle',
  'recheck',
  'bump',
  'schedule',
  'snapshot',
  'rearm',
  'used',
  'touch',
  'block',
  'blockedUntil',
  'attempt',
  'afterStore',
  'evict',
  'earliestExpiry',
  'getMeta',
  'updateMeta',
  'getTag',
  'recall',
  'remember',
  'extendRemembered',
  'dropTag',
  'dropManifest',
  'dropTagVariants',
  'deleteTagVariants',
  'generation',
  'cost',
];
