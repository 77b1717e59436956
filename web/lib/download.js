// Reading a fetch response's body with progress, for the model files the page's built-ins and the
// widget download. No DOM; works on the main thread and in a worker.

// The body's length in bytes as the server declares it, or 0 when it does not say or the body is
// content-encoded (a compressed length says nothing about the bytes read).
export function declaredLength(response) {
  if ((response.headers.get('Content-Encoding') ?? 'identity') !== 'identity') return 0;
  const n = Number(response.headers.get('Content-Length'));
  return Number.isFinite(n) && n > 0 ? n : 0;
}

// The body as a Blob, read chunk by chunk: onProgress(read, total) after each (total: declaredLength,
// or what was read when more came). Throws tooLarge(read) once more than `max` bytes arrived (the
// rest is not read), and broken(error) when the transfer stops.
export async function readBody(response, { max = Infinity, onProgress, tooLarge, broken }) {
  const total = declaredLength(response);
  onProgress?.(0, total);
  if (!response.body) return response.blob();
  const reader = response.body.getReader();
  const chunks = []; // Uint8Array pieces as they arrive
  let read = 0;
  for (;;) {
    let part;
    try {
      part = await reader.read();
    } catch (err) {
      throw broken(err);
    }
    if (part.done) break;
    read += part.value.length;
    if (read > max) {
      reader.cancel().catch(() => {});
      throw tooLarge(read);
    }
    chunks.push(part.value);
    onProgress?.(read, Math.max(total, read));
  }
  // A Blob, so the bytes live outside this thread's JS heap while lib/model.js copies them, slice
  // by slice, into wasm memory.
  return new Blob(chunks);
}
