// Reading a tar archive (ustar, with pax path records), as `tar -cf` or skopeo's
// `oci-archive:` write an OCI image layout: the regular files, by path.

const BLOCK = 512;

function text(bytes: Uint8Array<ArrayBuffer>, from: number, length: number): string {
  const slice = bytes.subarray(from, from + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
}

function octal(bytes: Uint8Array<ArrayBuffer>, from: number, length: number): number {
  const value = text(bytes, from, length).trim();
  if (!/^[0-7]*$/.test(value)) throw new Error(`tar: a header's size is not octal: ${JSON.stringify(value)}`);
  return value === '' ? 0 : Number.parseInt(value, 8);
}

// `N path=...\n` records of a pax extended header.
function paxPath(bytes: Uint8Array<ArrayBuffer>): string | undefined {
  for (const record of new TextDecoder().decode(bytes).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** The regular files of a tar archive, by path without a leading `./`. Throws on a truncated archive. */
export function readTar(archive: Uint8Array<ArrayBuffer>): Map<string, Uint8Array<ArrayBuffer>> {
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  let offset = 0;
  let nextPath: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(header, 345, 155);
    const name = text(header, 0, 100);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error('tar: the archive is truncated');
    const body = archive.subarray(start, start + size);
    if (type === 'x') nextPath = paxPath(body);
    else if (type === '0' || type === '\0') {
      const path = nextPath ?? (prefix ? `${prefix}/${name}` : name);
      files.set(path.replace(/^(\.\/)+/, ''), body);
      nextPath = undefined;
    } else nextPath = undefined;
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
