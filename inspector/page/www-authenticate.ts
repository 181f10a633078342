// RFC 9110 challenges as registries send them: `Bearer realm="…",service="…",scope="…"`.
// Shared by the page's token flow and the dev server's proxy, which rewrites realms.

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  let current: Challenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const word = TOKEN.exec(rest)?.[0];
    if (!word) break;
    const afterWord = rest.slice(word.length);
    const param = /^\s*=\s*/.exec(afterWord);
    if (param && current) {
      rest = afterWord.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        value = '';
        let i = 1;
        for (; i < rest.length && rest[i] !== '"'; i++) value += rest[i] === '\\' ? (rest[++i] ?? '') : rest[i];
        rest = rest.slice(i + 1);
      } else {
        // Unquoted values should be tokens; registries that send URLs unquoted get them whole.
        value = /^[^,\s]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word, params: {} };
      challenges.push(current);
      rest = afterWord;
    }
  }
  return challenges;
}

export function formatChallenges(challenges: Challenge[]): string {
  const quote = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return challenges
    .map((c) => {
      const params = Object.entries(c.params).map(([k, v]) => `${k}=${quote(v)}`);
      return params.length ? `${c.scheme} ${params.join(',')}` : c.scheme;
    })
    .join(', ');
}

export function bearerChallenge(header: string | null): Challenge | undefined {
  return header ? parseChallenges(header).find((c) => c.scheme.toLowerCase() === 'bearer') : undefined;
}
