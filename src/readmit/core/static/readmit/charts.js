// Embeds every Vega-Lite chart of a page: <div data-vega-spec="ID"> names a json_script element
// holding the spec. Vega's expression interpreter runs the charts without eval, so the
// content security policy needs no 'unsafe-eval'. Charts added by htmx are embedded too.
import { expressionInterpreter } from "../vendor/vega-interpreter/vega-interpreter.js";

function embedCharts(root) {
  root.querySelectorAll("[data-vega-spec]:not([data-vega-embedded])").forEach((element) => {
    const source = document.getElementById(element.dataset.vegaSpec);
    if (!source) return;
    element.dataset.vegaEmbedded = "true";
    const spec = JSON.parse(source.textContent);
    window.vegaEmbed(element, spec, {
      ast: true,
      expr: expressionInterpreter,
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    });
  });
}

function whenReady() {
  if (window.vegaEmbed) embedCharts(document);
  else window.addEventListener("load", () => embedCharts(document));
}

whenReady();
document.body.addEventListener("htmx:afterSwap", (event) => embedCharts(event.target));
