// MathJax 4, self-hosted (docs/assets/vendor/, fetched by scripts/vendor.py).
//
// This file is always loaded (it is tiny). It holds the MathJax configuration and loads the
// vendored MathJax (startup.js, which then loads the components listed in `loader.load`)
// only when the current page has math, the first time such a page is shown. Material's `document$` emits on the first load and after every instant navigation,
// so math on a page reached by instant navigation is typeset as well.
//
// What is typeset: pymdownx.arithmatex (generic) output, `.arithmatex` with \( \) and \[ \],
// and the Markdown cells of mkdocs-jupyter notebooks, `.jp-MarkdownOutput`, which keep
// TeX between $ $ and $$ $$. Nothing else on the page is scanned.
//
// State for tests and tools: data-bp-math="none|loading|done|error", on <html> and on the
// page's .md-content element. Instant navigation replaces .md-content, so a test that waits
// for `.md-content[data-bp-math=done]` can never see the previous page's state.
(() => {
  const vendor = new URL("../assets/vendor/", document.currentScript.src).href;
  const SELECTOR = ".arithmatex, .jp-MarkdownOutput";
  const root = document.documentElement;
  let ready = null; // resolves once MathJax has started up

  window.MathJax = {
    loader: {
      // Separate components rather than the combined tex-chtml.js: no menu, explorer or
      // speech code, about 400 kB less per page (see scripts/vendor.py).
      load: ["core", "input/tex", "output/chtml", "a11y/assistive-mml"],
      // MathJax 4 looks for its font at [fonts]/mathjax-newcm-font; the default is a CDN.
      paths: { mathjax: `${vendor}mathjax`, fonts: vendor.replace(/\/$/, "") },
    },
    tex: {
      inlineMath: [["\\(", "\\)"], ["$", "$"]],
      displayMath: [["\\[", "\\]"], ["$$", "$$"]],
      processEscapes: true,
      tags: "none",
    },
    // Speech and Braille: off, by not loading them. They cost seconds and about a megabyte
    // per page. In the combined components (tex-chtml.js) they are switched by the
    // contextual menu's settings, options.menuOptions.settings = {speech: false,
    // braille: false} (`enableSpeech` is ignored). We load no ui/menu and no a11y/speech, so
    // there is nothing to switch off, and MathJax would warn that menuOptions is an invalid
    // option. Screen readers get the assistive MathML (a11y/assistive-mml) instead.
    chtml: { displayOverflow: "scroll" }, // a wide equation scrolls in its own box
    startup: { typeset: false }, // we typeset the math elements ourselves, see below
  };

  function loadMathJax() {
    if (!ready) {
      ready = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = `${vendor}mathjax/startup.js`;
        script.async = true;
        script.onload = () => MathJax.startup.promise.then(resolve, reject);
        script.onerror = () => reject(new Error(`cannot load ${script.src}`));
        document.head.appendChild(script);
      });
    }
    return ready;
  }

  function setState(value) {
    root.dataset.bpMath = value;
    const content = document.querySelector(".md-content");
    if (content) content.dataset.bpMath = value;
  }

  async function typesetPage() {
    const elements = [...document.querySelectorAll(SELECTOR)];
    if (elements.length === 0) {
      setState("none");
      return;
    }
    setState("loading");
    try {
      await loadMathJax();
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      await MathJax.typesetPromise(elements);
      setState("done");
    } catch (error) {
      setState("error");
      throw error;
    }
  }

  document$.subscribe(() => {
    typesetPage();
  });
})();
