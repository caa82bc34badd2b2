// Modules wrangler bundles by file type: a .wasm import is a compiled WebAssembly module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

declare module "sql.js/dist/sql-wasm.js" {
  import initSqlJs from "sql.js";
  export default initSqlJs;
}
