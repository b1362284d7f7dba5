export class BrowserError extends Error {}

export interface SignInOptions {
  /** Default demo / demo (DEMO_USER of idp.ts). */
  username?: string | undefined;
  password?: string | undefined;
  /** Press "deny" (abort the interaction) instead of signing in. */
  deny?: boolean;
  signal?: AbortSignal;
}

/** Walks from the authorization URL to the redirect_uri over plain HTTP; rejects with a BrowserError when it cannot. */
export function signIn(url: string, options?: SignInOptions): Promise<'delivered' | 'device-success' | 'device-aborted'>;
