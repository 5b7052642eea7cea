/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface AuthChallenge {
  /** Lower-case: `basic`, `bearer`, ... */
  scheme: string;
  /** Parameter names in lower case; quoted values unescaped. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses a `WWW-Authenticate` header into its challenges. Handles quoted values holding
 * commas (`scope="repository:a:pull,push"`), backslash escapes, several challenges in one
 * header and several headers.
 */
export function parseWwwAuthenticate(
  header: string | string[] | undefined
): AuthChallenge[] {
  if (header === undefined) return [];
  const texts = Array.isArray(header) ? header : [header];
  return texts.flatMap(parseOne);
}

function parseOne(text: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let rest = text;
  let current: AuthChallenge | undefined;
  const skip = (re: RegExp): void => {
    rest = rest.replace(re, '');
  };
  while (rest.length > 0) {
    skip(/^[\s,]+/);
    const token = TOKEN.exec(rest)?.[0];
    if (token === undefined) {
      // Unparsable remainder: keep what was understood.
      break;
    }
    const after = rest.slice(token.length);
    const param = /^\s*=\s*/.exec(after);
    // `token68` values (`Basic dXNlcg==`) end with '=' but are not followed by a value.
    if (current && param && !/^\s*=\s*(?:[,]|$)/.test(after)) {
      rest = after.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest.charAt(i);
          i++;
        }
        rest = rest.slice(i + 1);
      } else {
        value = /^[^,\s]*/.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
      rest = after;
      // A token68 credential after the scheme carries no parameters we use.
      skip(/^\s+[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/);
    }
  }
  return challenges;
}
