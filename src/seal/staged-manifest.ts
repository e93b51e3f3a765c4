// The manifest seal writes as it describes the store: a temp file beside the manifest's place,
// filled one batch of artifacts at a time and put in place with the packet and the provenance
// (./write-evidence.ts), or removed, with any directory made for it, when seal refuses or the
// process exits first. A temp file that cannot be made is said before the store is walked
// (verbs/seal.ts); a write that fails during the walk is kept and said where seal writes its
// evidence, so the findings of the store come first, as when the manifest was written at the end.
import { randomBytes } from "node:crypto";
import { rmdirSync, rmSync } from "node:fs";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ManifestText } from "../documents/manifest-writer.js";
import type { Artifact } from "../documents/types.js";
import type { DigestSet } from "../identity/digest.js";
import { registerExitCleanup } from "../util/exit-cleanup.js";

export class StagedManifest {
  private readonly text: ManifestText;
  private pending: string[] = [];
  private handle: FileHandle | null = null;
  private created: string | undefined;
  /** Whether the temp file was made: one never made is not removed (its folder may not be one). */
  private made = false;
  private state: "open" | "finished" | "placed" | "gone" = "open";
  private unregister: () => void = () => undefined;
  /** The error of the first write that failed, if one did. */
  failure: NodeJS.ErrnoException | null = null;

  private constructor(
    /** Where the manifest goes. */
    readonly path: string,
    /** The temp file it is written to first. */
    readonly temporary: string,
  ) {
    this.text = new ManifestText((text) => this.pending.push(text));
  }

  /** A manifest staged beside `path`; a failure to make it is kept, not thrown. */
  static async open(path: string): Promise<StagedManifest> {
    const directory = dirname(resolve(path)); // absolute, as mkdir then says what it made
    const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
    const staged = new StagedManifest(path, temporary);
    staged.unregister = registerExitCleanup(() => {
      staged.removeSync();
    });
    try {
      staged.created = await mkdir(directory, { recursive: true });
      staged.handle = await open(temporary, "wx", 0o644);
      staged.made = true;
    } catch (error) {
      staged.failure = error as NodeJS.ErrnoException;
    }
    return staged;
  }

  get count(): number {
    return this.text.count;
  }

  add(artifact: Artifact): void {
    this.text.add(artifact);
  }

  /** Writes what was added since the last call. */
  async flush(): Promise<void> {
    const bytes = Buffer.from(this.pending.join(""));
    this.pending = [];
    if (this.handle === null || this.failure !== null) return;
    try {
      for (let at = 0; at < bytes.length;) at += (await this.handle.write(bytes, at)).bytesWritten;
    } catch (error) {
      this.failure = error as NodeJS.ErrnoException;
    }
  }

  /** Ends the document, flushes it to disk and closes it; its digest. */
  async finish(): Promise<DigestSet> {
    const digest = this.text.finish();
    await this.flush();
    this.state = "finished";
    if (this.handle === null) return digest;
    try {
      if (this.failure === null) await this.handle.sync();
    } catch (error) {
      this.failure = error as NodeJS.ErrnoException;
    }
    await this.closeHandle();
    return digest;
  }

  /** The temp file is the manifest now: nothing is left to remove. */
  placed(): void {
    this.state = "placed";
    this.unregister();
  }

  /** Removes the temp file and the directories made for it, unless it was put in place. */
  async discard(): Promise<void> {
    if (this.state === "placed" || this.state === "gone") return;
    await this.closeHandle();
    if (this.made) await rm(this.temporary, { force: true });
    this.removeDirectories();
    this.state = "gone";
    this.unregister();
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }

  private removeSync(): void {
    if (this.state === "placed" || this.state === "gone") return;
    if (this.made) rmSync(this.temporary, { force: true });
    this.removeDirectories();
  }

  /** The directories mkdir made, innermost first; one that is not empty any more stays. */
  private removeDirectories(): void {
    if (this.created === undefined) return;
    for (let at = dirname(this.temporary); ; at = dirname(at)) {
      try {
        rmdirSync(at);
      } catch {
        return;
      }
      if (at === this.created || dirname(at) === at) return;
    }
  }
}
