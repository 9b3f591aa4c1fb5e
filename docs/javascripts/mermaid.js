// Mermaid diagrams, self-hosted and loaded only on pages that have one.
//
// Our `mermaid` fence (mkdocs.yml) emits <pre class="mermaid-diagram"> on purpose, NOT
// `pre.mermaid`: Material's own Mermaid integration only looks at `pre.mermaid`, and it
// would fetch the 3.5 MB UMD bundle from a CDN. Here we import the vendored ESM build
// instead (docs/assets/vendor/mermaid/dist/mermaid.esm.min.mjs); it pulls in only the
// chunks the diagrams on the page need. Each diagram is rendered into a
// <div class="mermaid-diagram" data-source="..."> (an ordinary element, no shadow root),
// after every instant navigation and again when the reader toggles the palette, so the
// colours always match the light or dark scheme.
//
// State for tests and tools: <html data-bp-mermaid="none|loading|done|error">.
(() => {
  const entry = new URL(
    "../assets/vendor/mermaid/dist/mermaid.esm.min.mjs",
    document.currentScript.src,
  ).href;
  const root = document.documentElement;
  let mermaidModule = null;
  let counter = 0;
  let pending = Promise.resolve();

  const isDark = () => document.body.getAttribute("data-md-color-scheme") === "slate";

  function loadMermaid() {
    mermaidModule ??= import(entry).then((module) => module.default);
    return mermaidModule;
  }

  async function renderAll() {
    // Fresh <pre> blocks from the page, and rendered diagrams (palette change).
    for (const pre of document.querySelectorAll("pre.mermaid-diagram")) {
      const div = document.createElement("div");
      div.className = "mermaid-diagram";
      div.dataset.source = pre.textContent;
      div.textContent = pre.textContent; // stays readable until rendered
      pre.replaceWith(div);
    }
    const all = [...document.querySelectorAll("div.mermaid-diagram[data-source]")];
    if (all.length === 0) {
      root.dataset.bpMermaid = "none";
      return;
    }
    const scheme = isDark() ? "dark" : "light";
    const diagrams = all.filter((div) => div.dataset.scheme !== scheme);
    if (diagrams.length === 0) return;
    root.dataset.bpMermaid = "loading";
    try {
      const mermaid = await loadMermaid();
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: "strict",
        theme: scheme === "dark" ? "dark" : "default",
        fontFamily: getComputedStyle(document.body).fontFamily,
      });
      for (const div of diagrams) {
        counter += 1;
        const { svg } = await mermaid.render(`bp-mermaid-${counter}`, div.dataset.source);
        div.innerHTML = svg;
        div.dataset.scheme = scheme;
      }
      root.dataset.bpMermaid = "done";
    } catch (error) {
      root.dataset.bpMermaid = "error";
      throw error;
    }
  }

  // Serialise renders: a palette toggle during a render waits for it to finish.
  const schedule = () => {
    pending = pending.then(renderAll, renderAll);
    return pending;
  };

  document$.subscribe(schedule);
  new MutationObserver(schedule).observe(document.body, {
    attributes: true,
    attributeFilter: ["data-md-color-scheme"],
  });
})();
