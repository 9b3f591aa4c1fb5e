// Typeset the site's math at build time with the vendored MathJax 4 (node_modules/mathjax,
// fetched by scripts/vendor.py). Run by site_build/finish/typeset.py when the site builds.
//
// stdin:  one JSON object per line. The first: {"fontURL": str, "tex": {...}}. Then one per
//         page: {"name": str, "fragments": [html, ...]}. Each fragment is the inner HTML of one
//         element that holds TeX: a pymdownx.arithmatex element (\( \) or \[ \]) or a notebook
//         Markdown cell ($ $, $$ $$).
// stdout: written once, when every page is typeset:
//         {"css": str, "pages": [{"name": str, "fragments": [{"html": str, "formulas": int}],
//          "errors": [{"tex": str, "message": str}]}]}
//
// Each page is its own MathJax document (labels and tags reset per page). The CSS is one
// stylesheet for the whole site: every page links it, so instant navigation never needs a
// page's own styles. Display equations get tabindex="0" (they may scroll sideways).
// Output: CommonHTML plus assistive MathML for screen readers; no menu, no speech.
// MathJax writes attributes that only its own browser code reads; with no MathJax in the
// browser they are dead weight (about 100 kB on the derivation), so they are removed:
// `data-latex` and `data-mjx-texclass` (menu and re-parsing), `unselectable` (old IE),
// `texclass` and `noic` (the CHTML layout, already done here), and `xmlns` on <math> (an
// HTML parser puts <math> in the MathML namespace anyway). An attribute the stylesheet
// selects on is kept, whatever this list says; each page's formulas are finished as soon as
// they are typeset, so if a later page adds a rule that selects on an attribute already
// removed, the build fails and names it. Each container's `font-size` and
// `position: relative`, the same on every formula, become one rule of the stylesheet.
// Each formula keeps its TeX once, as `data-tex` on its container, so the built page still
// says what was typeset (the worked example's tests read it).
//
// Line-break points of inline math need no font. MathJax marks each one with
// <mjx-break size="n"> holding a space, drawn in a font (MJX-BRK) whose space is 1em wide, and
// sets the gap with a negative letter-spacing (size 4: 1em - 0.722em, the thick space around
// "="). Until that font arrives the fallback font's space is used, every gap is wrong, lines
// wrap elsewhere and the page shifts when it comes (a layout shift of 0.1 on the worked
// example). Here the space becomes U+200B, a break opportunity that is zero-width in every
// font, and the gap becomes padding: `fontFreeBreaks` rewrites those rules of the stylesheet.
// Where a line breaks, the padding stays, unseen, at the end of the line. (MJX-BRK is still
// declared for MathJax's display-math line stacks, which these pages do not use.)
import { readFileSync } from "node:fs";
import MathJax from "mathjax";

const [input, ...inputPages] = readFileSync(0, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));
if (input === undefined) throw new Error("typeset.mjs: no options on stdin");

// Node cannot measure the surrounding font: this is the scale Chromium chose for the theme's
// system sans-serif (MathJax's own browser measurement gave 119.5%).
const SCALE = 1.195;

await MathJax.init({
  loader: {
    // input/mml/entities: liteDOM can only decode named entities such as &para; with it.
    load: ["input/tex", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml", "input/mml/entities"],
  },
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    tags: "none",
    // An unknown macro is an error (the build fails on it), not red text on the page.
    packages: { "[-]": ["noundefined"] },
    ...input.tex,
  },
  chtml: {
    fontURL: input.fontURL,
    matchFontHeight: false, // Node cannot measure the surrounding font: SCALE above
    scale: SCALE,
    displayOverflow: "scroll", // a wide equation scrolls in its own box
  },
  startup: { typeset: false },
});

const adaptor = MathJax.startup.adaptor;

const UNUSED_ATTRIBUTES = ["data-latex", "data-mjx-texclass", "unselectable", "texclass", "noic", "xmlns"];
const CONTAINER_STYLE = [`font-size: ${+(100 * SCALE).toFixed(3)}%`, "position: relative"];

// `node` and every element below it.
function* elements(node) {
  if (adaptor.kind(node) === "#text" || adaptor.kind(node) === "#comment") return;
  yield node;
  for (const child of adaptor.childNodes(node)) yield* elements(child);
}

function stripAttributes(root, names) {
  for (const node of elements(root)) {
    for (const name of names) if (adaptor.hasAttribute(node, name)) adaptor.removeAttribute(node, name);
  }
}

const ZWSP = "\u200b";

function fontFreeBreak(node) {
  for (const child of [...adaptor.childNodes(node)]) adaptor.remove(child);
  adaptor.append(node, adaptor.text(ZWSP));
}

// MathJax's mjx-break rules, rewritten: no break font, and the gap as padding. Throws if
// MathJax wrote them differently (a new MathJax version): update the patterns then.
function fontFreeBreaks(css) {
  const family = /(mjx-container\[jax="CHTML"\] mjx-break \{[^}]*?)\n  font-family: MJX-BRK !important;/;
  const gap = /mjx-break\[size="(\d)"\] \{\n  letter-spacing: -(0?\.\d+)em;\n\}/g;
  if (!family.test(css) || !css.match(gap)) {
    throw new Error("typeset.mjs: MathJax's mjx-break rules changed; update fontFreeBreaks");
  }
  return css
    .replace(family, "$1")
    .replace(gap, (_, size, shrink) => `mjx-break[size="${size}"] {\n  padding-left: ${+(1 - shrink).toFixed(3)}em;\n}`);
}

// The container's style without the declarations that the stylesheet now gives every container.
function moveContainerStyle(root) {
  const kept = (adaptor.getAttribute(root, "style") || "")
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d && !CONTAINER_STYLE.includes(d));
  if (kept.length) adaptor.setAttribute(root, "style", kept.join("; ") + ";");
  else adaptor.removeAttribute(root, "style");
}

function errorsOf(node, tex, out) {
  if (adaptor.kind(node) === "#text" || adaptor.kind(node) === "#comment") return;
  if (adaptor.kind(node) === "mjx-merror") {
    out.push({ tex, message: adaptor.getAttribute(node, "data-mjx-error") || adaptor.textContent(node) });
    return;
  }
  for (const child of adaptor.childNodes(node)) errorsOf(child, tex, out);
}

// A fragment typeset once is not typeset again: the same inner HTML, on this page or a later
// one, gets the same typeset element. About half of the site's formulas are repeats (W^{(k)},
// \sigma'(z), m \times n, ...), so this halves MathJax's work. The output is what typesetting
// it again would give, because each page is a document of its own with tags off; fragments
// that define macros or use labels (whose meaning depends on the document) are always typeset.
// Each element is serialized once, after the changes below, so copies stay identical.
const PER_DOCUMENT = /\\(?:label|ref|eqref|tag|newcommand|renewcommand|newenvironment|renewenvironment|def|gdef|let|require)(?![a-zA-Z])/;
const done = new Map(); // fragment -> {holder, html, formulas, errors}, for fragments that may be reused

// MathJax's stylesheet so far: the rules for every glyph typeset up to now.
const currentCss = () => adaptor.textContent(MathJax.startup.output.styleSheet(MathJax.startup.document));
// The attributes of UNUSED_ATTRIBUTES that `css` does not select on.
const unusedAttributes = (css) => UNUSED_ATTRIBUTES.filter((name) => !css.includes(`[${name}`));
const stripped = new Set(); // the attributes removed from some page's formulas
let anyBreaks = false; // whether some formula has an mjx-break

const typeset = [];
for (const page of inputPages) {
  const slots = []; // one per fragment: {holder, html, formulas, errors}
  const fresh = []; // the fragments to typeset now, and their slots
  for (const fragment of page.fragments) {
    const reusable = !PER_DOCUMENT.test(fragment);
    let slot = reusable ? done.get(fragment) : undefined;
    if (!slot) {
      slot = { holder: null, html: undefined, formulas: 0, errors: [] };
      fresh.push({ fragment, slot });
      if (reusable) done.set(fragment, slot);
    }
    slots.push(slot);
  }
  const roots = [];
  if (fresh.length) {
    const body = fresh.map(({ fragment }, i) => `<div data-bp-fragment="${i}">${fragment}</div>`).join("");
    const doc = MathJax.startup.getDocument(`<html><head></head><body>${body}</body></html>`);
    MathJax.texReset();
    await doc.renderPromise();
    const holders = adaptor.childNodes(adaptor.body(doc.document));
    holders.forEach((holder, i) => (fresh[i].slot.holder = holder));
    for (const item of doc.math) {
      const root = item.typesetRoot;
      roots.push(root);
      adaptor.setAttribute(root, "data-tex", item.math);
      // A display equation scrolls sideways when it is wider than the column (a phone): a
      // keyboard must be able to reach it, as MathJax's own menu code would allow.
      if (item.display) adaptor.setAttribute(root, "tabindex", "0");
      for (let n = adaptor.parent(root); n; n = adaptor.parent(n)) {
        const i = holders.indexOf(n);
        if (i >= 0) {
          fresh[i].slot.formulas += 1;
          errorsOf(root, item.math, fresh[i].slot.errors);
          break;
        }
      }
    }
  }
  // Each new formula is finished page by page, and each fragment serialized once (a reused
  // one has the same holder).
  const unused = unusedAttributes(currentCss());
  for (const root of roots) {
    stripAttributes(root, unused);
    moveContainerStyle(root);
    for (const node of elements(root)) {
      if (adaptor.kind(node) === "mjx-break") {
        fontFreeBreak(node);
        anyBreaks = true;
      }
    }
  }
  unused.forEach((name) => stripped.add(name));
  for (const slot of slots) if (slot.html === undefined) slot.html = adaptor.innerHTML(slot.holder);
  typeset.push({ page, slots });
}

// MathJax adds its assistive-MathML rules again for each page's document: a site of 14 pages
// had them 14 times over. Keeps the first copy of each top-level rule (an @media block is one
// rule), in order; braces inside quoted strings and comments do not count.
function uniqueRules(css) {
  const rules = [];
  const seen = new Set();
  let depth = 0;
  let start = 0;
  let quote = null;
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "/" && css[i + 1] === "*") {
      i = css.indexOf("*/", i + 2) + 1; // a comment: skipped (0 if unclosed, caught below)
      if (i === 0) break;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      const rule = css.slice(start, i + 1).trim();
      if (!seen.has(rule)) rules.push(rule);
      seen.add(rule);
      start = i + 1;
    }
  }
  const rest = css.slice(start).trim();
  if (depth !== 0 || quote || rest) throw new Error("typeset.mjs: cannot read MathJax's stylesheet");
  return "\n" + rules.join("\n\n") + "\n";
}

// The stylesheet holds the rules for the glyphs of every page, so it is known only now.
let css = uniqueRules(currentCss());
const selected = [...stripped].filter((name) => css.includes(`[${name}`));
if (selected.length) {
  // A rule added after an earlier page had these attributes removed.
  throw new Error(`typeset.mjs: MathJax's stylesheet selects on ${selected.join(", ")}; remove it from UNUSED_ATTRIBUTES`);
}
css += `\nmjx-container[jax="CHTML"] {\n  ${CONTAINER_STYLE.join(";\n  ")};\n}\n`;
if (anyBreaks) css = fontFreeBreaks(css);
const pages = typeset.map(({ page, slots }) => ({
  name: page.name,
  fragments: slots.map(({ html, formulas }) => ({ html, formulas })),
  errors: slots.flatMap(({ errors }) => errors),
}));
process.stdout.write(JSON.stringify({ css, pages }));
