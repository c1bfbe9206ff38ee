// Builds dist/ for Apps Script: one classic-script bundle, a top-level function stub for every
// function the entry file exports (Apps Script only sees top-level declarations), the manifest, and
// the HTML pages with their client script inlined.
//
// The manifest's urlFetchWhitelist is the one list of URLs the add-on may reach: the bundle gets a
// copy (so Settings can refuse a base URL Google would refuse), and `--for-push` adds the prefix of
// LLM_BASE_URL from the environment to both, so a deployer can use any https provider.
// Options: --for-push, --out <dir> (default dist), --quiet.
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// TypeScript takes a second to load: only a build that writes the bundle needs it, not a refused push.
const loadTypeScript = () => createRequire(import.meta.url)("typescript");

const root = dirname(fileURLToPath(import.meta.url));
const entry = join(root, "src/addon/main.ts");
const sidebarDir = join(root, "src/sidebar");
const bundleGlobal = "TerritoryPlanner";

/** A module of the core, loaded into the build: the build applies exactly what the add-on does. */
async function coreModule(file) {
  const out = await build({
    entryPoints: [join(root, "src/core", file)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}

/** The add-on's own URL rules (src/core/allowlist.ts), so the build applies exactly what Settings does. */
const allowlistRules = () => coreModule("allowlist.ts");

/**
 * The manifest to ship: appsscript.json, its prefixes checked against Google's rules, plus the
 * prefix of `llmBaseUrl` when given and not already allowed. Throws with a message for the deployer.
 */
export async function manifestFor(llmBaseUrl) {
  const rules = await allowlistRules();
  const manifest = JSON.parse(await readFile(join(root, "appsscript.json"), "utf8"));
  const prefixes = manifest.urlFetchWhitelist ?? [];
  if (!Array.isArray(prefixes) || !prefixes.every((p) => typeof p === "string"))
    throw new Error("appsscript.json: urlFetchWhitelist must be a list of URL prefixes.");
  for (const prefix of prefixes) {
    const problem = rules.prefixProblem(prefix);
    if (problem) throw new Error(`appsscript.json: the urlFetchWhitelist prefix "${prefix}" ${problem}.`);
  }
  const base = llmBaseUrl?.trim();
  if (base) {
    const problem = rules.baseUrlFormProblem(base);
    if (problem) throw new Error(`LLM_BASE_URL ${problem}. Nothing was pushed.`);
    if (rules.baseUrlProblem(base, prefixes) !== null) prefixes.push(rules.prefixForBaseUrl(base));
  }
  return { ...manifest, urlFetchWhitelist: prefixes };
}

/** Exported function declarations of the entry file, with their JSDoc and parameter names. */
export function exportedFunctions(sourceText, fileName = "main.ts") {
  const ts = loadTypeScript();
  const source = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.ES2020, true);
  const found = [];
  for (const statement of source.statements) {
    if (!ts.isFunctionDeclaration(statement) || !statement.name) continue;
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const jsDoc = ts
      .getLeadingCommentRanges(sourceText, statement.getFullStart())
      ?.map((range) => sourceText.slice(range.pos, range.end))
      .filter((text) => text.startsWith("/**"))
      .pop();
    const params = statement.parameters.map((p) => p.name.getText(source).replace(/[^A-Za-z0-9_$]/g, ""));
    found.push({ name: statement.name.text, params, jsDoc: jsDoc ?? null });
  }
  return found;
}

function stubFor({ name, params, jsDoc }) {
  const doc = jsDoc ? jsDoc.replace(/^[ \t]+/gm, " ").replace(/^ \/\*\*/, "/**") + "\n" : "";
  const list = params.join(", ");
  return `${doc}function ${name}(${list}) {\n  return ${bundleGlobal}.${name}.apply(this, arguments);\n}\n`;
}

async function buildCode(dist, allowlist) {
  // The reply's JSON schema, derived by zod here rather than in every execution (see src/core/reply.ts).
  const replyJsonSchema = JSON.stringify((await coreModule("reply.ts")).deriveReplyJsonSchema());
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: bundleGlobal,
    target: "es2020",
    platform: "neutral",
    mainFields: ["module", "main"],
    legalComments: "none",
    // Every execution (each custom-function cell, each sidebar poll) compiles the whole file first,
    // so all of it is minified, a quarter less than with names kept. keepNames gives each function
    // and class its own name back (V8 names a stack frame by it), so Apps Script's stack traces stay
    // readable; the stubs below, with their JSDoc, are appended as written.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    keepNames: true,
    define: { __URL_FETCH_ALLOWLIST__: JSON.stringify(allowlist), __REPLY_JSON_SCHEMA__: JSON.stringify(replyJsonSchema) },
    write: false,
    logLevel: "silent",
  });
  const bundle = result.outputFiles[0].text;
  const functions = exportedFunctions(await readFile(entry, "utf8"));
  const stubs = functions.map(stubFor).join("\n");
  const header = "// Territory Planner — built file, do not edit. Source: src/addon/main.ts\n";
  await writeFile(join(dist, "Code.js"), `${header}${bundle}\n${stubs}`);
  return functions.map((f) => f.name);
}

/**
 * Each src/sidebar/*.html may hold `<!-- inline: file.css -->` markers, replaced by that style sheet
 * (what the pages share), and `<!-- inline: file.ts -->` markers, replaced by that bundled script.
 */
async function buildPages(dist) {
  const names = (await readdir(sidebarDir)).filter((n) => n.endsWith(".html"));
  for (const name of names) {
    let html = await readFile(join(sidebarDir, name), "utf8");
    for (const [marker, file] of [...html.matchAll(/<!--\s*inline:\s*([\w./-]+\.css)\s*-->/g)]) {
      const css = await readFile(join(sidebarDir, file), "utf8");
      html = html.replace(marker, () => `<style>\n${css}</style>`);
    }
    const markers = [...html.matchAll(/<!--\s*inline:\s*([\w./-]+\.ts)\s*-->/g)];
    for (const [marker, file] of markers) {
      const out = await build({
        entryPoints: [join(sidebarDir, file)],
        bundle: true,
        format: "iife",
        target: "es2019",
        platform: "browser",
        write: false,
        logLevel: "silent",
      });
      // A literal "</script" inside the bundle would end the tag early.
      const script = out.outputFiles[0].text.replace(/<\/script/gi, "<\\/script");
      html = html.replace(marker, () => `<script>\n${script}</script>`);
    }
    await writeFile(join(dist, name), html);
  }
  return names;
}

async function main() {
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const dist = outAt >= 0 && args[outAt + 1] ? resolve(args[outAt + 1]) : join(root, "dist");
  const forPush = args.includes("--for-push");
  const manifest = await manifestFor(forPush ? process.env.LLM_BASE_URL : undefined);
  await mkdir(dist, { recursive: true });
  const globals = await buildCode(dist, manifest.urlFetchWhitelist);
  const pages = await buildPages(dist);
  await writeFile(join(dist, "appsscript.json"), JSON.stringify(manifest, null, 2) + "\n");
  if (!args.includes("--quiet")) {
    console.log(
      `built ${dist}/Code.js (${globals.length} globals) and ${pages.length} page(s); URLs the add-on may fetch: ${manifest.urlFetchWhitelist.join(" ")}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
