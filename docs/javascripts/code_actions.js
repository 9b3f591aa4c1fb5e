// Material puts the copy button of every code block in a <nav> of its own, so the derivation
// has dozens of unnamed "navigation" landmarks: a screen reader's list of landmarks fills
// with them, and axe reports landmark-unique. A copy button is not navigation: each such
// <nav> loses its landmark role (role="none"); the buttons in it stay as they are. Material
// adds these when a code block first comes into view, and instant navigation swaps the
// content, so this watches the page for them.
(() => {
  if (window.bpCodeActions) return; // once per tab, should the theme ever run it again
  window.bpCodeActions = true;
  const SELECTOR = "nav.md-code__nav:not([role])";
  const unmark = (nav) => nav.setAttribute("role", "none");
  document.querySelectorAll(SELECTOR).forEach(unmark);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        if (node.matches(SELECTOR)) unmark(node);
        else if (node.firstElementChild) node.querySelectorAll(SELECTOR).forEach(unmark);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
