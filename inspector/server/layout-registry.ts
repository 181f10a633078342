// A read-only registry over an OCI image layout that answers like distribution 2.8 for
// what an image inspector asks: /v2/, manifests by tag or digest (GET, HEAD, If-None-Match,
// Accept), blobs (GET, HEAD, Range), tags/list and _catalog. Writes get distribution's
// read-only answer. Names, tags, digests, ETags and media types follow src/core/; where
// distribution has rules of its own, they are the named exceptions in distribution-quirks.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagMatches } from '../../src/core/http/etag.js';
import { isDigest } from '../../src/core/oci/digest.js';
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
import {
  BLOB_ROUTE,
  catalogPage,
  MANIFEST_ROUTE,
  manifestPreconditions,
  storagePath,
  storageRefusal,
  TAGS_ROUTE,
} from './distribution-quirks.js';
import type { OciLayout } from './oci-layout.js';

export interface LayoutRegistryOptions {
  cors?: CorsConfig;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function headerValues(req: IncomingMessage, name: string): string[] {
  const value = req.headersDistinct[name];
  return value ?? [];
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
    const byDigest = isDigest(reference);
    const refused = storageRefusal(byDigest ? storagePath.revision(name, reference) : storagePath.tag(name, reference));
    if (refused) return sendErrors(req, res, 500, refused);
    const digest = byDigest ? reference : repo?.tags.get(reference);
    if (!digest) return sendErrors(req, res, 404, ERRORS.manifestUnknown({ Tag: reference }));
    // By digest, only a manifest this repository reaches.
    const manifest = byDigest && !repo?.manifests.has(digest) ? undefined : layout.manifest(digest);
    if (!manifest) return sendErrors(req, res, 404, ERRORS.manifestUnknown({ Name: name, Revision: digest }));
    const verdict = manifestPreconditions(
      { ifNoneMatch: headerValues(req, 'if-none-match'), accept: headerValues(req, 'accept') },
      { digest, mediaType: manifest.mediaType },
    );
    if (verdict?.status === 304) return send(req, res, 304, {});
    if (verdict) return sendErrors(req, res, verdict.status, verdict.error);
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
    if (!isDigest(digest)) return sendErrors(req, res, 400, ERRORS.digestInvalid());
    const refused = storageRefusal(storagePath.layer(name, digest));
    if (refused) return sendErrors(req, res, 500, refused);
    if (!layout.repositories.get(name)?.blobs.has(digest)) return sendErrors(req, res, 404, ERRORS.blobUnknown(digest));
    const bytes = await layout.readBlob(digest);
    const etag = `"${digest}"`;
    const fixed = { 'Cache-Control': 'max-age=31536000', 'Docker-Content-Digest': digest, Etag: etag };
    if (etagMatches(req.headers['if-none-match'], [etag])) return send(req, res, 304, fixed);
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
    const requestUrl = new URL(req.url ?? '/', 'http://registry.invalid');
    const path = requestUrl.pathname;
    const read = method === 'GET' || method === 'HEAD';

    // distribution writes "{}" itself here, without its JSON encoder's newline.
    if (path === '/v2/') return send(req, res, 200, { 'Content-Type': 'application/json; charset=utf-8' }, '{}');
    if (path === '/v2/_catalog') {
      if (!read) return methodNotAllowed(req, res, 'GET');
      const page = catalogPage(layout.repositories.keys(), requestUrl.searchParams);
      if (page.link) res.setHeader('Link', page.link);
      return sendJson(req, res, { repositories: page.repositories });
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
      const refused = storageRefusal(storagePath.tags(name));
      if (refused) return sendErrors(req, res, 500, refused);
      const repo = layout.repositories.get(name);
      if (!repo) return sendErrors(req, res, 404, ERRORS.nameUnknown(name));
      return sendJson(req, res, { name: repo.name, tags: [...repo.tags.keys()] });
    }
    if (/^\/v2\/.+\/blobs\/uploads\/?/.test(path)) return sendErrors(req, res, 405, ERRORS.unsupported());
    notFoundPage(req, res);
  };
}
