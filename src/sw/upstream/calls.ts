// regcache's manifest requests to a registry on behalf of a page request, and what they
// cost: the one place upstreamGets, upstreamHeads and bytesPulled are counted.
import type { Stats } from '../reporting/stats.js';
import { callUpstream, readBody, UpstreamError } from './upstream.js';

/** An upstream answer taken whole, to pass to the page when it is not served from the store. */
export interface UpstreamAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer> | null;
}

/** Who asks, for which repository: only the page's Accept and credentials travel upstream. */
export interface Caller {
  wanted: { upstream: string; repository: string };
  acceptHeader: string | null;
  authorization: string | null;
  credentials: RequestCredentials;
}

/** The URL of a manifest (`reference`: a tag or a digest) upstream. */
export function manifestUrl(target: Caller['wanted'], reference: string): string {
  return `${target.upstream}/v2/${target.repository}/manifests/${reference}`;
}

function answerOf<B extends UpstreamAnswer['body']>(response: Response, body: B): UpstreamAnswer & { body: B } {
  return { status: response.status, statusText: response.statusText, headers: [...response.headers], body };
}

/** A GET taken whole: the Response for its headers and flags, and the answer with its body. */
export interface Got {
  response: Response;
  answer: UpstreamAnswer & { body: Uint8Array<ArrayBuffer> };
}

/** regcache's HEADs and GETs of manifests, with a caller's Accept and credentials, counted in stats. */
export class UpstreamCalls {
  readonly #stats: Pick<Stats, 'bump'>;

  constructor(stats: Pick<Stats, 'bump'>) {
    this.#stats = stats;
  }

  #call(caller: Caller, method: 'GET' | 'HEAD', reference: string, timeoutMs?: number): Promise<Response> {
    this.#stats.bump(method === 'GET' ? 'upstreamGets' : 'upstreamHeads');
    const { acceptHeader: accept, authorization, credentials } = caller;
    return callUpstream({ url: manifestUrl(caller.wanted, reference), method, accept, authorization, credentials, timeoutMs });
  }

  /** A HEAD: upstream's answer (no body), or null when none came within `timeoutMs` (ms; default: no limit). */
  async head(caller: Caller, reference: string, timeoutMs?: number): Promise<UpstreamAnswer | null> {
    try {
      return answerOf(await this.#call(caller, 'HEAD', reference, timeoutMs), null);
    } catch {
      return null;
    }
  }

  /** A GET with its whole body (a body idle for `idleMs` ms fails), or why it failed. */
  async get(caller: Caller, reference: string, idleMs: number): Promise<Got | UpstreamError> {
    try {
      const response = await this.#call(caller, 'GET', reference);
      const body = await readBody(response, idleMs);
      this.#stats.bump('bytesPulled', body.byteLength);
      return { response, answer: answerOf(response, body) };
    } catch (error) {
      return error instanceof UpstreamError ? error : new UpstreamError('network', String(error));
    }
  }
}
