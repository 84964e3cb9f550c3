// The page's JavaScript side: thumbnails, the drawing pad, the first-prediction mark and the onnxruntime-web runs.
// .NET calls these through IJSRuntime; the pad calls back into .NET with the drawing's 784 grey levels.
window.classifier = (() => {
  let pad, context, drawing = false, last = null, pending = false, dotnet = null;

  // Grey levels 0–255 (white on black, as Fashion-MNIST) of a 28×28 canvas.
  function pixels(canvas) {
    const rgba = canvas.getContext('2d').getImageData(0, 0, 28, 28).data;
    const grey = new Uint8Array(28 * 28);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
    return grey;
  }

  function position(event) {
    const box = pad.getBoundingClientRect();
    return { x: (event.clientX - box.left) * 28 / box.width, y: (event.clientY - box.top) * 28 / box.height };
  }

  // One classification at a time: strokes between two calls are folded into the next.
  function classify() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(async () => {
      try {
        await dotnet.invokeMethodAsync('ClassifyDrawing', pixels(pad));
      } finally {
        pending = false;
      }
    });
  }

  function stroke(to) {
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(to.x, to.y);
    context.stroke();
    last = to;
    classify();
  }

  function clear() {
    context.fillStyle = '#000';
    context.fillRect(0, 0, 28, 28);
  }

  let ortLoading = null;
  function loadOrt() {
    if (window.ort) return Promise.resolve(true);
    ortLoading ??= new Promise(resolve => {
      const script = document.createElement('script');
      script.src = 'ort/ort.wasm.min.js';
      script.onload = () => resolve(true);
      script.onerror = () => resolve(false);
      document.head.appendChild(script);
    });
    return ortLoading;
  }

  return {
    init(reference, images) {
      dotnet = reference;
      for (let i = 0; i * 784 < images.length; i++) {
        const canvas = document.querySelector(`#thumb-${i} canvas`);
        const context = canvas.getContext('2d');
        const image = context.createImageData(28, 28);
        for (let p = 0; p < 784; p++) {
          const v = images[i * 784 + p];
          image.data.set([v, v, v, 255], 4 * p);
        }
        context.putImageData(image, 0, 0);
      }

      pad = document.getElementById('pad');
      context = pad.getContext('2d', { willReadFrequently: true });
      context.strokeStyle = '#fff';
      context.lineWidth = 2.6;
      context.lineCap = 'round';
      context.lineJoin = 'round';
      clear();
      pad.addEventListener('pointerdown', event => {
        drawing = true;
        pad.setPointerCapture(event.pointerId);
        last = position(event);
        stroke({ x: last.x + 0.01, y: last.y });
      });
      pad.addEventListener('pointermove', event => { if (drawing) stroke(position(event)); });
      const end = () => { drawing = false; };
      pad.addEventListener('pointerup', end);
      pad.addEventListener('pointercancel', end);
    },

    clearPad: clear,

    // Milliseconds from the start of navigation to now: called when the first prediction is on the page.
    now: () => performance.now(),

    // onnxruntime-web on the same model: single-threaded WebAssembly (its only WebAssembly build is the SIMD one).
    // Each image one at a time, then the images as one batch, each repeated for at least `seconds`. Returns the
    // microseconds per image and the top-1 class of each image.
    async ortBenchmark(model, imageShape, images, seconds) {
      if (!await loadOrt()) return { error: 'onnxruntime-web is not in the published app (run npm ci in samples/BrowserClassifier, then publish)' };
      ort.env.wasm.wasmPaths = new URL('ort/', document.baseURI).href;
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const count = images.length / 784, scale = Math.fround(1 / 255);
      const data = new Float32Array(images.length);
      for (let i = 0; i < images.length; i++) data[i] = Math.fround(images[i] * scale);
      const input = session.inputNames[0], output = session.outputNames[0];
      const singles = Array.from({ length: count }, (_, i) => new ort.Tensor('float32', data.slice(i * 784, (i + 1) * 784), [1, ...imageShape]));
      const batch = new ort.Tensor('float32', data, [count, ...imageShape]);

      const top1 = [];
      const first = (await session.run({ [input]: batch }))[output].data; // also the warm-up
      for (let i = 0; i < count; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (first[i * 10 + k] > first[i * 10 + best]) best = k;
        top1.push(best);
      }

      async function time(round) {
        await round();
        let rounds = 0;
        const start = performance.now();
        do { await round(); rounds++; } while (performance.now() - start < seconds * 1000);
        return (performance.now() - start) * 1000 / (rounds * count);
      }

      const single = await time(async () => { for (let i = 0; i < count; i++) await session.run({ [input]: singles[i] }); });
      const batched = await time(() => session.run({ [input]: batch }));
      await session.release();
      return { single, batch: batched, top1, version: ort.env.versions?.web ?? '' };
    },
  };
})();
