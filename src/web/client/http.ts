/** Talking to the nslab web server: same-origin JSON requests (the token rides in the cookie). */

/** An error the server explained (code, message, hint). */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function parse<T>(r: Response): Promise<T> {
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServerError(text.trim() || `HTTP ${r.status}`, `HTTP_${r.status}`);
  }
  if (!r.ok) {
    const e = (body as { error?: { message: string; code: string; hint?: string } }).error;
    throw new ServerError(e?.message ?? `HTTP ${r.status}`, e?.code ?? `HTTP_${r.status}`, e?.hint);
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: "application/json" } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }),
  );
}
