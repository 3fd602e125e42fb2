// QR decoding off the main thread, for browsers without a native BarcodeDetector (module Web Worker).
// zxing-wasm is vendored (static/vendor/zxing-wasm-3.1.4/SOURCE.md); its .wasm is fetched from our own static
// folder through the locate-file hook, never from a CDN. The response of this file carries a CSP with
// 'wasm-unsafe-eval' (foros/core/security.py), which WebAssembly compilation needs.
import { prepareZXingModule, readBarcodes } from "../../vendor/zxing-wasm-3.1.4/es/reader/index.js";

const VENDOR = new URL("../../vendor/zxing-wasm-3.1.4/", import.meta.url);
const OPTIONS = { formats: ["QRCode"], maxNumberOfSymbols: 1, tryHarder: true, tryRotate: true, tryInvert: true };

// fireImmediately: fetch and compile the .wasm now, so the first camera frame is decoded at full speed.
Promise.resolve(prepareZXingModule({
  overrides: {
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? new URL(`reader/${path}`, VENDOR).href : prefix + path),
  },
  fireImmediately: true,
})).then(
  () => postMessage({ type: "ready" }),
  (error) => postMessage({ type: "error", message: String(error && error.message ? error.message : error) }),
);

self.onmessage = async (event) => {
  const { id, width, height, buffer } = event.data;
  let text = null;
  try {
    const results = await readBarcodes({ data: new Uint8ClampedArray(buffer), width, height }, OPTIONS);
    text = results.length && results[0].isValid !== false ? results[0].text : null;
  } catch (error) {
    text = null;
  }
  postMessage({ type: "result", id, text });
};
