// Which requests could carry credentials. The browser attaches cookies and HTTP
// authentication unseen: the worker only sees the request's credentials mode, so a request
// that could carry them counts as carrying them.

export interface CredentialedAsk {
  upstream: string;
  authorization: string | null;
  credentials: RequestCredentials;
}

// `ownOrigin` is the worker's origin: 'same-origin' sends cookies there and nowhere else.
export function couldCarryCredentials(ask: CredentialedAsk, ownOrigin: string): boolean {
  if (ask.authorization !== null || ask.credentials === 'include') return true;
  return ask.credentials === 'same-origin' && ask.upstream === ownOrigin;
}

// Requests with equal keys present the same credentials upstream: same Authorization and
// same credentials mode (cookies are per browser profile, shared by the worker's requests).
// Used to share upstream calls and remembered HEADs; never stored.
export function credentialKey(ask: Omit<CredentialedAsk, 'upstream'>): string {
  return `${ask.credentials}\n${ask.authorization ?? ''}`;
}
