// Starts the page: imports the page crate's wasm-bindgen glue and instantiates its .wasm.
//
// Trunk would write this as an inline <script type="module"> in index.html, which the page's
// Content-Security-Policy (script-src 'self', no 'unsafe-inline') refuses to run. Trunk.toml's
// `pattern_script` makes Trunk write <script type="module" src="/boot.js" data-ajuste-js="…"
// data-ajuste-wasm="…"> instead, with the hashed names of this build, and this file reads them.
const tag = document.querySelector('script[data-ajuste-js][data-ajuste-wasm]');
const { default: init } = await import(tag.dataset.ajusteJs);
await init({ module_or_path: tag.dataset.ajusteWasm });
