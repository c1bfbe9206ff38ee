// Builds dist/ for Apps Script: one classic-script bundle, a top-level function stub for every
// function the entry file exports (Apps Script only sees top-level declarations), the manifest, and
// the HTML pages with their client script inlined.
import { build } from "esbuild";
import { mkdir, readdir, readFile, writeFile, copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = dirname(fileURLToPath(import.meta.url));
const entry = join(root, "src/addon/main.ts");
const sidebarDir = join(root, "src/sidebar");
const dist = join(root, "dist");
const bundleGlobal = "TerritoryPlanner";

/** Exported function declarations of the entry file, with their JSDoc and parameter names. */
export function exportedFunctions(sourceText, fileName = "main.ts") {
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

async function buildCode() {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: bundleGlobal,
    target: "es2020",
    platform: "neutral",
    mainFields: ["module", "main"],
    legalComments: "none",
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

/** Each src/sidebar/*.html may hold `<!-- inline: file.ts -->` markers, replaced by that bundled script. */
async function buildPages() {
  const names = (await readdir(sidebarDir)).filter((n) => n.endsWith(".html"));
  for (const name of names) {
    let html = await readFile(join(sidebarDir, name), "utf8");
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
  await mkdir(dist, { recursive: true });
  const globals = await buildCode();
  const pages = await buildPages();
  await copyFile(join(root, "appsscript.json"), join(dist, "appsscript.json"));
  if (!process.argv.includes("--quiet")) {
    console.log(`built dist/Code.js (${globals.length} globals) and ${pages.length} page(s)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
