// Real restic repositories for tests: init, a backup taken at a chosen time, and restic's REST
// protocol served by `rclone serve restic` on a port the OS picks.
import { spawn, spawnSync } from "node:child_process";

/** The repositories' password; long and odd, so a test can prove it appears in no output. */
export const RESTIC_PASSWORD = "kestrel-Quartz-7791-unprintable";

/** restic reads --time in local time: pin it to UTC for restic and for the test alike. */
const RESTIC_ENV = { ...process.env, RESTIC_PASSWORD, TZ: "UTC" };

export function restic(args: readonly string[], cwd = process.cwd()): string {
  const run = spawnSync("restic", args, { cwd, env: RESTIC_ENV, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`restic ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

export function initRepository(repository: string): void {
  restic(["-r", repository, "init"]);
}

/** `2026-11-26 07:00:00`, the form `restic backup --time` reads. */
function resticTime(time: Date): string {
  return time.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Backs up `paths` exactly as given (relative to `cwd`, absolute, or `.`: restic keeps the
 * tree as given) with the snapshot time `time`; returns the snapshot's full id.
 */
export function backup(
  repository: string,
  paths: readonly string[],
  options: { cwd: string; time: Date },
): string {
  const output = restic(
    ["-r", repository, "backup", "--json", "--time", resticTime(options.time), ...paths],
    options.cwd,
  );
  const summary = output
    .split("\n")
    .filter((line) => line.includes('"summary"'))
    .map((line) => JSON.parse(line) as { snapshot_id: string })[0];
  if (summary === undefined) throw new Error(`restic backup printed no summary: ${output}`);
  // restic 0.14's summary has the short id; the full one comes from `snapshots`.
  const [snapshot] = JSON.parse(
    restic(["-r", repository, "snapshots", "--json", summary.snapshot_id]),
  ) as { id: string }[];
  if (snapshot === undefined) throw new Error(`snapshot ${summary.snapshot_id} not found`);
  return snapshot.id;
}

export type RESTServer = { readonly url: string; readonly stop: () => Promise<void> };

/** `rclone serve restic` over `dir`, resolved once rclone says where it listens. */
export function serveRestic(dir: string): Promise<RESTServer> {
  const child = spawn("rclone", ["serve", "restic", "--addr", "127.0.0.1:0", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolveExit) => {
    child.once("close", () => {
      resolveExit();
    });
  });
  const stop = async () => {
    child.kill();
    await exited;
  };
  return new Promise((resolveServer, reject) => {
    let log = "";
    const timer = setTimeout(() => {
      void stop().then(() => {
        reject(new Error(`rclone did not start listening: ${log}`));
      });
    }, 15_000);
    child.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
      const match = /Serving restic REST API on (http:\/\/\S+?)\/?\s/.exec(log);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolveServer({ url: `${match[1]}/`, stop });
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`rclone exited: ${log}`));
    });
  });
}
