// Typeset the site's math with the vendored MathJax 4; run by site_build/finish/typeset.py.
//
// stdin:  one JSON object per line. The first: {"fontURL": str, "tex": {...}}. Then one per
//         page: {"name": str, "fragments": [html, ...]}. Each fragment is the inner HTML of one
//         element that holds TeX: a pymdownx.arithmatex element (\( \) or \[ \]) or a notebook
//         Markdown cell ($ $, $$ $$).
// stdout: written once, when every page is typeset:
//         {"css": str, "pages": [{"name": str, "fragments": [{"html": str, "formulas": int}],
//          "errors": [{"tex": str, "message": str}]}]}
//
// Each page is its own MathJax document (labels and tags reset per page); the CSS is one
// stylesheet for the whole site. Output: CommonHTML plus assistive MathML; no menu, no speech.
// Attributes that only MathJax's own browser code reads (UNUSED_ATTRIBUTES) are removed unless
// the stylesheet selects on them; the build fails if a later page adds such a rule. Each
// container's `font-size` and `position: relative` become one rule of the stylesheet, and its
// TeX stays as `data-tex` (the worked example's tests read it).
//
// Line breaks of inline math need no font: MathJax draws each <mjx-break> as a space in a font
// (MJX-BRK) with a negative letter-spacing, so until that font arrives lines wrap elsewhere and
// the page shifts. Here the space becomes U+200B and the gap padding (`fontFreeBreaks`).
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

// For MathJax's menu, re-parsing, old IE and layout; <math> needs no xmlns in an HTML page.
const UNUSED_ATTRIBUTES = ["data-latex", "data-mjx-texclass", "unselectable", "texclass", "noic", "xmlns"];
const CONTAINER_STYLE = [`font-size: ${+(100 * SCALE).toFixed(3)}%`, "position: relative"];

// `node` and every element below it.
function* elements(node) {
  if (adaptor.kind(node) === "#text" || adaptor.kind(node) === "#comment") return;
  yield node;
  for (const child of adaptor.childNodes(node)) yield* elements(child);
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

// A fragment typeset once (on this page or an earlier one) is reused: about half of the site's
// formulas are repeats. Each page is a document of its own with tags off, so the result is the
// same, except for fragments that define macros or use labels: those are always typeset.
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
  const fresh = []; // the fragments to typeset now, and their slots
  const slots = page.fragments.map((fragment) => {
    const reusable = !PER_DOCUMENT.test(fragment);
    let slot = reusable ? done.get(fragment) : undefined;
    if (!slot) {
      slot = { holder: null, html: undefined, formulas: 0, errors: [] };
      fresh.push({ fragment, slot });
      if (reusable) done.set(fragment, slot);
    }
    return slot;
  });
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
      // A display equation may scroll sideways (a phone): a keyboard must be able to reach it.
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
  // New formulas are finished page by page; each fragment is serialized once, so copies match.
  const unused = unusedAttributes(currentCss());
  for (const root of roots) {
    moveContainerStyle(root);
    for (const node of elements(root)) {
      for (const name of unused) adaptor.removeAttribute(node, name);
      if (adaptor.kind(node) !== "mjx-break") continue;
      for (const child of [...adaptor.childNodes(node)]) adaptor.remove(child);
      adaptor.append(node, adaptor.text("\u200b")); // a zero-width break opportunity
      anyBreaks = true;
    }
  }
  unused.forEach((name) => stripped.add(name));
  for (const slot of slots) if (slot.html === undefined) slot.html = adaptor.innerHTML(slot.holder);
  typeset.push({ page, slots });
}

// MathJax adds its assistive-MathML rules again for each page's document. Keeps the first copy
// of each top-level rule (an @media block is one rule); braces in strings and comments don't count.
function uniqueRules(css) {
  const rules = new Set(); // the first copy of each, in order
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
      rules.add(rule);
      start = i + 1;
    }
  }
  const rest = css.slice(start).trim();
  if (depth !== 0 || quote || rest) throw new Error("typeset.mjs: cannot read MathJax's stylesheet");
  return "\n" + [...rules].join("\n\n") + "\n";
}

// The stylesheet holds the rules for the glyphs of every page, so it is known only now.
let css = uniqueRules(currentCss());
const selected = [...stripped].filter((name) => css.includes(`[${name}`));
// A rule added after an earlier page had these attributes removed:
if (selected.length) {
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
