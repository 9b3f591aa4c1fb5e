// Mermaid diagrams, self-hosted, loaded only on pages that have one, and only when a diagram
// comes near the viewport.
//
// Our `mermaid` fence (mkdocs.yml) emits <pre class="mermaid-diagram"> on purpose, NOT
// `pre.mermaid`: Material's own Mermaid integration only looks at `pre.mermaid`, and it
// would fetch the 3.5 MB UMD bundle from a CDN. Here we import the vendored ESM build
// instead (docs/assets/vendor/mermaid/dist/mermaid.esm.min.mjs); it pulls in only the
// chunks the diagrams need (about 0.86 MB for a flowchart). The import waits until a diagram
// is within 300 px of the viewport, so a reader who never scrolls to a diagram never
// downloads Mermaid.
//
// Each diagram is rendered into a <div class="mermaid-diagram" data-source="..."> (an
// ordinary element, no shadow root), after every instant navigation and again when the
// reader toggles the palette, so the colours always match the light or dark scheme.
//
// For tests and tools:
//   data-bp-mermaid="none|waiting|loading|done|error" on <html> and on the page's .md-content
//   (replaced by instant navigation, so it never shows the previous page's state): "none" =
//   no diagram on the page, "waiting" = diagrams not yet near the viewport.
//   window.bpRenderDiagrams(): render every diagram on the page now; returns a Promise.
(() => {
  const entry = new URL(
    "../assets/vendor/mermaid/dist/mermaid.esm.min.mjs",
    document.currentScript.src,
  ).href;
  const root = document.documentElement;
  let mermaidModule = null;
  let observer = null;
  let counter = 0;
  let pending = Promise.resolve();

  function setState(value) {
    root.dataset.bpMermaid = value;
    const content = document.querySelector(".md-content");
    if (content) content.dataset.bpMermaid = value;
  }

  const scheme = () =>
    document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";

  // Diagrams on the page that are not rendered in the current scheme yet.
  function staleDiagrams() {
    for (const pre of document.querySelectorAll("pre.mermaid-diagram")) {
      const div = document.createElement("div");
      div.className = "mermaid-diagram";
      div.dataset.source = pre.textContent;
      div.textContent = pre.textContent; // stays readable until rendered
      pre.replaceWith(div);
    }
    const all = [...document.querySelectorAll("div.mermaid-diagram[data-source]")];
    if (all.length === 0) setState("none");
    return all.filter((div) => div.dataset.scheme !== scheme());
  }

  async function renderNow() {
    const diagrams = staleDiagrams();
    if (diagrams.length === 0) return;
    setState("loading");
    try {
      mermaidModule ??= import(entry).then((module) => module.default);
      const mermaid = await mermaidModule;
      const current = scheme();
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: "strict",
        theme: current === "dark" ? "dark" : "default",
        fontFamily: getComputedStyle(document.body).fontFamily,
      });
      // One broken diagram must not keep the others from rendering: each keeps its source
      // text and an error note, and the page state ends as "error".
      let failed = null;
      for (const div of diagrams) {
        counter += 1;
        try {
          const { svg } = await mermaid.render(`bp-mermaid-${counter}`, div.dataset.source);
          div.innerHTML = svg;
          div.dataset.scheme = current;
        } catch (error) {
          failed ??= error;
          div.dataset.scheme = current;
          div.dataset.error = String(error?.message ?? error);
          div.textContent = div.dataset.source;
          document.getElementById(`dbp-mermaid-${counter}`)?.remove();
        }
      }
      if (failed) throw failed;
      setState("done");
    } catch (error) {
      setState("error");
      throw error;
    }
  }

  // Serialise renders: a palette toggle during a render waits for it to finish.
  function render() {
    pending = pending.then(renderNow, renderNow);
    return pending;
  }

  function update() {
    observer?.disconnect();
    observer = null;
    const diagrams = staleDiagrams();
    if (diagrams.length === 0) return;
    if (mermaidModule) {
      render(); // already downloaded: re-rendering costs no bytes
      return;
    }
    setState("waiting");
    observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          observer = null;
          render();
        }
      },
      { rootMargin: "300px 0px" },
    );
    for (const div of diagrams) observer.observe(div);
  }

  window.bpRenderDiagrams = render;
  document$.subscribe(update);
  new MutationObserver(update).observe(document.body, {
    attributes: true,
    attributeFilter: ["data-md-color-scheme"],
  });
})();
