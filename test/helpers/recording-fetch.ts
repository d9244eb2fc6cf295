// A fetch that passes every call on to the real one and keeps what went out and
// what came back, so a test can see the headers a client sent to a real gate.
export interface RecordedCall {
  at: number;
  headers: Headers;
  body: string | Uint8Array | undefined;
  status: number | undefined;
  contentType: string | null | undefined;
}

export interface RecordingFetch {
  fetch: typeof fetch;
  calls: RecordedCall[];
}

export function recordingFetch(): RecordingFetch {
  const calls: RecordedCall[] = [];
  const recording: typeof fetch = async (input, init) => {
    const body = init?.body;
    const call: RecordedCall = {
      at: performance.now(),
      headers: new Headers(init?.headers),
      body: typeof body === 'string' || body instanceof Uint8Array ? body : undefined,
      status: undefined,
      contentType: undefined,
    };
    calls.push(call);
    const response = await fetch(input, init);
    call.status = response.status;
    call.contentType = response.headers.get('content-type');
    return response;
  };
  return { fetch: recording, calls };
}
