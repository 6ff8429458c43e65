/**
 * Vectors as they are stored with their chunks: float32 bytes in base64, a string both the embedded
 * store (JSON lines) and MongoDB keep as it is, at a third of the size of a JSON number array.
 * Byte order is the machine's, little-endian on every platform Node supports.
 */
export function encodeVector(vector: ArrayLike<number>): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

export function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  // Copied into a fresh buffer: a decoded Buffer may sit at an offset that is not a multiple of 4.
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return floats;
}
