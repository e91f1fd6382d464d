// esbuild.mjs compiles `.wat` imports to WebAssembly bytes at build time (wabt).
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}

// esbuild.mjs bundles `<file>.ts?worker` imports on their own and inlines the result as text,
// which the webview starts as a Web Worker from a blob: URL.
declare module '*?worker' {
  const source: string;
  export default source;
}
