import { accessSync, constants as fsConstants, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** The parts of Node's CommonJS loader that loading a module through a `vm.Script` needs. */
interface LoadedModule {
  exports: unknown;
  require(id: string): unknown;
}
type Compile = (this: LoadedModule, content: string, filename: string, format?: string) => unknown;
interface CommonJsLoader {
  prototype: { _compile: Compile };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: LoadedModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: LoadedModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}
const Loader = nodeModule.Module as unknown as CommonJsLoader;

const NODE_MODULES = `${sep}node_modules${sep}`;
const MAIN_MODULE = require.main;
/**
 * `import()` in a script compiled from cached code finds no loader on Node 20 (the code cache
 * does not keep the script's import callback): such files, and any that look like one, keep Node's loader.
 */
const DYNAMIC_IMPORT = /\bimport\s*[(/]/;

/**
 * Where one module's cached code sits in the cache file, with checksums of its source (a changed
 * file of the same length would pass V8's own check) and of the code (V8 would run damaged code).
 */
type Entry = [sourceCrc: number, start: number, end: number, codeCrc: number];

export interface StartUpCodeCache {
  /**
   * Stops caching; when some module was compiled without usable cached code, writes the code of
   * every module compiled so far, including the functions that ran since, to the cache file.
   */
  close(): void;
}

/**
 * A code cache for the libraries under node_modules on Node versions without
 * `module.enableCompileCache` (Node 20): each CommonJS module is compiled as a `vm.Script` with the
 * code V8 produced for it on an earlier start (`cachedData`), so V8 neither parses it again nor
 * compiles the functions the start runs.
 *
 * Own code rather than the v8-compile-cache package: that package stores the code V8 produces
 * right after compiling a module, which holds only its top level; the functions a start runs are
 * compiled lazily, and with it Node 20 loaded the application's modules with the same CPU time as
 * without (bench:startup; figures in README, Benchmarks). `script.createCachedData()` after the start
 * includes them (Node's vm documentation), as Node 22's own compile cache does.
 *
 * The application's own files keep Node's loader, so their stack traces stay mapped to the
 * TypeScript sources (src/source-maps.ts); so do ES modules, files with a hashbang or an
 * `import()`, and any file V8 refuses as a script (Node then decides, as it does without the cache).
 *
 * Returns undefined (nothing installed) when the cache directory cannot be made or written, or is
 * not this user's alone: a cache file is code the process runs.
 */
export function installStartUpCodeCache(directory: string, name: string): StartUpCodeCache | undefined {
  if (!usableDirectory(directory)) return undefined;
  const file = join(directory, name);
  const stored = readCacheFile(file);
  const compiled: { filename: string; crc: number; script: Script }[] = [];
  let missed = 0;
  let closed = false;
  const nodeCompile = Loader.prototype._compile;

  const compileCached: Compile = function (content, filename, format) {
    if (closed || format === 'module' || !filename.includes(NODE_MODULES) || content.startsWith('#!')) {
      return nodeCompile.call(this, content, filename, format);
    }
    const crc = crc32(content);
    const cachedData = storedCode(stored, filename, crc);
    // A file in the cache was searched for `import()` when it was cached.
    if (!cachedData && DYNAMIC_IMPORT.test(content)) return nodeCompile.call(this, content, filename, format);
    let script: Script;
    try {
      script = new Script(Loader.wrap(content), { filename, cachedData });
    } catch {
      return nodeCompile.call(this, content, filename, format);
    }
    if (!cachedData || script.cachedDataRejected) missed += 1;
    compiled.push({ filename, crc, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFunction(this), this, filename, dirname(filename));
  };
  Loader.prototype._compile = compileCached;

  return {
    close() {
      closed = true;
      // Left in place (passing every module on) where another hook was installed over it since.
      if (Loader.prototype._compile === compileCached) Loader.prototype._compile = nodeCompile;
      if (missed === 0) return;
      const entries: Record<string, Entry> = {};
      const parts: Buffer[] = [];
      let offset = 0;
      const add = (filename: string, crc: number, code: Buffer) => {
        entries[filename] = [crc, offset, offset + code.length, crc32(code)];
        parts.push(code);
        offset += code.length;
      };
      for (const { filename, crc, script } of compiled) add(filename, crc, script.createCachedData());
      // Modules this start did not load (another configuration's) keep their code.
      for (const [filename, [crc]] of Object.entries(stored.entries)) {
        const code = filename in entries ? undefined : storedCode(stored, filename, crc);
        if (code) add(filename, crc, code);
      }
      writeCacheFile(file, entries, parts);
      compiled.length = 0;
    },
  };
}

/** The cached code of a module whose source has not changed, when it is whole. */
function storedCode(stored: CacheFile, filename: string, sourceCrc: number): Buffer | undefined {
  const entry = stored.entries[filename];
  if (!entry || entry[0] !== sourceCrc) return undefined;
  const code = stored.code.subarray(entry[1], entry[2]);
  return code.length > 0 && crc32(code) === entry[3] ? code : undefined;
}

/** What `require` is inside a module: the same as Node's own (lib/internal/modules/helpers.js). */
function requireFunction(module: LoadedModule): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) =>
    Loader._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => Loader._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = MAIN_MODULE;
  require.extensions = Loader._extensions as NodeJS.Require['extensions'];
  require.cache = Loader._cache as NodeJS.Require['cache'];
  return require;
}

function usableDirectory(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stats = statSync(directory);
    const ownedByUs = process.getuid === undefined || stats.uid === process.getuid();
    accessSync(directory, fsConstants.W_OK);
    return stats.isDirectory() && ownedByUs && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The cache file: the length of its index (4 bytes), the index as JSON, then the code it points into. */
interface CacheFile {
  entries: Record<string, Entry>;
  code: Buffer;
}

function readCacheFile(file: string): CacheFile {
  try {
    const bytes = readFileSync(file);
    const indexLength = bytes.readUInt32LE(0);
    const entries = JSON.parse(bytes.toString('utf8', 4, 4 + indexLength)) as Record<string, Entry>;
    return { entries, code: bytes.subarray(4 + indexLength) };
  } catch {
    return { entries: {}, code: Buffer.alloc(0) };
  }
}

/** Written beside the file and renamed over it, so another instance starting reads a whole one. */
function writeCacheFile(file: string, entries: Record<string, Entry>, parts: Buffer[]): void {
  const index = Buffer.from(JSON.stringify(entries), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length, 0);
  const partial = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, Buffer.concat([length, index, ...parts]), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A full or read-only disk: the next start compiles as this one did.
    rmSync(partial, { force: true });
  }
}
