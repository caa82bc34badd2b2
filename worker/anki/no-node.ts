// sql.js's script names node:fs and node:crypto for when it runs in Node; in the Worker that branch never runs (the
// wasm module is given to it), so wrangler.toml's [alias] points both here instead of warning that they are missing.
export default {};
