// MathJax 4, self-hosted (docs/assets/vendor/, fetched by scripts/vendor.py).
//
// This file is always loaded (it is tiny). It holds the MathJax configuration and loads the
// vendored tex-chtml.js only when the current page has math, the first time such a page is
// shown. Material's `document$` emits on the first load and after every instant navigation,
// so math on a page reached by instant navigation is typeset as well.
//
// What is typeset: pymdownx.arithmatex (generic) output, `.arithmatex` with \( \) and \[ \],
// and the Markdown cells of mkdocs-jupyter notebooks, `.jp-MarkdownOutput`, which keep
// TeX between $ $ and $$ $$. Nothing else on the page is scanned.
//
// State for tests and tools: <html data-bp-math="none|loading|done|error">.
(() => {
  const vendor = new URL("../assets/vendor/", document.currentScript.src).href;
  const SELECTOR = ".arithmatex, .jp-MarkdownOutput";
  const root = document.documentElement;
  let ready = null; // resolves once MathJax has started up

  window.MathJax = {
    loader: {
      // MathJax 4 looks for its font at [fonts]/mathjax-newcm-font; the default is a CDN.
      paths: { fonts: vendor.replace(/\/$/, "") },
    },
    tex: {
      inlineMath: [["\\(", "\\)"], ["$", "$"]],
      displayMath: [["\\[", "\\]"], ["$$", "$$"]],
      processEscapes: true,
      tags: "none",
    },
    options: {
      // Speech and Braille cost seconds and a megabyte per page; `enableSpeech` is ignored
      // in MathJax 4, the menu settings are what counts.
      menuOptions: { settings: { speech: false, braille: false } },
    },
    chtml: { displayOverflow: "overflow" },
    startup: {
      typeset: false, // we typeset the math elements ourselves, see below
      ready() {
        MathJax.startup.defaultReady();
      },
    },
  };

  function loadMathJax() {
    if (!ready) {
      ready = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = `${vendor}mathjax/tex-chtml.js`;
        script.async = true;
        script.onload = () => MathJax.startup.promise.then(resolve, reject);
        script.onerror = () => reject(new Error(`cannot load ${script.src}`));
        document.head.appendChild(script);
      });
    }
    return ready;
  }

  async function typesetPage() {
    const elements = [...document.querySelectorAll(SELECTOR)];
    if (elements.length === 0) {
      root.dataset.bpMath = "none";
      return;
    }
    root.dataset.bpMath = "loading";
    try {
      await loadMathJax();
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      await MathJax.typesetPromise(elements);
      root.dataset.bpMath = "done";
    } catch (error) {
      root.dataset.bpMath = "error";
      throw error;
    }
  }

  document$.subscribe(() => {
    typesetPage();
  });
})();
