// Starts the page: imports the page crate's wasm-bindgen glue and instantiates its .wasm.
//
// Trunk would write this as an inline <script type="module"> in index.html, which the page's
// Content-Security-Policy (script-src 'self', no 'unsafe-inline') refuses to run. Trunk.toml's
// `pattern_script` makes Trunk write <script type="module" src="/boot.js" data-ajuste-js="…"
// data-ajuste-wasm="…"> instead, with the hashed names of this build, and this file reads them.
//
// The app's WebAssembly uses 128-bit SIMD (.cargo/config.toml), which every current browser runs
// (Chrome/Edge 91, Firefox 89, Safari 16.4 and later); an older browser could not compile it, so
// it gets a sentence instead of a blank page. The probe: (func (result v128) i32.const 0 i8x16.splat).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);
if (WebAssembly.validate(SIMD_PROBE)) {
  const tag = document.querySelector('script[data-ajuste-js][data-ajuste-wasm]');
  const { default: init } = await import(tag.dataset.ajusteJs);
  await init({ module_or_path: tag.dataset.ajusteWasm });
} else {
  document.body.textContent =
    'Ajuste needs a newer browser: one with WebAssembly SIMD (Chrome or Edge 91, Firefox 89, Safari 16.4 or later).';
}
