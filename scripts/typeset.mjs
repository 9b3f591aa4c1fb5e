// Typeset the site's math at build time with the vendored MathJax 4 (node_modules/mathjax,
// fetched by scripts/vendor.py). Run once per build by hooks/typeset_math.py, never by hand.
//
// stdin:  {"fontURL": str, "tex": {...}, "pages": [{"name": str, "fragments": [html, ...]}]}
//         Each fragment is the inner HTML of one element that holds TeX: a
//         pymdownx.arithmatex element (\( \) or \[ \]) or a notebook Markdown cell ($ $, $$ $$).
// stdout: {"css": str, "pages": [{"name": str, "fragments": [{"html": str, "formulas": int}],
//          "errors": [{"tex": str, "message": str}]}]}
//
// Each page is its own MathJax document (labels and tags reset per page). The CSS is one
// stylesheet for the whole site: every page links it, so instant navigation never needs a
// page's own styles. Display equations get tabindex="0" (they may scroll sideways).
// Output: CommonHTML plus assistive MathML for screen readers; no menu,
// no speech, and the `data-latex` attributes MathJax 4 puts on every node (only its menu
// reads them) are removed. Each formula keeps its TeX once, as `data-tex` on its container,
// so the built page still says what was typeset (the worked example's tests read it).
import MathJax from "mathjax";

const input = JSON.parse(await new Promise((resolve, reject) => {
  const chunks = [];
  process.stdin.on("data", (c) => chunks.push(c));
  process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  process.stdin.on("error", reject);
}));

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
    // Node cannot measure the surrounding font: use the scale Chromium chose for the theme's
    // system sans-serif (MathJax's own browser measurement gave 119.5%).
    matchFontHeight: false,
    scale: 1.195,
    displayOverflow: "scroll", // a wide equation scrolls in its own box
  },
  startup: { typeset: false },
});

const adaptor = MathJax.startup.adaptor;

function stripLatexAttributes(node) {
  if (adaptor.kind(node) === "#text" || adaptor.kind(node) === "#comment") return;
  if (adaptor.hasAttribute(node, "data-latex")) adaptor.removeAttribute(node, "data-latex");
  for (const child of adaptor.childNodes(node)) stripLatexAttributes(child);
}

function errorsOf(node, tex, out) {
  if (adaptor.kind(node) === "#text" || adaptor.kind(node) === "#comment") return;
  if (adaptor.kind(node) === "mjx-merror") {
    out.push({ tex, message: adaptor.getAttribute(node, "data-mjx-error") || adaptor.textContent(node) });
    return;
  }
  for (const child of adaptor.childNodes(node)) errorsOf(child, tex, out);
}

const pages = [];
for (const page of input.pages) {
  const body = page.fragments.map((f, i) => `<div data-bp-fragment="${i}">${f}</div>`).join("");
  const doc = MathJax.startup.getDocument(`<html><head></head><body>${body}</body></html>`);
  MathJax.texReset();
  await doc.renderPromise();
  const errors = [];
  const counts = page.fragments.map(() => 0);
  const holders = adaptor.childNodes(adaptor.body(doc.document));
  for (const item of doc.math) {
    const root = item.typesetRoot;
    errorsOf(root, item.math, errors);
    stripLatexAttributes(root);
    adaptor.setAttribute(root, "data-tex", item.math);
    // A display equation scrolls sideways when it is wider than the column (a phone): a
    // keyboard must be able to reach it, as MathJax's own menu code would allow.
    if (item.display) adaptor.setAttribute(root, "tabindex", "0");
    for (let n = adaptor.parent(root); n; n = adaptor.parent(n)) {
      const i = holders.indexOf(n);
      if (i >= 0) {
        counts[i] += 1;
        break;
      }
    }
  }
  pages.push({
    name: page.name,
    fragments: holders.map((h, i) => ({ html: adaptor.innerHTML(h), formulas: counts[i] })),
    errors,
  });
}

const css = adaptor.textContent(MathJax.startup.output.styleSheet(MathJax.startup.document));
process.stdout.write(JSON.stringify({ css, pages }));
