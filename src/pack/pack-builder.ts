// Builds packs in a pack-build process (pack-build-process.ts), which reads the
// uploaded bytes from a file and writes the compiled pack's bytes to another; this
// side reads them into shared memory on libuv's pool, loads the database there too,
// and decodes the brands a slice per turn of the event loop. The event loop never
// holds the work, nor the memory, of a build.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { copyFile, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledPack } from './compiled-pack.js';
import type { BuiltSections, PackBuildInit, PackBuildReply, PackBuildRequest } from './pack-build-messages.js';
import type { BrandEntry, ShadowEntries } from './policy-pack.js';
import type { DatabaseCacheConfig } from './database-cache.js';
import type { SeedCounts } from './seed-pack-entries.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { PRIVATE_FILE_MODE, privateDir } from '../config/private-dir.js';
import { packSourceSize, PackUnreadableError, type PackSource } from './pack-source.js';
import { decodeBrandSlices } from './brand-slices.js';
import { rememberBrandIndex } from './brand-index.js';
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';

/**
 * A compiled pack; with `seeded`, the build process already wrote its lists and
 * banks to Redis (and the pack carries them no more): the counts say what was new.
 */
export interface BuiltPack {
  compiled: CompiledPack;
  seeded?: SeedCounts;
  /** With `unseededAtMost`: the pack's list values and banked items Redis does not hold. */
  unseeded?: ShadowEntries;
}

/** Packs past this size (uploaded bytes) end their build process once built: its memory goes back to the system at once. */
const LARGE_PACK_BYTES = 16 * 1024 * 1024;

interface Waiter {
  resolve: (built: BuiltPack) => void;
  reject: (error: Error) => void;
  sourcePath: string;
  resultPath: string;
  bytes: number;
}

/** The result file's sections, each read on libuv's pool into memory of its own (shared where the matching threads read it). */
async function readSections(path: string, sections: BuiltSections): Promise<{ database: Uint8Array; meta: CompiledPack['meta']; brandSlices: Uint8Array[] }> {
  const file = await open(path, 'r');
  try {
    let position = 0;
    const read = async (length: number, shared: boolean): Promise<Uint8Array> => {
      const target = new Uint8Array(shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
      let done = 0;
      while (done < length) {
        const { bytesRead } = await file.read(target, done, length - done, position + done);
        if (bytesRead === 0) throw new Error(`the pack build's result ${path} ends early`);
        done += bytesRead;
      }
      position += length;
      return target;
    };
    const database = await read(sections.database, true);
    const kinds = await read(sections.kinds, true);
    const refsBytes = await read(sections.refs, true);
    const boundaries = await read(sections.boundaries, true);
    const fieldMasks = await read(sections.fieldMasks, true);
    const skeletons = await read(sections.skeletons, true);
    const skeletonStartsBytes = await read(sections.skeletonStarts, true);
    const soundFoldBytes = await read(sections.soundFold, true);
    const brandSlices: Uint8Array[] = [];
    for (const length of sections.brandSlices) brandSlices.push(await read(length, false));
    const refs = new Uint32Array(refsBytes.buffer, 0, refsBytes.byteLength / 4);
    const skeletonStarts = new Uint32Array(skeletonStartsBytes.buffer, 0, skeletonStartsBytes.byteLength / 4);
    const soundFold = new Uint16Array(soundFoldBytes.buffer, 0, soundFoldBytes.byteLength / 2);
    return { database, meta: { kinds, refs, boundaries, fieldMasks, skeletons, skeletonStarts, soundFold }, brandSlices };
  } finally {
    await file.close();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PackBuilder {
  private child: ChildProcess | undefined;
  private directory: string | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /**
   * The database of the latest build, loaded here and held until the next build:
   * the matching threads then find it already loaded (the addon shares one copy per
   * process) instead of each pausing to load it when the pack goes live.
   */
  private held: NativeDatabase | undefined;
  /** Peak resident memory of the process that made the latest build (it is a process of its own). */
  lastBuildPeakRssBytes = 0;

  /** The build process while there is one. */
  get buildProcessPid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Compiled databases are shared through the Redis of `cache` by database key; the
   * build process seeds lists and banks there. The packs going to it and coming back
   * pass through files under `workRoot`, in a folder per gate process.
   */
  constructor(
    private readonly cache: DatabaseCacheConfig,
    private readonly workRoot: string,
  ) {}

  /** This process's folder under the work root; folders of processes that ended without removing theirs (a crash) go. */
  private workDirectory(): string {
    if (this.directory) return this.directory;
    privateDir(this.workRoot);
    for (const name of readdirSync(this.workRoot)) {
      const pid = /^pid-(\d+)-/.exec(name)?.[1];
      if (pid !== undefined && !isRunning(Number(pid))) rmSync(join(this.workRoot, name), { recursive: true, force: true });
    }
    this.directory = mkdtempSync(join(this.workRoot, `pid-${process.pid}-`));
    return this.directory;
  }

  private process(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(fileURLToPath(new URL('./pack-build-process.js', import.meta.url)), [], {
      serialization: 'advanced',
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.send({ kind: 'init', cache: this.cache } satisfies PackBuildInit);
    child.on('message', (reply: PackBuildReply) => void this.settle(child, reply));
    const fail = (error: Error): void => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const [id, waiter] of this.waiting) this.finish(id, waiter, () => waiter.reject(error));
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`the pack build process exited (${signal ?? code ?? 'unknown'})`)));
    this.child = child;
    return child;
  }

  /** While no build waits, the build process does not keep this process alive. */
  private refWhileWaiting(child: ChildProcess): void {
    if (this.waiting.size > 0) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  private finish(id: number, waiter: Waiter, then: () => void): void {
    this.waiting.delete(id);
    void rm(waiter.sourcePath, { force: true });
    void rm(waiter.resultPath, { force: true });
    if (this.child) this.refWhileWaiting(this.child);
    then();
  }

  private async settle(child: ChildProcess, reply: PackBuildReply): Promise<void> {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    if (waiter.bytes > LARGE_PACK_BYTES && this.waiting.size === 1 && this.child === child) {
      // Its work is done and its memory is large: ended now, not held until the next build.
      this.child = undefined;
      child.kill();
    }
    if (reply.kind !== 'compiled') {
      this.finish(reply.id, waiter, () => {
        if (reply.kind === 'invalid') waiter.reject(new PackInvalidError(reply.issues));
        else if (reply.kind === 'unreadable') waiter.reject(new PackUnreadableError(reply.message, reply.code).toGateError());
        else waiter.reject(new Error(`pack build failed: ${reply.message}`));
      });
      return;
    }
    try {
      const { database, meta, brandSlices } = await readSections(waiter.resultPath, reply.sections);
      const loaded = await rulesEngine.deserializeAsync(database, reply.compiled.key);
      this.held?.close();
      this.held = loaded;
      this.lastBuildPeakRssBytes = reply.peakRssBytes;
      const { brands, index } = await decodeBrandSlices(brandSlices);
      const compiled: CompiledPack = { ...reply.compiled, databaseBytes: database, meta, pack: { ...reply.compiled.pack, brands }, brandSlices };
      rememberBrandIndex(compiled, index);
      this.finish(reply.id, waiter, () =>
        waiter.resolve({ compiled, ...(reply.seeded ? { seeded: reply.seeded } : {}), ...(reply.unseeded ? { unseeded: reply.unseeded } : {}) }),
      );
    } catch (error) {
      this.finish(reply.id, waiter, () => waiter.reject(new Error(`pack build result unreadable: ${(error as Error).message}`)));
    }
  }

  /**
   * Decodes, validates and compiles an uploaded pack; rejects with PackInvalidError
   * naming every bad entry, or a GateError when the bytes are not JSON or MessagePack.
   */
  async build(source: PackSource, extraBrands: BrandEntry[] = [], seed = true, unseededAtMost?: number): Promise<BuiltPack> {
    const id = this.nextId++;
    const directory = this.workDirectory();
    const sourcePath = join(directory, `${id}.source`);
    const resultPath = join(directory, `${id}.result`);
    if ('file' in source) await copyFile(source.file, sourcePath);
    else await writeFile(sourcePath, source.bytes, { mode: PRIVATE_FILE_MODE });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, sourcePath, resultPath, bytes: packSourceSize(source) });
      const child = this.process();
      this.refWhileWaiting(child);
      const request: PackBuildRequest = { kind: 'build', id, sourcePath, format: source.format, extraBrands, seed, resultPath };
      if (unseededAtMost !== undefined) request.unseededAtMost = unseededAtMost;
      child.send(request);
    });
  }

  private uploads = 0;

  /** A new path for an upload to be written to, in this process's work folder (removed by a later start once it has died). */
  uploadPath(): string {
    return join(this.workDirectory(), `upload-${++this.uploads}`);
  }

  /** The last build's pack is live: the matching threads hold its database now. */
  settled(): void {
    this.held?.close();
    this.held = undefined;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.held?.close();
    this.held = undefined;
    for (const [id, waiter] of this.waiting) this.finish(id, waiter, () => waiter.reject(new Error('the gate is stopping')));
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = undefined;
  }
}
