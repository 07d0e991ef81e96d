// Bundles the browser assets into api/static/ (served by the API). Deterministic: same sources and
// lock file, same bytes (no timestamps, no absolute paths in the output).
import { build } from "esbuild";
import { existsSync } from "node:fs";

const entries = ["widget", "staff"].filter((name) => existsSync(`src/${name}.js`));
await build({
  entryPoints: Object.fromEntries(entries.map((name) => [name, `src/${name}.js`])),
  outdir: "../api/static",
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  legalComments: "eof",
  logLevel: "warning",
});
