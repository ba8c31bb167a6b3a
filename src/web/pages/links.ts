/**
 * Links of the pages of one account among several: `?account=<name>` (or `&…`) appended. Without
 * an account (a bridge of one account) a link stays as it always was.
 */
export function withAccount(path: string, account: string | undefined): string {
  if (account === undefined) return path;
  return `${path}${path.includes('?') ? '&' : '?'}account=${encodeURIComponent(account)}`;
}
