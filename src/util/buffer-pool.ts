/**
 * Buffers that go back and forth between threads (decode's batch: input blocks to a worker, rendered
 * text back), kept once used and filled again instead of allocated anew. A thread that allocates almost
 * nothing on its heap (decode's main thread) collects its garbage rarely, and a buffer it drops is freed
 * only then: over a long batch, dropped buffers piled up to tens of MB. Reused, what circulates is
 * bounded by the number in flight.
 */
export class BufferPool<B extends ArrayBuffer | SharedArrayBuffer = ArrayBuffer> {
  private readonly spare: B[] = [];

  /**
   * `max` spare buffers are kept at most; none is smaller than `min` bytes. `allocate` makes a new one:
   * an ArrayBuffer, handed from thread to thread by transfer, or a SharedArrayBuffer, which a message
   * shares rather than copies (a view's whole buffer would be copied otherwise, not just the view).
   */
  constructor(
    private readonly max: number,
    private readonly allocate: (size: number) => B = (size) => new ArrayBuffer(size) as B,
    private readonly min = 64 * 1024,
  ) {}

  /** `size` bytes, in a spare buffer when one is large enough, else in a new one. */
  take(size: number): Uint8Array<B> {
    let buffer = this.spare.pop();
    // A power of two, so that a block a little longer than the last still fits a spare buffer; one too
    // small is dropped, and the pool settles on the sizes in use.
    if (buffer === undefined || buffer.byteLength < size) buffer = this.allocate(Math.max(this.min, 2 ** Math.ceil(Math.log2(Math.max(size, 1)))));
    return new Uint8Array(buffer, 0, size);
  }

  /** A buffer whose bytes are no longer needed (its views must not be used after this). */
  give(buffer: B): void {
    if (this.spare.length < this.max && buffer.byteLength > 0) this.spare.push(buffer);
  }
}
