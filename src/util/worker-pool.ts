// A fixed pool of worker threads, one task at a time on each, tasks queued in order. Callers
// batch small work into one task so the cost of a message is paid per batch, not per item.
import { availableParallelism } from "node:os";
import { Worker, workerData } from "node:worker_threads";
import { applyHeapFlags, heapFlagsForWorkers } from "./heap-tuning.js";

/** What a worker posts back for each task. */
export type WorkerReply<Answer> =
  | { readonly ok: true; readonly answer: Answer }
  | { readonly ok: false; readonly error: { readonly message: string; readonly code?: string } };

type Job<Task, Answer> = {
  readonly task: Task;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: Error) => void;
};

/** What a worker sends of an error: its message and errno code, which survive a message. */
export function errorForWire(error: unknown): { message: string; code?: string } {
  const { message, code } = error as NodeJS.ErrnoException;
  const text = typeof message === "string" ? message : String(error);
  return code === undefined ? { message: text } : { message: text, code };
}

/** An Error carrying the errno code the worker saw, so callers classify it as before. */
export function errorFromWorker(error: { message: string; code?: string }): Error {
  const rebuilt = new Error(error.message) as NodeJS.ErrnoException;
  if (error.code !== undefined) rebuilt.code = error.code;
  return rebuilt;
}

export class WorkerPool<Task, Answer> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Job<Task, Answer>>();
  private readonly queue: Job<Task, Answer>[] = [];
  private broken: Error | null = null;

  constructor(entry: URL, size: number = availableParallelism()) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = startWorker(entry, {
        heapFlags: heapFlagsForWorkers(),
      } satisfies PoolWorkerData);
      worker.on("message", (reply: WorkerReply<Answer>) => {
        this.settle(worker, reply);
      });
      worker.on("error", (error) => {
        this.fail(error);
      });
      worker.on("exit", (code) => {
        if (this.running.has(worker) || (code !== 0 && this.broken === null))
          this.fail(new Error(`a worker thread exited with code ${code}`));
      });
      // An idle worker does not keep the process alive; a busy one does (see dispatch).
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(task: Task): Promise<Answer> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<Answer>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; queued tasks are rejected. */
  async close(): Promise<void> {
    this.broken ??= new Error("the worker pool was closed");
    for (const job of this.queue.splice(0)) job.reject(this.broken);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    for (;;) {
      const worker = this.idle.pop();
      if (worker === undefined) return;
      const job = this.queue.shift();
      if (job === undefined) {
        this.idle.push(worker);
        return;
      }
      this.running.set(worker, job);
      worker.ref();
      worker.postMessage(job.task);
    }
  }

  private settle(worker: Worker, reply: WorkerReply<Answer>): void {
    const job = this.running.get(worker);
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (job) {
      if (reply.ok) job.resolve(reply.answer);
      else job.reject(errorFromWorker(reply.error));
    }
    this.dispatch();
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const job of this.running.values()) job.reject(error);
    this.running.clear();
    for (const job of this.queue.splice(0)) job.reject(error);
  }
}

/** What a pool gives each of its workers to start with. */
type PoolWorkerData = { readonly heapFlags: readonly string[] };

/**
 * For a worker's module, first thing: sets again the V8 flags a tuned parent set (Node reset
 * them when it started this thread; see src/util/heap-tuning.ts).
 */
export function startPoolWorker(): void {
  const data = workerData as PoolWorkerData | null;
  if (data !== null && Array.isArray(data.heapFlags)) applyHeapFlags(data.heapFlags);
}

/**
 * A worker thread with the parent's Node flags. Node hands them on by itself, V8 flags such as
 * --max-old-space-size included; but it also hands on --input-type, which it then refuses for
 * a worker's file, so a library call from `node --input-type=module -e` would fail. Only then
 * are the flags given explicitly, less --input-type; and as Node refuses V8 flags given that
 * way, if there are any the worker starts with no flags at all (its heap is the process's
 * anyway; a Node flag such as --conditions is then lost to it).
 */
function startWorker(entry: URL, workerData: PoolWorkerData): Worker {
  const flags = withoutInputType(process.execArgv);
  if (flags.length === process.execArgv.length) return new Worker(entry, { workerData });
  try {
    return new Worker(entry, { workerData, execArgv: flags });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
    return new Worker(entry, { workerData, execArgv: [] });
  }
}

function withoutInputType(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] ?? "";
    if (flag === "--input-type") i++;
    else if (!flag.startsWith("--input-type=")) flags.push(flag);
  }
  return flags;
}
