// Setting a world up without clicking through it: a contract call over `holdfast serve`'s /api/rpc with
// the printed URL's token, as a script would make it.
import { expect } from '@playwright/test';

export function apiOf(url: string): { origin: string; token: string } {
  const served = new URL(url);
  return { origin: served.origin, token: served.searchParams.get('token') ?? '' };
}

export async function rpc<T = unknown>(url: string, channel: string, input: unknown): Promise<T> {
  const { origin, token } = apiOf(url);
  const response = await fetch(`${origin}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  const envelope = (await response.json()) as { ok: boolean; value?: T; error?: unknown };
  expect(envelope, `${channel} ${JSON.stringify(envelope.error ?? '')}`).toMatchObject({ ok: true });
  return envelope.value as T;
}
