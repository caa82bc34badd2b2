// sql.js in the Worker: the wasm file is bundled as a WebAssembly module (wrangler's rule for .wasm imports) and
// instantiated once per isolate. Used to read the collection Anki's apps upload and to write the one they download.
import type { SqlJsStatic } from "sql.js";
import initSqlJs from "sql.js/dist/sql-wasm.js";
import wasm from "sql.js/dist/sql-wasm.wasm";

let loading: Promise<SqlJsStatic> | null = null;

export function sqlite(): Promise<SqlJsStatic> {
  loading ??= load().catch((thrown) => {
    loading = null;
    throw thrown;
  });
  return loading;
}

function load(): Promise<SqlJsStatic> {
  // sql.js finds its own script's address when it starts, from `self.location` in a worker, which workerd does
  // not have; it only uses it to locate the wasm file, which is given here. A stand-in exists during the call.
  const scope = globalThis as { location?: unknown };
  const stand = !("location" in scope);
  if (stand) scope.location = { href: "" };
  try {
    return initSqlJs({
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
        void WebAssembly.instantiate(wasm, imports).then(done);
        return {};
      },
    } as Parameters<typeof initSqlJs>[0]);
  } finally {
    if (stand) delete scope.location;
  }
}
