// A POST as a well-behaved caller of the gate makes it: an answer of 503 or 429
// (overload, contract section 1) is tried again after its retry-after, a few times.
const RETRIED = new Set([429, 503]);

export async function postRetrying(url: string, body: string, headers: Record<string, string>, attempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { method: 'POST', headers, body });
    if (!RETRIED.has(response.status) || attempt >= attempts) return response;
    await response.arrayBuffer();
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000));
  }
}
