/** Maps with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Tasks still running, and the first that failed: a task is forgotten once it ends, so nothing
 * is held for each one that finished (a restore of a million files starts a million writes).
 */
export class RunningTasks {
  private readonly running = new Set<Promise<void>>();
  private failure: { readonly reason: unknown } | null = null;

  get size(): number {
    return this.running.size;
  }

  add(task: Promise<void>): void {
    const tracked: Promise<void> = task.then(
      () => {
        this.running.delete(tracked);
      },
      (reason: unknown) => {
        this.failure ??= { reason };
        this.running.delete(tracked);
      },
    );
    this.running.add(tracked);
  }

  /** Throws the first failure, if a task has failed. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.reason;
  }

  /** Resolves once any of the running tasks ends. */
  async race(): Promise<void> {
    await Promise.race(this.running);
  }

  /** Every task started so far has ended, failed or not. */
  async ended(): Promise<void> {
    await Promise.all(this.running);
  }

  /** Every task started so far has ended; rejects with the first that failed. */
  async settled(): Promise<void> {
    await this.ended();
    this.throwIfFailed();
  }
}
