// The declaration signing page: draw the signature on a canvas (signature_pad, vendored) or type the name.
// Without this script the page still works by typing the name; the drawing panel stays hidden.
// The drawing leaves as a PNG data URL in a hidden field; the server checks it is a real PNG of bounded size.

import SignaturePad from "../../vendor/signature_pad-5.1.4/signature_pad.min.js";

const form = document.getElementById("firma-form");
const canvas = document.getElementById("firma-lienzo");
const hidden = document.getElementById("drawing");
const drawPanel = document.getElementById("panel-dibujar");
const typePanel = document.getElementById("panel-escribir");
const clearButton = document.getElementById("firma-borrar");
const status = document.getElementById("firma-estado");
// A ratio above 2 only makes the image heavier; the server refuses drawings wider than 2000 px.
const RATIO = Math.min(Math.max(window.devicePixelRatio || 1, 1), 2);

if (form && canvas && hidden) {
  const pad = new SignaturePad(canvas, { penColor: "#10243e", minWidth: 0.8, maxWidth: 2.6 });
  const methods = form.querySelectorAll('input[name="method"]');

  function resize() {
    // Resizing clears a canvas: keep the strokes and draw them again at the new size.
    const strokes = pad.toData();
    canvas.width = Math.round(canvas.offsetWidth * RATIO);
    canvas.height = Math.round(canvas.offsetHeight * RATIO);
    canvas.getContext("2d").scale(RATIO, RATIO);
    pad.clear();
    pad.fromData(strokes);
  }

  function chosen() {
    const checked = form.querySelector('input[name="method"]:checked');
    return checked ? checked.value : "";
  }

  function showPanels() {
    const drawing = chosen() === "drawn";
    drawPanel.hidden = !drawing;
    typePanel.hidden = drawing;
    if (drawing) resize();
  }

  function say(text) {
    status.textContent = text;
  }

  pad.addEventListener("endStroke", () => say("Firma trazada. Puede borrarla y trazarla de nuevo."));
  clearButton.addEventListener("click", () => {
    pad.clear();
    hidden.value = "";
    say("Lienzo en blanco.");
  });
  for (const radio of methods) radio.addEventListener("change", showPanels);
  window.addEventListener("resize", () => { if (!drawPanel.hidden) resize(); });

  form.addEventListener("submit", (event) => {
    if (chosen() !== "drawn") {
      hidden.value = "";
      return;
    }
    if (pad.isEmpty()) {
      event.preventDefault();
      say("Trace su firma en el recuadro antes de firmar.");
      canvas.focus();
      return;
    }
    hidden.value = pad.toDataURL("image/png");
  });

  form.classList.add("has-canvas");  // the drawing option is offered only when this script runs
  showPanels();
}
