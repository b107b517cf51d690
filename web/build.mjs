// Builds AGIO's self-hosted front end into web/dist/ (run with `npm run build`):
//
//   agio.css     web/scss/agio.scss compiled (compressed) with dart-sass
//   fonts/       the woff2 files agio.css refers to, from bootstrap-italia
//   icons.svg    a sprite with only the <symbol>s listed in web/icons.txt
//
// Deterministic: the same inputs give byte-identical outputs. Fails (exit 1)
// with a message when an icon is missing, when the CSS refers to a file that
// is not shipped or to another host, when a class the templates rely on has
// disappeared, or when a size budget is exceeded.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as sass from 'sass';

const WEB = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(WEB);
const NODE_MODULES = join(ROOT, 'node_modules');
const BI = join(NODE_MODULES, 'bootstrap-italia');
const DIST = join(WEB, 'dist');

// Size budgets in bytes (gzip for CSS and SVG; woff2 is already compressed).
const BUDGET = {
  cssGzip: 30 * 1024,
  fontsRaw: 60 * 1024,
  iconsGzip: 8 * 1024,
};

// Classes the templates rely on: the build fails if one is no longer emitted.
const REQUIRED_CLASSES = [
  // layout and utilities
  'container', 'row', 'col-12', 'col-md-6', 'col-lg-4', 'd-none', 'd-md-block', 'd-flex',
  'flex-wrap', 'justify-content-between', 'align-items-center', 'mb-3', 'mt-4', 'p-3', 'px-0',
  'gap-2', 'text-center', 'text-md-end', 'fw-semibold', 'text-primary', 'text-white', 'bg-light',
  'bg-white', 'visually-hidden', 'visually-hidden-focusable', 'list-unstyled', 'lead',
  // header, navigation, footer
  'skiplinks', 'it-header-wrapper', 'it-header-slim-wrapper', 'it-header-slim-wrapper-content',
  'it-header-center-wrapper', 'it-header-center-content-wrapper', 'it-brand-wrapper',
  'it-brand-title', 'it-brand-tagline', 'it-header-navbar-wrapper', 'navbar', 'navbar-nav',
  'nav-item', 'nav-link', 'it-footer', 'it-footer-main', 'it-footer-small-prints',
  'breadcrumb-container', 'breadcrumb', 'breadcrumb-item', 'separator',
  // components
  'btn', 'btn-primary', 'btn-outline-primary', 'btn-secondary', 'btn-sm', 'btn-icon', 'badge',
  'card', 'card-body', 'card-title', 'card-text', 'table', 'table-striped', 'table-responsive',
  'alert', 'alert-warning', 'alert-info', 'alert-danger', 'alert-success', 'list-group',
  'list-group-item', 'it-list-wrapper', 'it-list', 'pagination', 'page-item', 'page-link',
  'chip', 'chip-label', 'icon', 'icon-sm', 'icon-xs', 'icon-white', 'icon-primary',
  // forms
  'form-group', 'form-label', 'form-control', 'form-select', 'select-wrapper', 'form-text',
  'form-check',
  // AGIO
  'agio-map', 'agio-demo-banner', 'agio-figures', 'agio-figure', 'agio-figure-value',
  'agio-figure-label', 'agio-results', 'agio-open', 'agio-closed', 'agio-tags', 'agio-check',
  'agio-channels', 'agio-other-lang', 'agio-print', 'agio-print-columns', 'agio-no-print',
  'agio-menu', 'agio-more-filters', 'agio-active-filters', 'd-lg-none', 'd-lg-block', 'agio-searchbar', 'agio-glance', 'agio-footer-list', 'agio-header-search', 'small', 'btn-danger', 'btn-outline-danger', 'btn-link', 'agio-sign-out',
  'agio-internal-badge', 'agio-score', 'agio-chart', 'agio-legend', 'agio-choices', 'agio-fieldset', 'agio-step', 'agio-done-badge', 'agio-todo-badge',
];

function fail(message) {
  console.error(`web/build.mjs: ${message}`);
  process.exit(1);
}

function rel(path) {
  return relative(ROOT, path);
}

// Copy content only (the package ships its fonts as executable files).
function copyFile(from, to) {
  writeFileSync(to, readFileSync(from));
}

// -- CSS ---------------------------------------------------------------------

function compileCss() {
  let result;
  try {
    result = sass.compile(join(WEB, 'scss', 'agio.scss'), {
      style: 'compressed',
      loadPaths: [NODE_MODULES],
      sourceMap: false,
      // Bootstrap Italia 2.x is written for @import and global built-ins: its
      // own warnings are silenced (quietDeps), and agio.scss has to @import it.
      quietDeps: true,
      silenceDeprecations: ['import'],
    });
  } catch (error) {
    fail(`Sass compilation failed:\n${error.message}`);
  }
  return result.css;
}

// Every url() must be a data: URI or a relative path to a file we ship.
// Relative font URLs are resolved against bootstrap-italia's dist/fonts/*/.
function collectUrls(css) {
  const urls = new Set();
  for (const match of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*))\s*\)/g)) {
    urls.add((match[1] ?? match[2] ?? match[3]).trim());
  }
  return [...urls].sort();
}

function findFontSource(file) {
  const fontsDir = join(BI, 'dist', 'fonts');
  for (const family of readdirSync(fontsDir).sort()) {
    const candidate = join(fontsDir, family, file);
    if (existsSync(candidate)) return { path: candidate, familyDir: join(fontsDir, family) };
  }
  return null;
}

function checkClasses(css) {
  const missing = REQUIRED_CLASSES.filter((name) => {
    const escaped = name.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
    return !new RegExp(`\\.${escaped}(?![\\w-])`).test(css);
  });
  if (missing.length) {
    fail(`agio.css no longer defines: ${missing.map((c) => '.' + c).join(', ')}\n` +
      'Import the Bootstrap Italia partial that provides it in web/scss/agio.scss.');
  }
}

// -- Icons -------------------------------------------------------------------

function readIconNames() {
  const names = readFileSync(join(WEB, 'icons.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const seen = new Set();
  for (const name of names) {
    if (seen.has(name)) fail(`web/icons.txt lists "${name}" twice`);
    seen.add(name);
  }
  if (!names.length) fail('web/icons.txt lists no icon');
  return names;
}

function buildSprite(names) {
  const spritePath = join(BI, 'dist', 'svg', 'sprites.svg');
  const sprite = readFileSync(spritePath, 'utf8');
  const symbols = new Map();
  for (const match of sprite.matchAll(/<symbol\b[^>]*\bid="([^"]+)"[^>]*>[\s\S]*?<\/symbol>/g)) {
    symbols.set(match[1], match[0]);
  }
  const missing = names.filter((name) => !symbols.has(name));
  if (missing.length) {
    const hints = missing.map((name) => {
      const stem = name.replace(/^it-/, '').split('-')[0];
      const near = [...symbols.keys()].filter((id) => id.includes(stem)).slice(0, 6);
      return `  ${name}${near.length ? ` (similar: ${near.join(', ')})` : ''}`;
    });
    fail(`icon(s) in web/icons.txt not found in ${rel(spritePath)}:\n${hints.join('\n')}`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg">${names.map((n) => symbols.get(n)).join('')}</svg>\n`;
}

// -- Build -------------------------------------------------------------------

function main() {
  if (!existsSync(BI)) fail('node_modules/bootstrap-italia is missing: run `npm ci` first');

  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(join(DIST, 'fonts'), { recursive: true });

  const css = compileCss();
  checkClasses(css);

  const fonts = [];
  const licences = new Map(); // target name -> source path
  for (const url of collectUrls(css)) {
    if (url.startsWith('data:')) continue;
    if (!/^fonts\/[\w.-]+\.woff2$/.test(url)) {
      fail(`agio.css refers to "${url}": only data: URIs and fonts/<file>.woff2 are allowed ` +
        '(no other host, no absolute path, nothing the build does not ship)');
    }
    const file = url.slice('fonts/'.length);
    const source = findFontSource(file);
    if (!source) fail(`agio.css refers to "${url}", which bootstrap-italia does not ship`);
    copyFile(source.path, join(DIST, 'fonts', file));
    fonts.push(join('fonts', file));
    for (const licence of ['OFL.txt', 'LICENSE.txt']) {
      const path = join(source.familyDir, licence);
      if (existsSync(path)) licences.set(`${basename(source.familyDir)}-${licence}`, path);
    }
  }
  if (!fonts.length) fail('agio.css refers to no font file: check the @font-face rules');
  // The fonts' licence travels with them (SIL Open Font License).
  for (const [name, path] of licences) copyFile(path, join(DIST, 'fonts', name));

  writeFileSync(join(DIST, 'agio.css'), css);
  writeFileSync(join(DIST, 'icons.svg'), buildSprite(readIconNames()));
  // Files of AGIO's own, shipped as they are (favicon).
  for (const file of readdirSync(join(WEB, 'static'))) copyFile(join(WEB, 'static', file), join(DIST, file));

  // -- Report and budgets ----------------------------------------------------
  const rows = [];
  const measure = (file) => {
    const data = readFileSync(join(DIST, file));
    const row = { file, raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
    rows.push(row);
    return row;
  };
  const cssRow = measure('agio.css');
  const fontRows = fonts.map(measure);
  const iconRow = measure('icons.svg');
  const fontsRaw = fontRows.reduce((sum, r) => sum + r.raw, 0);
  const fontsGzip = fontRows.reduce((sum, r) => sum + r.gzip, 0);

  const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
  const width = Math.max(...rows.map((r) => r.file.length), 'fonts (total)'.length);
  console.log(`${'web/dist/'.padEnd(width + 9)}${'raw'.padStart(10)}${'gzip'.padStart(11)}`);
  for (const r of rows) console.log(`  ${r.file.padEnd(width + 7)}${kb(r.raw)} ${kb(r.gzip)}`);
  console.log(`  ${'fonts (total)'.padEnd(width + 7)}${kb(fontsRaw)} ${kb(fontsGzip)}`);

  const over = [];
  if (cssRow.gzip > BUDGET.cssGzip) over.push(`agio.css is ${kb(cssRow.gzip).trim()} gzip (budget ${kb(BUDGET.cssGzip).trim()})`);
  if (fontsRaw > BUDGET.fontsRaw) over.push(`fonts are ${kb(fontsRaw).trim()} (budget ${kb(BUDGET.fontsRaw).trim()})`);
  if (iconRow.gzip > BUDGET.iconsGzip) over.push(`icons.svg is ${kb(iconRow.gzip).trim()} gzip (budget ${kb(BUDGET.iconsGzip).trim()})`);
  if (over.length) fail(`over budget (see BUDGET in web/build.mjs):\n  ${over.join('\n  ')}`);
}

main();
