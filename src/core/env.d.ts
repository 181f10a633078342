// The only globals src/core may use beyond ES2022: WHATWG APIs that browsers, service
// workers and Node 20 all provide. Only the members core calls are declared, so a new use
// shows up here first (tsconfig.core.json explains why). Type-checking only: this file is
// not part of any build, and code importing core sees its own environment's declarations.

type BufferSource = ArrayBufferView<ArrayBuffer> | ArrayBuffer;

interface URL {
  readonly hash: string;
  readonly origin: string;
  readonly password: string;
  readonly pathname: string;
  readonly protocol: string;
  readonly search: string;
  readonly username: string;
}
declare const URL: { new (url: string, base?: string): URL };

interface URLSearchParams {
  append(name: string, value: string): void;
  delete(name: string): void;
  getAll(name: string): string[];
  keys(): IterableIterator<string>;
  set(name: string, value: string): void;
  toString(): string;
}
declare const URLSearchParams: { new (init?: string): URLSearchParams };

interface TextDecoder {
  decode(input?: BufferSource): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };

declare const crypto: {
  readonly subtle: { digest(algorithm: string, data: BufferSource): Promise<ArrayBuffer> };
};

// Bundles carry manifest bodies as base64 (src/core/bundle/format.ts).
declare function atob(data: string): string;
declare function btoa(data: string): string;
