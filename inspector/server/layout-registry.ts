// A read-only registry over an OCI image layout that answers like distribution 2.8 for
// what an image inspector asks: /v2/, manifests by tag or digest (GET, HEAD, If-None-Match,
// Accept), blobs (GET, HEAD, Range), tags/list and _catalog. Writes get distribution's
// read-only answer. One knowing divergence: where distribution would convert a Docker
// schema 2 manifest to signed schema 1 for a client that does not accept schema 2, this
// registry serves schema 2 (as distribution 3 does).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OCI_INDEX, OCI_MANIFEST } from '../../src/core/oci/media-types.js';
import {
  type CorsConfig,
  commonHeaders,
  ERRORS,
  methodNotAllowed,
  notFoundPage,
  send,
  sendErrors,
  sendJson,
} from './distribution-answers.js';
import type { OciLayout } from './oci-layout.js';

// distribution's route grammar: a name may start with a domain (which allows capitals),
// a reference is a tag or anything shaped like a digest; digests are parsed afterwards.
const DOMAIN = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST_ROUTE = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+';
const MANIFEST_ROUTE = new RegExp(`^/v2/(${NAME})/manifests/(${TAG}|${DIGEST_ROUTE})$`);
const BLOB_ROUTE = new RegExp(`^/v2/(${NAME})/blobs/(${DIGEST_ROUTE})$`);
const TAGS_ROUTE = new RegExp(`^/v2/(${NAME})/tags/list$`);
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface LayoutRegistryOptions {
  cors?: CorsConfig;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

// go-digest's Parse: a known algorithm and the right number of lower-case hex digits.
export function isParsableDigest(value: string): boolean {
  const [algorithm = '', hex = ''] = value.split(':');
  const length = DIGEST_LENGTHS[algorithm];
  return length !== undefined && hex.length === length && /^[a-f0-9]+$/.test(hex);
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const value = req.headersDistinct[name];
  return value ?? [];
}

function acceptedTypes(req: IncomingMessage): Set<string> {
  const types = new Set<string>();
  for (const line of headerValues(req, 'accept')) {
    for (const item of line.split(',')) types.add((item.split(';')[0] ?? '').trim());
  }
  return types;
}

// distribution compares each If-None-Match line whole with the digest, quoted or not.
function manifestEtagMatches(req: IncomingMessage, digest: string): boolean {
  return headerValues(req, 'if-none-match').some((v) => v === digest || v === `"${digest}"`);
}

// Go's http.ServeContent: a list of entity tags, weak comparison, or *.
function blobEtagMatches(req: IncomingMessage, etag: string): boolean {
  const value = req.headers['if-none-match'];
  if (!value) return false;
  return value.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Math.min(Number(m[2]), size);
    return { start: size - suffix, end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start <= end ? { start, end } : null;
}

export function createLayoutRegistry(layout: OciLayout, options: LayoutRegistryOptions = {}): Handler {
  const serveManifest = (req: IncomingMessage, res: ServerResponse, name: string, reference: string) => {
    const repo = layout.repositories.get(name);
    let digest: string | undefined;
    if (isParsableDigest(reference)) {
      if (!repo?.manifests.has(reference)) {
        return sendErrors(req, res, 404, ERRORS.manifestUnknown({ Name: name, Revision: reference }));
      }
      digest = reference;
    } else if (reference.includes(':')) {
      // Not a digest go-digest accepts, so distribution looks it up as a tag, and its
      // storage driver refuses the path.
      return sendErrors(
        req,
        res,
        500,
        ERRORS.unknown({
          Path: `/docker/registry/v2/repositories/${name}/_manifests/tags/${reference}/current/link`,
          DriverName: 'filesystem',
        }),
      );
    } else {
      digest = repo?.tags.get(reference);
      if (!digest) return sendErrors(req, res, 404, ERRORS.manifestUnknown({ Tag: reference }));
    }
    const manifest = layout.manifest(digest);
    if (!manifest) return sendErrors(req, res, 404, ERRORS.manifestUnknown({ Name: name, Revision: digest }));
    // The Etag is checked before the media type, as distribution does.
    if (manifestEtagMatches(req, digest)) return send(req, res, 304, {});
    const accepted = acceptedTypes(req);
    if (manifest.mediaType === OCI_MANIFEST && !accepted.has(OCI_MANIFEST)) {
      return sendErrors(req, res, 404, {
        code: 'MANIFEST_UNKNOWN',
        message: 'OCI manifest found, but accept header does not support OCI manifests',
      });
    }
    if (manifest.mediaType === OCI_INDEX && !accepted.has(OCI_INDEX)) {
      return sendErrors(req, res, 404, {
        code: 'MANIFEST_UNKNOWN',
        message: 'OCI index found, but accept header does not support OCI indexes',
      });
    }
    send(
      req,
      res,
      200,
      {
        'Content-Type': manifest.mediaType,
        'Docker-Content-Digest': digest,
        Etag: `"${digest}"`,
      },
      manifest.body,
    );
  };

  const serveBlob = async (req: IncomingMessage, res: ServerResponse, name: string, digest: string) => {
    if (!isParsableDigest(digest)) return sendErrors(req, res, 400, ERRORS.digestInvalid());
    if (!layout.repositories.get(name)?.blobs.has(digest)) return sendErrors(req, res, 404, ERRORS.blobUnknown(digest));
    const bytes = await layout.readBlob(digest);
    const etag = `"${digest}"`;
    const fixed = { 'Cache-Control': 'max-age=31536000', 'Docker-Content-Digest': digest, Etag: etag };
    if (blobEtagMatches(req, etag)) return send(req, res, 304, fixed);
    const base = { ...fixed, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    const range = req.method === 'GET' ? parseRange(req.headers.range, bytes.length) : null;
    if (range) {
      return send(
        req,
        res,
        206,
        { ...base, 'Content-Range': `bytes ${range.start}-${range.end}/${bytes.length}` },
        bytes.subarray(range.start, range.end + 1),
      );
    }
    send(req, res, 200, base, bytes);
  };

  return (req, res) => {
    commonHeaders(res, options.cors);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://registry.invalid').pathname;
    const read = method === 'GET' || method === 'HEAD';

    // distribution writes "{}" itself here, without its JSON encoder's newline.
    if (path === '/v2/') return send(req, res, 200, { 'Content-Type': 'application/json; charset=utf-8' }, '{}');
    if (path === '/v2/_catalog') {
      if (!read) return methodNotAllowed(req, res, 'GET');
      return sendJson(req, res, { repositories: [...layout.repositories.keys()].sort() });
    }

    let m = MANIFEST_ROUTE.exec(path);
    if (m) {
      if (method === 'OPTIONS') return send(req, res, 200, { Allow: 'DELETE, GET, HEAD, PUT' });
      if (method === 'PUT' || method === 'DELETE') return sendErrors(req, res, 405, ERRORS.unsupported());
      if (!read) return methodNotAllowed(req, res, 'DELETE, GET, HEAD, PUT');
      const [, name = '', reference = ''] = m;
      return serveManifest(req, res, name, reference);
    }
    m = BLOB_ROUTE.exec(path);
    if (m) {
      if (method === 'OPTIONS') return send(req, res, 200, { Allow: 'DELETE, GET, HEAD' });
      if (method === 'DELETE') return sendErrors(req, res, 405, ERRORS.unsupported());
      if (!read) return methodNotAllowed(req, res, 'DELETE, GET, HEAD');
      const [, name = '', digest = ''] = m;
      serveBlob(req, res, name, digest).catch((error: unknown) => {
        if (!res.headersSent) sendErrors(req, res, 500, ERRORS.unknown({ reason: String(error) }));
        else res.destroy();
      });
      return;
    }
    m = TAGS_ROUTE.exec(path);
    if (m) {
      if (method === 'OPTIONS') return send(req, res, 200, { Allow: 'GET' });
      if (!read) return methodNotAllowed(req, res, 'GET');
      const [, name = ''] = m;
      const repo = layout.repositories.get(name);
      if (!repo) return sendErrors(req, res, 404, ERRORS.nameUnknown(name));
      return sendJson(req, res, { name: repo.name, tags: [...repo.tags.keys()] });
    }
    if (/^\/v2\/.+\/blobs\/uploads\/?/.test(path)) return sendErrors(req, res, 405, ERRORS.unsupported());
    notFoundPage(req, res);
  };
}
