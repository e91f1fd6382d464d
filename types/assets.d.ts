// esbuild.mjs compiles `.wat` imports to WebAssembly bytes at build time (wabt).
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
