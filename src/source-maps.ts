import * as nodeModule from 'node:module';

interface SourceMapsSupport {
  setSourceMapsSupport?: (enabled: boolean, options?: { nodeModules?: boolean; generatedCode?: boolean }) => void;
}

/**
 * Stack traces in the logs point at the TypeScript sources (SWC writes a map beside each compiled
 * file), as `node --enable-source-maps` did, but for the application's own files only where Node
 * can tell them apart (`module.setSourceMapsSupport`, Node 22.14 and later): the flag also had
 * Node read and parse the maps of some 900 library files at start, which cost Node 24 about 0.07 s
 * of CPU and Node 20 about 0.3 s. Node 20 has only the switch for every file Node compiles (the
 * libraries its code cache loads, src/v8-code-cache.ts, are compiled without it). Imported by main.ts
 * before the application: only modules loaded after the call are mapped.
 */
const { setSourceMapsSupport } = nodeModule as SourceMapsSupport;
if (setSourceMapsSupport) setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
else process.setSourceMapsEnabled(true);
