// Waiting on an AbortSignal without leaving a listener behind on a signal that outlives the wait.

export type AbortWait = {
  /** Resolves when the signal aborts; never without a signal. */
  readonly aborted: Promise<void>;
  /** Removes the listener; call it when the wait is over. */
  readonly dispose: () => void;
};

export function whenAborted(signal: AbortSignal | undefined): AbortWait {
  if (signal === undefined)
    return { aborted: new Promise(() => undefined), dispose: () => undefined };
  if (signal.aborted) return { aborted: Promise.resolve(), dispose: () => undefined };
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolveAbort) => {
    onAbort = resolveAbort;
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return {
    aborted,
    dispose: () => {
      signal.removeEventListener("abort", onAbort);
    },
  };
}
